package io.gatehouse.identity;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class SignInTest {

    @Test
    void anonymousApiCallGets401NotALoginRedirect() {
        given().redirects().follow(false)
                .when().get("/api/me")
                .then().statusCode(401);
    }

    @Test
    void bearerCallSeesItsOwnIdentityRolesAndTeams() {
        given().auth().oauth2(Tokens.of("alice"))
                .when().get("/api/me")
                .then().statusCode(200)
                .body("id", equalTo("alice"))
                .body("displayName", equalTo("Alice"))
                .body("roles", containsInAnyOrder("user"))
                .body("teams", containsInAnyOrder("team-a"));

        given().auth().oauth2(Tokens.of("bob"))
                .when().get("/api/me")
                .then().statusCode(200)
                .body("roles", containsInAnyOrder("user", "premium"))
                .body("teams", containsInAnyOrder("team-b"));
    }

    @Test
    void teamsNeverBecomeRolesAndUnknownRolesAreIgnored() {
        // dave holds only "auditor"; carol is admin but in no team.
        given().auth().oauth2(Tokens.of("dave"))
                .when().get("/api/me")
                .then().statusCode(200)
                .body("roles", containsInAnyOrder("auditor"))
                .body("teams", empty());
    }

    @Test
    void forgedTokenIsRejected() {
        String token = Tokens.of("alice");
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA";
        given().auth().oauth2(forged)
                .when().get("/api/me")
                .then().statusCode(401);
    }

    @Test
    void aTokenTheSameIdpIssuedToAnotherClientIsRefused() {
        String forReports = Tokens.forClient("reports-app", "reports-secret", "alice");
        // Correctly signed by Gatehouse's own IdP for the same user, but meant for another application.
        assertThat(claims(forReports)).containsEntry("iss", Tokens.issuer()).containsEntry("azp", "reports-app")
                .containsEntry("aud", "reports-app").containsEntry("sub", "alice");
        given().auth().oauth2(forReports).when().get("/api/me").then().statusCode(401);
        given().auth().oauth2(forReports).accept("text/html").redirects().follow(false).when().get("/")
                .then().statusCode(401);
    }

    @Test
    void aTokenWithoutAudienceIsRefused() {
        String noAudience = Tokens.forClient("no-audience-app", "no-audience-secret", "alice");
        assertThat(claims(noAudience)).containsEntry("iss", Tokens.issuer()).doesNotContainKey("aud");
        given().auth().oauth2(noAudience).when().get("/api/me").then().statusCode(401);
        given().auth().oauth2(noAudience).accept("text/html").redirects().follow(false).when().get("/")
                .then().statusCode(401);
    }

    @Test
    void aBrowserSignInWhoseIdTokenIsForAnotherAudienceOpensNoSession() {
        System.setProperty("gatehouse.dev-idp.id-token-audience", "reports-app");
        try {
            BrowserSession browser = new BrowserSession();
            var landed = browser.attemptLogInAt(browser.get("/"), "alice");
            assertThat(landed.statusCode()).isEqualTo(401);
            assertThat(browser.hasSession()).isFalse();
        } finally {
            System.clearProperty("gatehouse.dev-idp.id-token-audience");
        }
        assertThat(BrowserSession.signIn("alice").hasSession()).isTrue();
    }

    @Test
    void signedOutBrowserIsSentToTheLoginPage() {
        given().redirects().follow(false).accept("text/html")
                .when().get("/")
                .then().statusCode(302)
                .header("Location", containsString("/authorize"))
                .header("Location", containsString("response_type=code"));
    }

    private static Map<String, Object> claims(String jwt) {
        String payload = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
        return io.restassured.path.json.JsonPath.from(payload).getMap("");
    }

    @Test
    void pagesCarryTheSecurityHeaders() {
        given().auth().oauth2(Tokens.of("alice")).accept("text/html")
                .when().get("/")
                .then().statusCode(200)
                .header("Referrer-Policy", equalTo("no-referrer"))
                .header("Cache-Control", equalTo("no-store"))
                .header("Content-Security-Policy", containsString("default-src 'self'"))
                .body(containsString("team-a"));
    }
}
