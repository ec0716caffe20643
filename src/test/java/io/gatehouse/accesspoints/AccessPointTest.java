package io.gatehouse.accesspoints;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.support.Audit;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.S3ControlStub;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Per-team access points through the API and the page, against {@link S3ControlStub} (S3 Control is AWS's alone):
 * create, drift, re-attach, delete, a failed create rolled back or marked INCOMPLETE, bad input refused before
 * anything is created, and the team's upload URLs signed through the access point.
 */
@QuarkusTest
@TestProfile(AccessPointTest.AgainstStub.class)
class AccessPointTest {

    public static class AgainstStub implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(S3ControlStub.class));
        }
    }

    @Inject
    DataSource db;

    @Inject
    software.amazon.awssdk.services.s3.S3Client s3;

    private String team;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeEach
    void aTeamOfItsOwn() {
        S3ControlStub.reset();
        team = Fixtures.team(db, null, null);
    }

    @Test
    void anInternetAccessPointIsCreatedWithItsPolicyAndShownAsS3ControlHasIt() throws Exception {
        JsonPath created = put(team, Map.of()).then().statusCode(200).extract().jsonPath();

        String name = "gatehouse-" + team;
        assertThat(created.getString("state")).as(created.prettify()).isEqualTo("OK");
        assertThat(created.getString("name")).isEqualTo(name);
        assertThat(created.getString("arn")).isEqualTo(S3ControlStub.arn(name));
        assertThat(created.getString("alias")).endsWith("-s3alias");
        assertThat(created.getString("networkOrigin")).isEqualTo("INTERNET");
        assertThat(created.getList("drift")).isEmpty();
        var point = S3ControlStub.POINTS.get(name);
        assertThat(point.bucket).isEqualTo("gatehouse-demo");
        assertThat(point.vpcId).isNull();
        // What S3 Control holds is the policy Gatehouse shows, and it reaches only the team's prefix.
        var mapper = new ObjectMapper();
        assertThat(mapper.readTree(point.policy)).isEqualTo(mapper.readTree(created.getString("policy")));
        assertThat(point.policy).contains(S3ControlStub.arn(name) + "/object/teams/" + team + "/*")
                .contains("arn:aws:iam::" + S3ControlStub.ACCOUNT + ":role/gatehouse");
        assertThat(Audit.count(db, Fixtures.ADMIN, "ACCESS_POINT_CHANGED", "SUCCEEDED")).isPositive();
        assertThat(given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/access-points").then().statusCode(200)
                .extract().jsonPath().getString("find { it.team == '" + team + "' }.arn")).isEqualTo(S3ControlStub.arn(name));

        // Someone changes the policy at S3 Control: shown as drift, repaired by attaching it again.
        point.policy = "{\"Version\":\"2012-10-17\",\"Statement\":[]}";
        JsonPath drifted = get(team);
        assertThat(drifted.getString("state")).isEqualTo("DRIFT");
        assertThat(drifted.getList("drift", String.class)).contains("its policy differs from the one Gatehouse attached");
        assertThat(put(team, Map.of()).then().statusCode(200).extract().jsonPath().getString("state")).isEqualTo("OK");

        String overview = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).accept("text/html").get("/admin/access-points")
                .then().statusCode(200).extract().asString();
        assertThat(overview).contains("/admin/teams/" + team + "/access-point").contains("GatehouseDelegateToAccessPoints")
                .contains("Object Lambda");

        given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).delete("/api/admin/teams/" + team + "/access-point")
                .then().statusCode(200).body("state", equalTo("NONE"));
        assertThat(S3ControlStub.POINTS).doesNotContainKey(name);
    }

    @Test
    void aTeamsUploadUrlsAreSignedThroughItsAccessPointAndTheAuditRowSaysSo() throws Exception {
        put(team, Map.of()).then().statusCode(200);
        Fixtures.writeGrant("USER", "alice", "teams/" + team + "/");
        byte[] body = "through the access point".getBytes(StandardCharsets.UTF_8);
        String url = given().auth().oauth2(Tokens.of("alice")).contentType("application/json")
                .body(Map.of("team", team, "filename", "ap.txt", "size", body.length, "contentType", "text/plain",
                        "sha256", Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body))))
                .post("/api/uploads").then().statusCode(201).extract().jsonPath().getString("put.url");

        // The access point's own host: name and account, never the bucket's path.
        assertThat(url).contains("gatehouse-" + team + "-" + S3ControlStub.ACCOUNT).doesNotContain("/gatehouse-demo/");
        assertThat(Audit.lastDetail(db, "alice", "UPLOAD_STARTED", "via")).isEqualTo(S3ControlStub.arn("gatehouse-" + team));
    }

    @Test
    void aVpcAccessPointComesWithTheEndpointPolicyAndThePageSaysWhereItWorks() {
        JsonPath created = put(team, Map.of("networkOrigin", "VPC", "vpcId", "vpc-0123456789abcdef0")).then().statusCode(200)
                .extract().jsonPath();
        assertThat(created.getString("networkOrigin")).isEqualTo("VPC");
        assertThat(S3ControlStub.POINTS.get("gatehouse-" + team).vpcId).isEqualTo("vpc-0123456789abcdef0");
        assertThat(created.getString("vpcEndpointPolicy")).contains(created.getString("arn") + "/object/teams/" + team + "/*")
                .contains("arn:aws:s3:::gatehouse-demo/teams/" + team + "/*");
        String page = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).accept("text/html")
                .get("/admin/teams/" + team + "/access-point").then().statusCode(200).extract().asString();
        assertThat(page).contains("only from inside vpc-0123456789abcdef0").contains(created.getString("arn"));
        // Its origin cannot change in place.
        put(team, Map.of("networkOrigin", "INTERNET")).then().statusCode(409).body("code", equalTo("recreate_needed"));

        // A download through it says where it works, instead of a link that fails outside the VPC.
        String key = "teams/" + team + "/inside.txt";
        s3.putObject(r -> r.bucket("gatehouse-demo").key(key).contentType("text/plain"),
                software.amazon.awssdk.core.sync.RequestBody.fromString("only inside"));
        long item = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType("application/json")
                .body(Map.of("key", key, "title", "Inside " + team, "tier", "STANDARD", "ownerTeam", team))
                .post("/api/admin/items").then().statusCode(201).extract().jsonPath().getLong("id");
        Fixtures.readGrant("USER", "alice", "OBJECT", key);
        JsonPath download = given().auth().oauth2(Tokens.of("alice")).post("/api/items/" + item + "/download-url")
                .then().statusCode(200).extract().jsonPath();
        assertThat(download.getString("vpcOnly")).isEqualTo("vpc-0123456789abcdef0");
        assertThat(java.net.URI.create(download.getString("url")).getHost())
                .isEqualTo("gatehouse-" + team + "-" + S3ControlStub.ACCOUNT + ".s3-accesspoint.us-east-1.amazonaws.com");
    }

    @Test
    void aCreateWhosePolicyFailsIsRolledBackOrMarkedIncompleteNeverHalfConfigured() {
        S3ControlStub.failPolicy = true;
        put(team, Map.of()).then().statusCode(422).body("code", equalTo("refused"));
        assertThat(S3ControlStub.POINTS).as("rolled back").isEmpty();
        assertThat(get(team).getString("state")).isEqualTo("NONE");

        S3ControlStub.failDelete = true;
        put(team, Map.of()).then().statusCode(502).body("code", equalTo("access_point_incomplete"));
        assertThat(get(team).getString("state")).isEqualTo("INCOMPLETE");
        assertThat(Audit.lastReason(db, Fixtures.ADMIN, "ACCESS_POINT_CHANGED")).isEqualTo("incomplete");

        S3ControlStub.failPolicy = false;
        S3ControlStub.failDelete = false;
        given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).delete("/api/admin/teams/" + team + "/access-point")
                .then().statusCode(200).body("state", equalTo("NONE"));
        assertThat(S3ControlStub.POINTS).isEmpty();
    }

    @Test
    void badInputIsRefusedBeforeAnythingIsCreated() {
        Map<String, Map<String, String>> refused = Map.of(
                "name", Map.of("name", "Upper.Case"),
                "vpcId", Map.of("networkOrigin", "VPC", "vpcId", "vpc-XYZ"),
                "networkOrigin", Map.of("networkOrigin", "SATELLITE"),
                "teamRoleArn", Map.of("teamRoleArn", "arn:aws:iam::123456789012:user/alice"));
        refused.forEach((field, body) -> put(team, body).then().statusCode(400).body("field", equalTo(field)));
        put(team, Map.of("name", "gatehouse-finance-s3alias")).then().statusCode(400).body("field", equalTo("name"));
        put(team, Map.of("name", "someone-elses")).then().statusCode(400).body("field", equalTo("name"));
        put(team, Map.of("networkOrigin", "VPC")).then().statusCode(400).body("field", equalTo("vpcId"));
        assertThat(S3ControlStub.POINTS).isEmpty();
        given().auth().oauth2(Tokens.passwordGrant(Fixtures.ADMIN)).contentType("application/json").body(Map.of())
                .put("/api/admin/teams/" + team + "/access-point").then().statusCode(401).body("code", equalTo("step_up_required"));
        given().auth().oauth2(Tokens.of("alice")).get("/api/admin/teams/" + team + "/access-point").then().statusCode(403);
    }

    @Test
    void anItemServedThroughAnExistingObjectLambdaAccessPointGetsUrlsSignedForIt() {
        S3ControlStub.OBJECT_LAMBDA.add("redacted-reports");
        JsonPath listed = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/object-lambda/access-points")
                .then().statusCode(200).extract().jsonPath();
        assertThat(listed.getList("accessPoints.arn")).containsExactly(S3ControlStub.objectLambdaArn("redacted-reports"));

        String key = "tests/" + java.util.UUID.randomUUID() + "/report.txt";
        long item = Fixtures.item(s3, "gatehouse-demo", key, "the full report", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "alice", "OBJECT", key);
        Map<String, String> wrong = Map.of(
                "arn:aws:s3:us-east-1:123456789012:accesspoint/redacted-reports", "Object Lambda access point ARN",
                "arn:aws:s3-object-lambda:eu-west-1:123456789012:accesspoint/redacted-reports", "is in eu-west-1",
                "arn:aws:s3-object-lambda:us-east-1:210987654321:accesspoint/redacted-reports", "account 210987654321");
        wrong.forEach((arn, why) -> given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType("application/json")
                .body(Map.of("arn", arn)).put("/api/admin/object-lambda/items/" + item).then().statusCode(400)
                .body("field", equalTo("arn")).body("message", org.hamcrest.Matchers.containsString(why)));

        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType("application/json")
                .body(Map.of("arn", S3ControlStub.objectLambdaArn("redacted-reports")))
                .put("/api/admin/object-lambda/items/999999999").then().statusCode(404);
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType("application/json")
                .body(Map.of("arn", S3ControlStub.objectLambdaArn("redacted-reports")))
                .put("/api/admin/object-lambda/items/" + item).then().statusCode(204);
        String url = given().auth().oauth2(Tokens.of("alice")).post("/api/items/" + item + "/download-url").then().statusCode(200)
                .extract().jsonPath().getString("url");
        // The Object Lambda access point's own host: the view, never the raw object in the bucket.
        assertThat(java.net.URI.create(url).getHost())
                .isEqualTo("redacted-reports-" + S3ControlStub.ACCOUNT + ".s3-object-lambda.us-east-1.amazonaws.com");
        assertThat(Audit.lastDetail(db, "alice", "DOWNLOAD_URL_ISSUED", "via"))
                .isEqualTo(S3ControlStub.objectLambdaArn("redacted-reports"));
    }

    @Test
    void theDelegationStatementIsShownMergedAndAppliedWhereTheStoreHasPolicies() {
        JsonPath plan = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/access-points/delegation")
                .then().statusCode(200).extract().jsonPath();
        assertThat(plan.getString("statement")).contains("GatehouseDelegateToAccessPoints")
                .contains("\"s3:DataAccessPointAccount\" : \"" + S3ControlStub.ACCOUNT + "\"");
        assertThat(plan.getString("after")).contains("GatehouseDelegateToAccessPoints");
        // The embedded S3Proxy has no bucket policies: said so, audited, nothing changed.
        given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).post("/api/admin/access-points/delegation/apply")
                .then().statusCode(409).body("code", equalTo("not_supported"));
        assertThat(Audit.lastReason(db, Fixtures.ADMIN, "ACCESS_POINT_CHANGED")).isIn("NotImplemented", "not_supported");
    }

    @Test
    void thePageShowsAnInternetAndAVpcAccessPointAsS3ControlHasThem() throws Exception {
        String vpcTeam = Fixtures.team(db, null, null);
        put(team, Map.of("teamRoleArn", "arn:aws:iam::123456789012:role/finance-batch")).then().statusCode(200);
        put(vpcTeam, Map.of("networkOrigin", "VPC", "vpcId", "vpc-1a2b3c4d")).then().statusCode(200);
        java.nio.file.Path shots = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target/screenshots"));
        try (var context = io.gatehouse.support.Chromium.shared().newContext()) {
            var page = context.newPage();
            String base = "http://localhost:" + port;
            page.navigate(base + "/admin/teams/" + team + "/access-point");
            page.click("button[name='predefined-carol']");
            page.waitForURL(base + "/admin/teams/" + team + "/access-point");
            assertThat(page.textContent("main")).contains("State: OK").contains(S3ControlStub.arn("gatehouse-" + team))
                    .contains("INTERNET").contains("finance-batch");
            page.screenshot(new com.microsoft.playwright.Page.ScreenshotOptions().setFullPage(true)
                    .setPath(shots.resolve("access-point-internet.png")));
            page.navigate(base + "/admin/teams/" + vpcTeam + "/access-point");
            assertThat(page.textContent("main")).contains("State: OK").contains("only from inside vpc-1a2b3c4d")
                    .contains("GatehouseBucketAndAccessPoint");
            page.screenshot(new com.microsoft.playwright.Page.ScreenshotOptions().setFullPage(true)
                    .setPath(shots.resolve("access-point-vpc.png")));
        }
    }

    private static Response put(String team, Map<String, String> body) {
        return given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).contentType("application/json").body(body)
                .put("/api/admin/teams/" + team + "/access-point");
    }

    private static JsonPath get(String team) {
        return given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/teams/" + team + "/access-point")
                .then().statusCode(200).extract().jsonPath();
    }
}
