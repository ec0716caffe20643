package io.gatehouse.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.gatehouse.grants.AccessDecision;
import io.gatehouse.grants.Grant;
import io.gatehouse.identity.CurrentUser;

/** The content-access policy as a decision table: who, which item, which grant, when — and the answer. */
class ContentAccessTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private static final String TEAM_A = "teams/team-a/";

    /**
     * roles (+ separated), teams, tier, key, grant (none | prefix:resource:validForSeconds[:revoked|:usedUp]),
     * members read, expected (a rule or a denial code).
     */
    @ParameterizedTest(name = "{0} in [{1}] reading {2} {3} with {4}, members read {5} -> {6}")
    @CsvSource(delimiter = '|', textBlock = """
            user          | team-a | STANDARD | teams/team-a/x.txt      | none                           | true  | team-member
            user          | team-a | STANDARD | teams/team-a/x.txt      | none                           | false | no_grant
            user          | team-b | STANDARD | teams/team-a/x.txt      | none                           | true  | no_grant
            user          | team-a | PREMIUM  | teams/team-a/x.txt      | none                           | true  | premium_required
            user+premium  | team-a | PREMIUM  | teams/team-a/x.txt      | none                           | true  | team-member
            user          |        | STANDARD | shared/report.pdf       | shared/:3600                   | true  | grant
            user          |        | STANDARD | shared/report.pdf       | shared/:3600:revoked           | true  | grant_revoked
            user          |        | STANDARD | shared/report.pdf       | shared/:3600:usedUp            | true  | grant_used_up
            user          |        | STANDARD | shared/report.pdf       | shared/:0                      | true  | grant_expired
            user          |        | STANDARD | shared-b/report.pdf     | shared/:3600                   | true  | no_grant
            user          |        | PREMIUM  | shared/report.pdf       | shared/:3600                   | true  | premium_required
            """)
    void readDecisions(String roles, String teams, String tier, String key, String grant, boolean membersRead, String expected) {
        CurrentUser user = new CurrentUser("u", "U", Set.of(roles.split("\\+")),
                teams == null ? Set.of() : Set.of(teams.split("\\+")));
        Map<String, String> spaces = membersRead && user.isMemberOf("team-a") ? Map.of("team-a", TEAM_A) : Map.of();
        AccessDecision decision = ContentAccess.decideRead(user, new ContentAccess.Readable("b", key, ContentItem.Tier.valueOf(tier)),
                spaces, grants(grant), NOW);
        assertThat(decision.allowed() ? decision.rule() : decision.denial().code()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "member of [{0}] writing {1} with {2} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            team-a | teams/team-a/u/1/f.txt | none                     | team-member
            team-b | teams/team-a/u/1/f.txt | none                     | no_grant
            team-b | teams/team-a/u/1/f.txt | teams/team-a/:3600       | grant
            team-b | teams/team-a/u/1/f.txt | teams/team-a/:3600:usedUp| grant_used_up
            """)
    void writeDecisions(String teams, String key, String grant, String expected) {
        CurrentUser user = new CurrentUser("u", "U", Set.of("user"), Set.of(teams));
        AccessDecision decision = ContentAccess.decideWrite(user, "team-a", grants(grant), key, NOW);
        assertThat(decision.allowed() ? decision.rule() : decision.denial().code()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} uses content: {1}")
    @CsvSource({ "user,true", "premium,true", "admin,true", "auditor,false", "unknown,false" })
    void onlyUsersPremiumUsersAndAdminsUseContent(String role, boolean uses) {
        assertThat(ContentAccess.usesContent(Set.of(role))).isEqualTo(uses);
    }

    private static List<Grant> grants(String spec) {
        if (spec == null || spec.equals("none")) {
            return List.of();
        }
        String[] parts = spec.split(":");
        Grant grant = new Grant();
        grant.id = 1L;
        grant.resourceType = Grant.ResourceType.PREFIX;
        grant.resource = parts[0];
        grant.validFrom = NOW.minusSeconds(60);
        grant.validUntil = NOW.plusSeconds(Long.parseLong(parts[1]));
        if (parts.length > 2 && parts[2].equals("revoked")) {
            grant.revokedAt = NOW.minusSeconds(1);
        }
        if (parts.length > 2 && parts[2].equals("usedUp")) {
            grant.maxUses = 1;
            grant.useCount = 1;
        }
        return List.of(grant);
    }
}
