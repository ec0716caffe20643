package io.gatehouse.identity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * An IdP that sends bare group names (Keycloak with "full group path" off: {@code team-a}, not {@code /team-a}):
 * {@code gatehouse.identity.team-prefix=none} takes every value of the claim as a team.
 */
@QuarkusTest
@TestProfile(TeamPrefixNoneTest.BareGroupNames.class)
class TeamPrefixNoneTest {

    public static class BareGroupNames implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The embedded IdP's client registered with bare group names.
            return Map.of("quarkus.oidc.client-id", "gatehouse-short-groups", "gatehouse.identity.team-prefix", "none");
        }
    }

    @Test
    void bareGroupNamesAreTeamsWhenThePrefixIsNone() {
        given().auth().oauth2(Tokens.of("alice")).when().get("/api/me")
                .then().statusCode(200).body("teams", containsInAnyOrder("team-a"));
        given().auth().oauth2(Tokens.of("bob")).when().get("/api/me")
                .then().statusCode(200).body("teams", containsInAnyOrder("team-b")).body("roles", containsInAnyOrder("user", "premium"));
    }
}
