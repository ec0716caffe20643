package io.gatehouse.uploads;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Audit;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Uploads against the real S3 server: the store itself must refuse anything but what was declared. */
@QuarkusTest
class UploadTest {

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Inject
    DataSource db;

    @Inject
    UploadService uploads;

    @Inject
    AbandonedUploadsJob cleanup;

    @Test
    void theSignedPutTakesExactlyTheDeclaredBodyAndTheVerifiedFileIsListed() throws Exception {
        byte[] body = ("exactly these bytes " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        long verifiedBefore = Audit.count(db, "alice", "UPLOAD_VERIFIED", "SUCCEEDED");
        JsonPath started = start("alice", "notes.txt", body, "text/plain").then().statusCode(201).extract().jsonPath();
        String key = started.getString("key");
        assertThat(key).startsWith("teams/team-a/alice/" + started.getString("id") + "/").endsWith("/notes.txt");
        assertThat(started.getMap("put.headers")).containsKeys("content-type", "x-amz-checksum-sha256", "x-amz-meta-upload-id");

        assertThat(put(started.getString("put.url"), started.getMap("put.headers"), body).statusCode()).isEqualTo(200);

        given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified"));
        // Completing again is idempotent.
        long itemId = given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified")).extract().jsonPath().getLong("itemId");
        given().auth().oauth2(Tokens.of("alice")).queryParam("q", "notes.txt").when().get("/api/items")
                .then().statusCode(200).body("items.find { it.id == " + itemId + " }.available", equalTo(true));
        // One row, although the upload was completed twice.
        assertThat(Audit.count(db, "alice", "UPLOAD_VERIFIED", "SUCCEEDED")).isEqualTo(verifiedBefore + 1);
    }

    @Test
    void theStoreRefusesAnythingButTheDeclaredPut() throws Exception {
        byte[] body = "declared body".getBytes(StandardCharsets.UTF_8);
        JsonPath started = start("alice", "strict.txt", body, "text/plain").then().statusCode(201).extract().jsonPath();
        String url = started.getString("put.url");
        Map<String, String> headers = started.getMap("put.headers");

        Map<String, String> otherType = new HashMap<>(headers);
        otherType.put("content-type", "text/html");
        assertThat(put(url, otherType, body).statusCode()).as("other content type").isEqualTo(403);
        assertThat(put(url, headers, "declared body, and more".getBytes(StandardCharsets.UTF_8)).statusCode())
                .as("longer body").isIn(400, 403);
        assertThat(put(url, headers, "declared".getBytes(StandardCharsets.UTF_8)).statusCode()).as("shorter body").isIn(400, 403);
        assertThat(put(url, headers, "DECLARED BODY".getBytes(StandardCharsets.UTF_8)).statusCode())
                .as("same length, different bytes (checksum)").isEqualTo(400);
        Map<String, String> otherChecksum = new HashMap<>(headers);
        otherChecksum.put("x-amz-checksum-sha256", sha256("something else".getBytes(StandardCharsets.UTF_8)));
        assertThat(put(url, otherChecksum, body).statusCode()).as("other checksum header").isEqualTo(403);
        String otherKey = url.replace("/strict.txt?", "/elsewhere.txt?");
        assertThat(put(otherKey, headers, body).statusCode()).as("other key").isEqualTo(403);

        assertThatNoObject(started.getString("key"));
        assertThat(put(url, headers, body).statusCode()).as("the declared PUT still works").isEqualTo(200);
    }

    @Test
    void anExpiredPutIsRefused() throws Exception {
        byte[] body = "late".getBytes(StandardCharsets.UTF_8);
        String id = start("alice", "late.txt", body, "text/plain").then().statusCode(201).extract().jsonPath().getString("id");
        UploadService.SignedRequest signed = uploads.signPut(UploadSession.findById(UUID.fromString(id)), Duration.ofSeconds(1));

        Instant deadline = Instant.now().plusSeconds(15);
        HttpResponse<String> response = put(signed.url(), signed.headers(), body);
        while (response.statusCode() == 200 && Instant.now().isBefore(deadline)) {
            s3.deleteObject(r -> r.bucket(config.bucket()).key(UploadSession.<UploadSession>findById(UUID.fromString(id)).objectKey));
            response = put(signed.url(), signed.headers(), body);
        }
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("expired");
    }

    @Test
    void aMismatchingObjectIsDeletedOnCompletionAndTheReasonRecorded() {
        byte[] declared = "the declared content".getBytes(StandardCharsets.UTF_8);
        JsonPath started = start("alice", "swapped.txt", declared, "text/plain").then().statusCode(201).extract().jsonPath();
        String key = started.getString("key");
        // Something other than the declared file lands at the key (written around Gatehouse's signature).
        s3.putObject(r -> r.bucket(config.bucket()).key(key).contentType("text/plain"), RequestBody.fromString("other bytes"));

        given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(422).body("status", equalTo("rejected"))
                .body("reason", equalTo("The stored object has 11 bytes; 20 were declared."));
        assertThatNoObject(key);
        assertThat(Audit.lastReason(db, "alice", "UPLOAD_REJECTED")).isEqualTo("The stored object has 11 bytes; 20 were declared.");
    }

    @Test
    void theCleanupJobAbortsAbandonedMultipartUploads() throws Exception {
        byte[] part = new byte[16 * 1024 * 1024];
        JsonPath started = given().auth().oauth2(Tokens.of("bob")).contentType(ContentType.JSON)
                .body(Map.of("filename", "big.bin", "size", 70L * 1024 * 1024, "contentType", "application/octet-stream",
                        "sha256", sha256(part)))
                .when().post("/api/uploads").then().statusCode(201).body("multipart", equalTo(true)).extract().jsonPath();
        String id = started.getString("id");
        String url = given().auth().oauth2(Tokens.of("bob")).contentType(ContentType.JSON)
                .body(Map.of("partNumbers", List.of(1, 2)))
                .when().post("/api/uploads/" + id + "/parts").then().statusCode(200)
                .extract().jsonPath().getString("find { it.partNumber == 1 }.url");
        assertThat(put(url, Map.of(), part).statusCode()).isEqualTo(200);
        assertThat(put(url, Map.of(), new byte[10]).statusCode()).as("a part of another length").isEqualTo(403);
        given().auth().oauth2(Tokens.of("bob")).when().get("/api/uploads/" + id + "/parts")
                .then().statusCode(200).body("size()", equalTo(1)).body("[0].partNumber", equalTo(1));
        assertThat(s3.listMultipartUploads(r -> r.bucket(config.bucket()).prefix(started.getString("key"))).uploads()).hasSize(1);

        int cleaned = cleanup.cleanUp(Instant.now().plus(Duration.ofHours(3)));

        assertThat(cleaned).isPositive();
        assertThat(s3.listMultipartUploads(r -> r.bucket(config.bucket()).prefix(started.getString("key"))).uploads()).isEmpty();
        given().auth().oauth2(Tokens.of("bob")).when().get("/api/uploads")
                .then().statusCode(200).body("find { it.id == '" + id + "' }.status", equalTo("expired"));
    }

    @Test
    void badDeclarationsGetClearRefusalsAndCreateNothing() {
        byte[] body = "x".getBytes(StandardCharsets.UTF_8);
        for (String name : List.of("../escape.txt", "a/b.txt", "a\\b.txt", "nul\u0000.txt", "bell\u0007.txt",
                "evil\u202Etxt.exe", "CON", "con.txt", "x".repeat(1000), "", "..")) {
            start("alice", name, body, "text/plain").then().statusCode(400).body("field", equalTo("filename"));
        }
        declare("alice", Map.of("filename", "a.txt", "size", 0, "contentType", "text/plain", "sha256", sha256(body)))
                .then().statusCode(400).body("field", equalTo("size"));
        declare("alice", Map.of("filename", "a.txt", "size", -5, "contentType", "text/plain", "sha256", sha256(body)))
                .then().statusCode(400).body("field", equalTo("size"));
        declare("alice", Map.of("filename", "a.txt", "size", 6L * 1024 * 1024 * 1024, "contentType", "text/plain", "sha256", sha256(body)))
                .then().statusCode(413).body("code", equalTo("too_large"));
        declare("alice", Map.of("filename", "a.html", "size", 1, "contentType", "text/html", "sha256", sha256(body)))
                .then().statusCode(415).body("code", equalTo("content_type_not_allowed"));
        declare("alice", Map.of("filename", "a.txt", "size", 1, "contentType", "text/plain", "sha256", "not-a-digest"))
                .then().statusCode(400).body("field", equalTo("sha256"));
        declare("mallory", Map.of("filename", "a.txt", "size", 1, "contentType", "text/plain", "sha256", sha256(body)))
                .then().statusCode(400).body("field", equalTo("team"));
        declare("alice", Map.of("team", "team-b", "filename", "a.txt", "size", 1, "contentType", "text/plain", "sha256", sha256(body)))
                .then().statusCode(403).body("code", equalTo("no_write_grant"));

        String id = start("alice", "private.txt", body, "text/plain").then().statusCode(201).extract().jsonPath().getString("id");
        given().auth().oauth2(Tokens.of("bob")).when().post("/api/uploads/" + id + "/complete").then().statusCode(404);
        given().auth().oauth2(Tokens.of("bob")).when().delete("/api/uploads/" + id).then().statusCode(404);
        given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/not-a-uuid/complete").then().statusCode(400);
    }

    @Test
    void aBrowserSessionNeedsTheCsrfHeaderForApiWrites() {
        // A cookie-authenticated call without X-CSRF-Token (what a cross-site page could trigger) is refused.
        var alice = io.gatehouse.support.BrowserSession.signIn("alice");
        var refused = alice.postRaw("/api/uploads", Map.of("filename", "x"));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.asString()).contains("csrf_token_invalid");
    }

    private io.restassured.response.Response start(String user, String filename, byte[] body, String type) {
        return declare(user, Map.of("filename", filename, "size", body.length, "contentType", type, "sha256", sha256(body)));
    }

    private io.restassured.response.Response declare(String user, Map<String, Object> declaration) {
        return given().auth().oauth2(Tokens.of(user)).contentType(ContentType.JSON).body(declaration).when().post("/api/uploads");
    }

    private void assertThatNoObject(String key) {
        assertThat(Fixtures.objectExists(s3, config.bucket(), key)).as("object still there: " + key).isFalse();
    }

    static HttpResponse<String> put(String url, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        // A fresh client per request: the store closes connections after refusing a body, and a reused one
        // would fail with a transport error instead of showing the refusal.
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String sha256(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
