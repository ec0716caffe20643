package io.gatehouse.teams;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.hasItem;

import java.util.HashMap;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.support.Audit;
import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class TeamConsoleTest {

    @Inject
    DataSource db;

    @Test
    void teamsNamedInTokensAppearWithTheirPolicyAndUsage() {
        given().auth().oauth2(Tokens.of("alice")).get("/api/me").then().statusCode(200); // alice's token names team-a
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/teams").then().statusCode(200)
                .body("slug", hasItem("team-a"))
                .body("find { it.slug == 'team-a' }.lastSeenAt", org.hamcrest.Matchers.notNullValue())
                .body("find { it.slug == 'team-a' }.quotaBytes", org.hamcrest.Matchers.greaterThan(0L));
        String page = BrowserSession.signIn(Fixtures.ADMIN).get("/admin/teams").asString();
        assertThat(page).contains("team-a").contains("teams/team-a/").contains("<meter");
    }

    @Test
    void anAdminEditsAPolicyWithFieldLevelMessagesAndEveryChangeIsAudited() {
        String slug = newTeam();
        long updatesBefore = Audit.count(db, Fixtures.ADMIN, "TEAM_UPDATED", "SUCCEEDED");
        BrowserSession carol = BrowserSession.signIn(Fixtures.ADMIN);
        Map<String, String> form = form("Research <script>x</script>", "text/plain, application/pdf", "200 MiB", "lots", "3",
                "DEFAULT", "");
        var refused = carol.postForm("/admin/teams/" + slug, "/admin/teams/" + slug, form);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("<strong>quotaBytes</strong>: Use a size such as 500 MiB")
                .contains("value=\"lots\"");
        assertThat(quota(slug)).isNull();

        form.put("quotaBytes", "2 GiB");
        var saved = carol.postForm("/admin/teams/" + slug, "/admin/teams/" + slug, form);
        assertThat(saved.statusCode()).isEqualTo(303);
        assertThat(quota(slug)).isEqualTo(2L << 30);
        String edit = carol.get("/admin/teams/" + slug).asString();
        assertThat(edit).contains("value=\"2 GiB\"").contains("value=\"200 MiB\"")
                .contains("Research &lt;script&gt;").doesNotContain("<script>x");
        assertThat(Audit.count(db, Fixtures.ADMIN, "TEAM_UPDATED", "SUCCEEDED")).isEqualTo(updatesBefore + 1); // not the refused one

        // Encryption: SSE-KMS needs a key; with one it is saved (the sign-in above is recent, so no step-up).
        form.put("sseMode", "SSE_KMS");
        assertThat(carol.postForm("/admin/teams/" + slug, "/admin/teams/" + slug, form).asString())
                .contains("<strong>kmsKeyId</strong>: SSE_KMS needs a KMS key");
        form.put("kmsKeyId", "arn:aws:kms:eu-west-1:123456789012:key/0b7e8c1a-1111-2222-3333-444455556666");
        assertThat(carol.postForm("/admin/teams/" + slug, "/admin/teams/" + slug, form).statusCode()).isEqualTo(303);
        assertThat(carol.get("/admin/teams").asString()).contains("SSE_KMS");
        assertThat(carol.get("/admin/teams/no-such-team").statusCode()).isEqualTo(404);
    }

    private static Map<String, String> form(String name, String types, String maxObject, String quota, String maxFiles, String sse,
            String kms) {
        Map<String, String> form = new HashMap<>();
        form.put("displayName", name);
        form.put("allowedContentTypes", types);
        form.put("maxObjectBytes", maxObject);
        form.put("quotaBytes", quota);
        form.put("maxFilesPerSession", maxFiles);
        form.put("sseMode", sse);
        form.put("kmsKeyId", kms);
        return form;
    }

    /** A team of its own, so that encryption settings never touch the demo teams' uploads. */
    private String newTeam() {
        return Fixtures.team(db, null, null);
    }

    private Long quota(String slug) {
        try (var connection = db.getConnection();
                var select = connection.prepareStatement("SELECT quota_bytes FROM team WHERE slug = ?")) {
            select.setString(1, slug);
            var rows = select.executeQuery();
            rows.next();
            long value = rows.getLong(1);
            return rows.wasNull() ? null : value;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
