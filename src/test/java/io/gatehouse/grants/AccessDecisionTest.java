package io.gatehouse.grants;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class AccessDecisionTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void prefixMatchesOnlyWholeSegments() {
        Grant teamA = grant(1, Grant.ResourceType.PREFIX, "teams/team-a/");

        assertThat(AccessDecision.decide(List.of(teamA), "teams/team-a/report.pdf", NOW).allowed()).isTrue();
        assertThat(AccessDecision.decide(List.of(teamA), "teams/team-a/deep/er/file", NOW).allowed()).isTrue();
        assertThat(AccessDecision.decide(List.of(teamA), "teams/team-ab/report.pdf", NOW).denial())
                .isEqualTo(DenialReason.NO_GRANT);
        assertThat(AccessDecision.decide(List.of(teamA), "teams/team-a", NOW).allowed()).isFalse();
    }

    @Test
    void objectGrantCoversExactlyItsKey() {
        Grant one = grant(1, Grant.ResourceType.OBJECT, "a/b.txt");

        assertThat(AccessDecision.decide(List.of(one), "a/b.txt", NOW).allowed()).isTrue();
        assertThat(AccessDecision.decide(List.of(one), "a/b.txt2", NOW).allowed()).isFalse();
    }

    @Test
    void theMostTellingReasonWinsWhenNoGrantAllows() {
        Grant expired = grant(1, Grant.ResourceType.PREFIX, "a/");
        expired.validUntil = NOW.minusSeconds(1);
        Grant revoked = grant(2, Grant.ResourceType.PREFIX, "a/");
        revoked.revokedAt = NOW.minusSeconds(5);
        Grant notYet = grant(3, Grant.ResourceType.PREFIX, "a/");
        notYet.validFrom = NOW.plusSeconds(60);

        assertThat(AccessDecision.decide(List.of(expired), "a/x", NOW).denial()).isEqualTo(DenialReason.GRANT_EXPIRED);
        assertThat(AccessDecision.decide(List.of(notYet), "a/x", NOW).denial()).isEqualTo(DenialReason.GRANT_NOT_YET_VALID);
        assertThat(AccessDecision.decide(List.of(expired, revoked, notYet), "a/x", NOW).denial())
                .isEqualTo(DenialReason.GRANT_REVOKED);
        assertThat(AccessDecision.decide(List.of(), "a/x", NOW).denial()).isEqualTo(DenialReason.NO_GRANT);
    }

    @Test
    void aSpentLastUseStopsTheNextUseButNotWhatItAlreadyAllowed() {
        Grant once = grant(1, Grant.ResourceType.PREFIX, "a/");
        once.maxUses = 1;
        once.useCount = 1;

        assertThat(once.blocksUseAt(NOW)).isEqualTo(DenialReason.GRANT_USED_UP);
        assertThat(once.blocksContinuingAt(NOW)).isNull();
        once.revokedAt = NOW.minusSeconds(1);
        assertThat(once.blocksContinuingAt(NOW)).isEqualTo(DenialReason.GRANT_REVOKED);
        once.revokedAt = null;
        assertThat(once.blocksContinuingAt(once.validUntil)).isEqualTo(DenialReason.GRANT_EXPIRED);
        assertThat(once.maxUses).as("deciding never changes the grant").isEqualTo(1);
    }

    @Test
    void anUnlimitedGrantIsPreferredSoNoUseIsSpentNeedlessly() {
        Grant counted = grant(1, Grant.ResourceType.PREFIX, "a/");
        counted.maxUses = 3;
        counted.validUntil = NOW.plus(Duration.ofDays(30));
        Grant unlimited = grant(2, Grant.ResourceType.OBJECT, "a/x");

        assertThat(AccessDecision.decide(List.of(counted, unlimited), "a/x", NOW).grant()).isSameAs(unlimited);
    }

    @Test
    void aUsedUpGrantDenies() {
        Grant counted = grant(1, Grant.ResourceType.OBJECT, "a/x");
        counted.maxUses = 2;
        counted.useCount = 2;

        assertThat(AccessDecision.decide(List.of(counted), "a/x", NOW).denial()).isEqualTo(DenialReason.GRANT_USED_UP);
    }

    @Test
    void candidateResourcesAreTheKeyAndItsSegmentPrefixes() {
        assertThat(GrantService.resourcesCovering("teams/team-a/x/y.txt"))
                .containsExactly("teams/team-a/x/y.txt", "teams/", "teams/team-a/", "teams/team-a/x/");
        assertThat(GrantService.resourcesCovering("top.txt")).containsExactly("top.txt");
    }

    private static Grant grant(long id, Grant.ResourceType type, String resource) {
        Grant grant = new Grant();
        grant.id = id;
        grant.resourceType = type;
        grant.resource = resource;
        grant.validFrom = NOW.minus(Duration.ofDays(1));
        grant.validUntil = NOW.plus(Duration.ofDays(1));
        return grant;
    }
}
