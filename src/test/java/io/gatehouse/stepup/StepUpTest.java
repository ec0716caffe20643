package io.gatehouse.stepup;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.support.Audit;
import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Step-up with a 4-second window, so that a sign-in goes stale within the test: destructive actions are then
 * refused until the user signs in again through the IdP.
 */
@QuarkusTest
@TestProfile(StepUpTest.ShortWindow.class)
class StepUpTest {

    public static class ShortWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gatehouse.step-up.max-age", "PT4S");
        }
    }

    @Inject
    DataSource db;

    @Test
    void anApiCallWithAStaleTokenGetsTheStepUpChallengeAndChangesNothing() {
        long grant = Fixtures.readGrant("USER", "alice", "PREFIX", Fixtures.uniquePrefix());
        String token = Tokens.fresh(Fixtures.ADMIN);
        long refusalsBefore = Audit.count(db, Fixtures.ADMIN, "STEP_UP_REQUIRED", "DENIED");
        // While the token is fresh, a revoke of a grant that does not exist is a 404; once stale, the step-up comes first.
        untilStale(() -> given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("ids", List.of(999_999_999L), "reason", "probe")).post("/api/admin/grants/revoke"), 401);
        Response refused = given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(Map.of("ids", List.of(grant), "reason", "stale")).post("/api/admin/grants/revoke");
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.getHeader("WWW-Authenticate")).contains("error=\"insufficient_user_authentication\"")
                .contains("max_age=4");
        assertThat(refused.jsonPath().getString("code")).isEqualTo("step_up_required");
        assertThat(grantStatus(grant)).isEqualTo("active");
        // One row for the probe that first met the stale token, one for the refused revoke.
        assertThat(Audit.count(db, Fixtures.ADMIN, "STEP_UP_REQUIRED", "DENIED")).isEqualTo(refusalsBefore + 2);

        given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).contentType(ContentType.JSON)
                .body(Map.of("ids", List.of(grant), "reason", "fresh sign-in")).post("/api/admin/grants/revoke")
                .then().statusCode(200).body("revoked[0]", equalTo((int) grant));
        assertThat(grantStatus(grant)).isEqualTo("grant revoked");
    }

    @Test
    void aStaleBrowserSessionIsSentThroughTheIdpAgainAndThenTheBulkRevokeWorks() {
        long first = Fixtures.readGrant("USER", "alice", "PREFIX", Fixtures.uniquePrefix());
        long second = Fixtures.readGrant("USER", "bob", "PREFIX", Fixtures.uniquePrefix());
        BrowserSession carol = BrowserSession.signIn(Fixtures.ADMIN);
        Map<String, String> bulk = Map.of("ids", first + "", "reason", "bulk test");

        untilStale(() -> carol.postForm("/admin/grants", "/admin/grants/revoke", Map.of("ids", "999999999", "reason", "probe")),
                303);
        Response refused = carol.postForm("/admin/grants", "/admin/grants/revoke", bulk);
        assertThat(refused.statusCode()).isEqualTo(303);
        assertThat(refused.getHeader("Location")).endsWith("/auth/step-up?return=%2Fadmin%2Fgrants");
        assertThat(grantStatus(first)).isEqualTo("active");
        assertThat(carol.get(refused.getHeader("Location")).asString()).contains("Confirm it's you").contains("ago");

        // "Sign in again": the local session ends and the IdP is asked for a fresh login.
        Response start = carol.postForm("/auth/step-up?return=/admin/grants", "/auth/step-up", Map.of("return", "/admin/grants"));
        assertThat(start.statusCode()).isEqualTo(303);
        assertThat(start.getHeader("Location")).endsWith("/auth/step-up/done");
        assertThat(carol.hasSession()).isFalse();
        Response toIdp = carol.get("/auth/step-up/done");
        assertThat(toIdp.getHeader("Location")).contains("prompt=login").contains("max_age=4");
        long completedBefore = Audit.count(db, Fixtures.ADMIN, "STEP_UP_COMPLETED", "SUCCEEDED");
        carol.logInAt(toIdp, Fixtures.ADMIN);
        Response back = carol.get("/auth/step-up/done");
        assertThat(back.statusCode()).isEqualTo(303);
        assertThat(back.getHeader("Location")).endsWith("/admin/grants");
        assertThat(Audit.count(db, Fixtures.ADMIN, "STEP_UP_COMPLETED", "SUCCEEDED")).isEqualTo(completedBefore + 1);

        var done = carol.postForm("/admin/grants", "/admin/grants/revoke", Map.of("ids", first + "", "reason", "bulk test"));
        assertThat(done.statusCode()).isEqualTo(303);
        assertThat(done.getHeader("Location")).contains("notice=revoked+1");
        assertThat(grantStatus(first)).isEqualTo("grant revoked");
        assertThat(grantStatus(second)).isEqualTo("active");
    }

    @Test
    void theReturnPageIsAlwaysOnThisSite() {
        assertThat(StepUpResource.localPath("https://evil.example/")).isEqualTo("/");
        assertThat(StepUpResource.localPath("//evil.example/")).isEqualTo("/");
        assertThat(StepUpResource.localPath("/\\evil.example")).isEqualTo("/");
        assertThat(StepUpResource.localPath("/admin/teams/team-a")).isEqualTo("/admin/teams/team-a");
        given().auth().oauth2(Tokens.fresh("alice")).get("/auth/step-up?return=https://evil.example/")
                .then().statusCode(200).body(containsString("value=\"/\""));
    }

    private static String grantStatus(long id) {
        return given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).get("/api/admin/grants?subject=alice").jsonPath()
                .getList("findAll { it.id == " + id + " }.status", String.class).stream().findFirst()
                .orElseGet(() -> given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).get("/api/admin/grants?subject=bob")
                        .jsonPath().getList("findAll { it.id == " + id + " }.status", String.class).get(0));
    }

    /** Repeats a harmless probe (404 while the sign-in is fresh) until it is refused for staleness; bounded. */
    private static void untilStale(Supplier<Response> probe, int staleStatus) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            Response response = probe.get();
            if (response.statusCode() == staleStatus) {
                return;
            }
            if (response.statusCode() != 404 || Instant.now().isAfter(deadline)) {
                throw new AssertionError("expected 404 and then " + staleStatus + ", got " + response.statusCode() + ": "
                        + response.asString());
            }
            try {
                Thread.sleep(250); // polling interval, bounded by the deadline
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
