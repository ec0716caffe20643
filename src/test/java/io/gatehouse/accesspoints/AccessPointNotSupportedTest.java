package io.gatehouse.accesspoints;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/** On the embedded S3Proxy (and any S3-compatible store) there is no S3 Control: said so, nothing attempted. */
@QuarkusTest
class AccessPointNotSupportedTest {

    @Test
    void aStoreWithoutS3ControlSaysNotSupportedAndGatehouseKeepsTheTeamPrefixItself() {
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/teams/team-a/access-point").then().statusCode(200)
                .body("state", equalTo("NOT_SUPPORTED")).body("message", containsString("does not implement S3 Control"));
        given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).contentType("application/json").body(Map.of())
                .put("/api/admin/teams/team-a/access-point").then().statusCode(409).body("code", equalTo("not_supported"));
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/teams/no-such-team/access-point").then().statusCode(404);
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).accept("text/html").get("/admin/access-points").then().statusCode(200)
                .body(containsString("does not implement S3 Control"));
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType("application/json")
                .body(Map.of("arn", "arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/redacted"))
                .put("/api/admin/object-lambda/items/1").then().statusCode(409).body("code", equalTo("not_supported"));
    }
}
