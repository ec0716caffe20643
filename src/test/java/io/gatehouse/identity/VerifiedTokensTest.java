package io.gatehouse.identity;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Base64;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.gatehouse.support.Management;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The verified-token cache as a client sees it: the same token is verified once and then answered from the cache,
 * but a token changed in any way is verified in full (and refused), and a cached token stops working at its exp.
 */
@QuarkusTest
class VerifiedTokensTest {

    private static final String TOKEN_LIFESPAN = "gatehouse.dev-idp.token-lifespan-seconds";
    private static final String FROM_CACHE = "gatehouse_tokens_verified_total{from=\"cache\"";
    private static final String FROM_SIGNATURE = "gatehouse_tokens_verified_total{from=\"signature\"";

    @AfterEach
    void idpAsUsual() {
        System.clearProperty(TOKEN_LIFESPAN);
    }

    @Test
    void aTokenIsVerifiedOnceThenAnsweredFromTheCacheWithItsRolesIntact() {
        String token = Tokens.fresh("carol");
        double verified = Management.meter(FROM_SIGNATURE);
        double cached = Management.meter(FROM_CACHE);

        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(token).when().get("/api/me").then().statusCode(200);
        }
        // An admin-only endpoint from the cached identity: roles and permissions are added per request as before.
        given().auth().oauth2(token).when().get("/api/admin/grants").then().statusCode(200);

        assertThat(Management.meter(FROM_SIGNATURE)).isEqualTo(verified + 1);
        assertThat(Management.meter(FROM_CACHE)).isEqualTo(cached + 3);
    }

    /**
     * Users are read once per token, and each token still answers for its own user, however requests interleave
     * (alice and frank hold the same roles, in different teams).
     */
    @Test
    void interleavedTokensEachAnswerForTheirOwnUser() {
        java.util.Map<String, String> tokens = java.util.Map.of("alice", Tokens.fresh("alice"), "frank", Tokens.fresh("frank"),
                "bob", Tokens.fresh("bob"), "carol", Tokens.fresh("carol"));
        for (int round = 0; round < 3; round++) {
            tokens.forEach((user, token) -> {
                var me = given().auth().oauth2(token).when().get("/api/me").then().statusCode(200).extract().jsonPath();
                assertThat(me.getString("id")).isEqualTo(user);
                assertThat(me.getList("roles", String.class)).contains(user.equals("carol") ? "admin" : "user")
                        .doesNotContain(user.equals("carol") ? "premium" : "admin");
                if (!user.equals("carol")) {
                    String team = user.equals("alice") ? "team-a" : "team-b";
                    String other = user.equals("alice") ? "team-b" : "team-a";
                    assertThat(me.getList("teams", String.class)).contains(team).doesNotContain(other);
                }
            });
        }
    }

    @Test
    void aTokenChangedInAnyWayIsVerifiedInFullAndRefusedAlthoughTheOriginalIsCached() {
        String token = Tokens.fresh("alice");
        given().auth().oauth2(token).when().get("/api/me").then().statusCode(200);
        String[] parts = token.split("\\.");
        // alice made admin in the payload, signature kept: a different token, so no cache hit, and a bad signature.
        String claims = new String(Base64.getUrlDecoder().decode(parts[1])).replace("\"user\"", "\"admin\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes()) + "."
                + parts[2];
        String truncated = token.substring(0, token.length() - 2);

        given().auth().oauth2(tampered).when().get("/api/me").then().statusCode(401);
        given().auth().oauth2(truncated).when().get("/api/me").then().statusCode(401);
        given().auth().oauth2(tampered).when().get("/api/admin/grants").then().statusCode(401);
    }

    @Test
    void aCachedTokenStopsWorkingAtItsExpiry() throws InterruptedException {
        System.setProperty(TOKEN_LIFESPAN, "3");
        String token = Tokens.fresh("alice");
        Instant expires = Instant.now().plusSeconds(3);
        System.clearProperty(TOKEN_LIFESPAN);
        given().auth().oauth2(token).when().get("/api/me").then().statusCode(200);
        given().auth().oauth2(token).when().get("/api/me").then().statusCode(200); // now from the cache

        Instant deadline = expires.plusSeconds(10);
        int status = 200;
        while (status == 200 && Instant.now().isBefore(deadline)) {
            Thread.sleep(200); // polling interval, bounded by the deadline
            status = given().auth().oauth2(token).when().get("/api/me").then().extract().statusCode();
        }
        assertThat(status).as("the cached token after its exp").isEqualTo(401);
        assertThat(Instant.now()).isAfterOrEqualTo(expires.minusSeconds(1)); // not refused before its time
    }
}
