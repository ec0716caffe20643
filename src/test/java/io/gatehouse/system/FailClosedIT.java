package io.gatehouse.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.gatehouse.dev.ProdStack;
import io.gatehouse.support.Ports;
import io.gatehouse.support.Presigned;
import io.gatehouse.support.Tokens;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Outages of the real services, really stopped (the database server, the store, the IdP) or really refusing (the
 * audit table), under the packaged app in prod: every request that cannot be decided and recorded is refused with a
 * clear 503 and no URL, readiness says so, nothing is marked verified, and once the service is back the same app
 * instance works again without a restart. The IdP goes last: it does not come back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailClosedIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static ProdStack stack;
    private static PackagedApp app;
    private static String alice;
    private static Map<String, String> environment;

    @BeforeAll
    static void launch() throws Exception {
        int port = Ports.free();
        stack = new ProdStack();
        environment = stack.start(List.of("http://localhost:" + port));
        app = new PackagedApp("fail-closed", environment, port);
        RestAssured.baseURI = "http://localhost";
        RestAssured.port = app.port;
        alice = Tokens.of("alice");
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (stack != null) {
            stack.close();
        }
        RestAssured.reset();
    }

    @Test
    @Order(1)
    void withTheDatabaseDownNoUrlIsIssuedReadinessIsDownAndTheAppRecoversWithoutARestart() throws Exception {
        long item = verifiedUpload("db-outage.txt").getLong("itemId");
        downloadUrl(item).then().statusCode(200);

        stack.stopDatabase();
        try {
            Response refused = downloadUrl(item);
            assertRefusedCleanly(refused);
            given().get(app.management("/q/health/ready")).then().statusCode(503).body("status", equalTo("DOWN"));
            // Pages too: a readable error, not a stack trace.
            Response page = given().auth().oauth2(alice).accept("text/html").get("/catalog");
            assertThat(page.statusCode()).isEqualTo(503);
            assertThat(page.asString()).contains("<h1").doesNotContain("Exception");
        } finally {
            stack.startDatabase();
        }
        within(Duration.ofSeconds(60), () -> given().get(app.management("/q/health/ready")).statusCode() == 200);
        Response again = downloadUrl(item);
        again.then().statusCode(200);
        assertThat(Presigned.in(again)).isTrue();
    }

    @Test
    @Order(2)
    void anAuditRowThatCannotBeWrittenMeansNoUrlAndNoUseSpent() throws Exception {
        long item = verifiedUpload("audit-outage.txt").getLong("itemId");
        JsonPath inStore = putFile("verdict-outage.txt");
        try (var db = stack.database(); var statement = db.createStatement()) {
            // The database itself refuses the row, as a full disk or a revoked privilege would.
            statement.execute("""
                    CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
                    $$ BEGIN RAISE EXCEPTION 'the audit table refuses writes (test)'; END $$""");
            statement.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION refuse_audit()");
        }
        try {
            assertRefusedCleanly(downloadUrl(item));
            // An upload declaration is refused too, and leaves no session behind.
            Response declared = given().auth().oauth2(alice).contentType(ContentType.JSON)
                    .body(Map.of("filename", "never.txt", "size", 1, "contentType", "text/plain",
                            "sha256", "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="))
                    .post("/api/uploads");
            assertRefusedCleanly(declared);
            try (var db = stack.database(); var query = db.createStatement();
                    var rows = query.executeQuery("SELECT count(*) FROM upload_session WHERE original_filename = 'never.txt'")) {
                rows.next();
                assertThat(rows.getLong(1)).isZero();
            }
            // A verdict that cannot be recorded lists nothing, and does not leave the upload claimed ("verifying")
            // for others to wait out: it is open again, and completes once the database takes rows again.
            assertRefusedCleanly(given().auth().oauth2(alice).post("/api/uploads/" + inStore.getString("id") + "/complete"));
            assertThat(status(inStore.getString("id"))).isEqualTo("pending");
        } finally {
            try (var db = stack.database(); var statement = db.createStatement()) {
                statement.execute("DROP TRIGGER refuse_audit ON audit_event");
                statement.execute("DROP FUNCTION refuse_audit()");
            }
        }
        downloadUrl(item).then().statusCode(200);
        given().auth().oauth2(alice).post("/api/uploads/" + inStore.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified"));
    }

    @Test
    @Order(3)
    void withTheStoreDownCompletionAndPostureFailCleanlyAndNothingIsMarkedVerified() throws Exception {
        JsonPath started = putFile("store-outage.txt");
        stack.stopStore();
        try {
            Response completed = given().auth().oauth2(alice).post("/api/uploads/" + started.getString("id") + "/complete");
            assertThat(completed.statusCode()).as(completed.asString()).isBetween(500, 504).isNotEqualTo(500);
            assertThat(completed.asString()).contains("message").doesNotContain("Exception");
            assertThat(status(started.getString("id"))).isNotEqualTo("verified");
            Response posture = given().auth().oauth2(Tokens.fresh("carol")).get("/api/admin/posture");
            assertThat(posture.statusCode()).as(posture.asString()).isIn(200, 503);
            assertThat(posture.asString()).doesNotContain("Exception");
            given().get(app.management("/q/health/ready")).then().statusCode(503);
        } finally {
            stack.startStore();
        }
        within(Duration.ofSeconds(60), () -> given().get(app.management("/q/health/ready")).statusCode() == 200);
        given().auth().oauth2(alice).post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified"));
    }

    @Test
    @Order(4)
    void theStoreGoingAwayInTheMiddleOfAMultipartUploadEndsTheSessionCleanlyAndLeavesNothingBehind() throws Exception {
        JsonPath started = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("filename", "parts.bin", "size", 70L << 20, "contentType", "application/octet-stream"))
                .post("/api/uploads").then().statusCode(201).body("multipart", equalTo(true)).extract().jsonPath();
        String id = started.getString("id");
        String key = started.getString("key");
        String part = given().auth().oauth2(alice).contentType(ContentType.JSON).body(Map.of("partNumbers", List.of(1)))
                .post("/api/uploads/" + id + "/parts").then().statusCode(200).extract().jsonPath().getString("[0].url");
        byte[] sixteenMib = new byte[16 << 20];
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(part)).PUT(HttpRequest.BodyPublishers.ofByteArray(sixteenMib)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);

        stack.stopStore();
        try {
            Response completed = given().auth().oauth2(alice).post("/api/uploads/" + id + "/complete");
            assertThat(completed.statusCode()).as(completed.asString()).isBetween(400, 504).isNotEqualTo(500);
            assertThat(completed.asString()).doesNotContain("Exception");
            assertThat(status(id)).isNotEqualTo("verified");
            Response aborted = given().auth().oauth2(alice).delete("/api/uploads/" + id);
            assertThat(aborted.statusCode()).as(aborted.asString()).isIn(200, 503);
        } finally {
            stack.startStore();
        }
        within(Duration.ofSeconds(60), () -> given().get(app.management("/q/health/ready")).statusCode() == 200);
        // Cancelling again asks the store again (the first cancel met the outage): the store keeps neither parts nor object.
        Response aborted = given().auth().oauth2(alice).delete("/api/uploads/" + id);
        assertThat(aborted.statusCode()).as(aborted.asString()).isEqualTo(200);
        assertThat(status(id)).isEqualTo("aborted");
        try (var s3 = stack.s3()) {
            String bucket = environment.get("GATEHOUSE_S3_BUCKET");
            assertThat(s3.listMultipartUploads(r -> r.bucket(bucket).prefix(key)).uploads()).as("parts left at the store").isEmpty();
            assertThat(s3.listObjectsV2(r -> r.bucket(bucket).prefix(key)).contents()).as("an object at the key").isEmpty();
        }
    }

    @Test
    @Order(5)
    void withTheIdpDownVerifiedTokensWorkUntilTheirExpiryAndUnknownOnesAreRefused() {
        String admin = Tokens.of("carol");
        given().auth().oauth2(alice).get("/api/me").then().statusCode(200);
        stack.stopIdp();
        // The keys are cached: a token signed by them is still verified locally, as documented (README: Sign-in).
        given().auth().oauth2(alice).get("/api/me").then().statusCode(200);
        given().auth().oauth2(admin).get("/api/me").then().statusCode(200);
        // A forged token with a key id Gatehouse has never seen cannot be checked against the IdP: refused, quickly.
        String[] parts = alice.split("\\.");
        String unknownKid = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"alg\":\"RS256\",\"kid\":\"gone\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + "." + parts[2];
        // (That it is answered fast while the IdP stalls is StallingIdpTest's.)
        given().auth().oauth2(unknownKid).get("/api/me").then().statusCode(401);
        // A browser is still sent to sign in (the IdP's page will not answer): never let in without one.
        given().redirects().follow(false).accept("text/html").get("/catalog").then().statusCode(302);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private static void assertRefusedCleanly(Response response) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(503);
        assertThat(response.jsonPath().getString("message")).isNotBlank();
        assertThat(response.asString()).doesNotContain("Exception", "\tat ");
        assertThat(Presigned.in(response)).as("no URL while the decision cannot be recorded").isFalse();
    }

    private static Response downloadUrl(long item) {
        return given().auth().oauth2(alice).post("/api/items/" + item + "/download-url");
    }

    private static JsonPath verifiedUpload(String name) throws Exception {
        JsonPath started = putFile(name);
        return given().auth().oauth2(alice).post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified")).extract().jsonPath();
    }

    private static JsonPath putFile(String name) throws Exception {
        byte[] body = (name + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        JsonPath started = given().auth().oauth2(alice).contentType(ContentType.JSON)
                .body(Map.of("filename", name, "size", body.length, "contentType", "text/plain", "sha256", sha))
                .post("/api/uploads").then().statusCode(201).extract().jsonPath();
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(started.getString("put.url")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        started.<String, String>getMap("put.headers").forEach(put::header);
        assertThat(HTTP.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        return started;
    }

    private static String status(String upload) {
        return given().auth().oauth2(alice).get("/api/uploads").jsonPath()
                .getString("find { it.id == '" + upload + "' }.status");
    }

    private static void within(Duration limit, BooleanSupplier condition) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("not within " + limit);
            }
            Thread.sleep(200);
        }
    }
}
