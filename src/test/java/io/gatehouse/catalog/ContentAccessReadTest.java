package io.gatehouse.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;
import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import io.gatehouse.grants.AccessDecision;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The download path's one-statement read (the item, the team spaces and the candidate grants, prefixes worked out
 * by PostgreSQL) decides exactly as the catalog's reads do, on real rows: grants on the key and on each of its
 * prefixes, of users, teams and roles, of the wrong permission, on a prefix that only looks alike, about to expire,
 * several at once; team spaces open and closed to members; keys with spaces and non-ASCII segments.
 */
@QuarkusTest
class ContentAccessReadTest {

    @Inject
    ContentAccess access;

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Inject
    DataSource db;

    @Test
    void theOneStatementReadDecidesAsTheCatalogsReadsDo() {
        String prefix = Fixtures.uniquePrefix();
        String tag = prefix.substring(6, 14);
        String deep = prefix + "deep/er/file.txt";
        String odd = prefix + "a/b c/日本語 ü.txt";
        String openTeam = Fixtures.team(db, null, null);
        String closedTeam = Fixtures.team(db, null, null);
        String grantedTeam = Fixtures.team(db, null, null);
        Fixtures.sql(db, "UPDATE team SET members_read = false WHERE slug = ?", closedTeam);
        List<Long> items = List.of(
                Fixtures.item(s3, config.bucket(), deep, "d", "text/plain", "STANDARD"),
                Fixtures.item(s3, config.bucket(), odd, "o", "text/plain", "STANDARD"),
                Fixtures.item(s3, config.bucket(), prefix + "premium.txt", "p", "text/plain", "PREMIUM"),
                Fixtures.item(s3, config.bucket(), "teams/" + openTeam + "/" + tag + "/member.txt", "m", "text/plain", "STANDARD"),
                Fixtures.item(s3, config.bucket(), "teams/" + closedTeam + "/" + tag + ".txt", "c", "text/plain", "STANDARD"));

        Instant now = Instant.now();
        Fixtures.readGrant("USER", "prefix-" + tag, "PREFIX", prefix + "deep/");
        Fixtures.readGrant("USER", "exact-" + tag, "OBJECT", deep);
        Fixtures.readGrant("USER", "exact-" + tag, "OBJECT", odd);
        Fixtures.readGrant("USER", "odd-" + tag, "PREFIX", prefix + "a/b c/");
        Fixtures.readGrant("TEAM", grantedTeam, "PREFIX", prefix);
        Fixtures.readGrant("ROLE", "premium", "PREFIX", prefix + "deep/er/");
        Fixtures.writeGrant("USER", "writer-" + tag, prefix);
        Fixtures.readGrant("USER", "alike-" + tag, "PREFIX", prefix + "dee/");
        Fixtures.grant("USER", "expiring-" + tag, "PREFIX", prefix, now.minus(Duration.ofHours(1)), now.plusSeconds(5), null);
        Fixtures.readGrant("USER", "several-" + tag, "PREFIX", prefix);
        Fixtures.readGrant("USER", "several-" + tag, "PREFIX", prefix + "deep/");
        Fixtures.readGrant("USER", "several-" + tag, "OBJECT", deep);
        Fixtures.readGrant("USER", "member-" + tag, "PREFIX", "teams/" + closedTeam + "/");

        List<CurrentUser> users = List.of(
                user("prefix-" + tag, Set.of()), user("exact-" + tag, Set.of()), user("odd-" + tag, Set.of()),
                user("nobody-" + tag, Set.of(grantedTeam)), new CurrentUser("p-" + tag, "P", Set.of("user", "premium"), Set.of()),
                user("writer-" + tag, Set.of()), user("alike-" + tag, Set.of()), user("expiring-" + tag, Set.of()),
                user("several-" + tag, Set.of()), user("member-" + tag, Set.of(openTeam, closedTeam)),
                user("outsider-" + tag, Set.of(closedTeam)));

        List<String> allowed = new ArrayList<>();
        for (CurrentUser user : users) {
            for (long id : items) {
                Instant at = Instant.now();
                ContentAccess.ItemRead read = access.readItem(user, id, at).orElseThrow();
                AccessDecision twoStep = access.read(user, read.item(), at);
                assertThat(describe(read.decision())).as(user.id() + " reading " + read.item().objectKey)
                        .isEqualTo(describe(twoStep));
                if (read.decision().allowed()) {
                    allowed.add(user.id().substring(0, user.id().indexOf('-')) + " " + read.decision().rule());
                }
            }
        }
        // Not vacuous: each kind of grant and the open team space let someone in.
        assertThat(allowed).contains("prefix grant", "exact grant", "odd grant", "nobody grant", "p grant", "several grant",
                "member team-member", "member grant").doesNotContain("writer grant", "alike grant", "outsider grant");
        assertThat(access.readItem(users.get(0), -1, now)).isEmpty();
    }

    private static CurrentUser user(String id, Set<String> teams) {
        return new CurrentUser(id, id, Set.of("user"), teams);
    }

    private static String describe(AccessDecision decision) {
        return decision.allowed() ? decision.rule() + " " + (decision.grant() == null ? decision.memberOf() : decision.grant().id)
                : decision.denial().code();
    }
}
