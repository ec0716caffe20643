package io.gatehouse.uploads;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.catalog.ContentItem;
import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.SseMode;
import io.gatehouse.storage.StoreCapabilities;
import io.gatehouse.support.Audit;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Uploads against the real S3 server (and, in {@code UploadOnCephRgwTest}, against Ceph RGW): the store itself
 * must refuse anything but what was declared, or Gatehouse must catch it before listing; and a URL must not outlive
 * the upload it was signed for.
 */
@QuarkusTest
class UploadTest {

    private static final int MIB = 1024 * 1024;

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

    @Inject
    VerificationClaims claims;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Inject
    UploadConfig uploadConfig;

    @Inject
    software.amazon.awssdk.services.s3.presigner.S3Presigner presigner;

    @Inject
    StoreCapabilities capabilities;

    @Test
    void theSignedPutTakesExactlyTheDeclaredBodyAndTheVerifiedFileIsListed() throws Exception {
        byte[] body = ("exactly these bytes " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        long verifiedBefore = Audit.count(db, "alice", "UPLOAD_VERIFIED", "SUCCEEDED");
        JsonPath started = start("alice", "notes.txt", body, "text/plain").then().statusCode(201).extract().jsonPath();
        String key = started.getString("key");
        assertThat(key).startsWith("teams/team-a/alice/" + started.getString("id") + "/").endsWith("/notes.txt");
        Map<String, String> headers = started.getMap("put.headers");
        assertThat(headers).containsKeys("content-type", "x-amz-meta-upload-id");
        StoreCapabilities.Capabilities store = capabilities.get();
        // The SHA-256 is bound where the store checks it; If-None-Match where it refuses to replace an object.
        assertThat(headers.containsKey("x-amz-checksum-sha256")).isEqualTo(store.checksSha256());
        assertThat(headers.containsKey("if-none-match")).isEqualTo(store.writeOnce());

        assertThat(put(started.getString("put.url"), headers, body).statusCode()).isEqualTo(200);

        String verification = given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified")).extract().jsonPath().getString("verification");
        assertThat(verification).contains(store.integrity() == StoreCapabilities.Integrity.STORE_CHECKSUM
                ? "checked by the store on arrival" : "reading the object back");
        // Completing again is idempotent.
        long itemId = given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified")).extract().jsonPath().getLong("itemId");
        given().auth().oauth2(Tokens.of("alice")).queryParam("q", "notes.txt").when().get("/api/items")
                .then().statusCode(200).body("items.find { it.id == " + itemId + " }.available", equalTo(true));
        // One row, although the upload was completed twice.
        assertThat(Audit.count(db, "alice", "UPLOAD_VERIFIED", "SUCCEEDED")).isEqualTo(verifiedBefore + 1);
        if (store.writeOnce()) {
            // The URL created the object once; it cannot replace what was verified.
            assertThat(put(started.getString("put.url"), headers, body).statusCode()).as("second PUT").isEqualTo(412);
        }
    }

    /**
     * The single PUT is signed by Gatehouse's own SigV4 signing (no presigner on the hot path); for every kind of
     * upload it binds what the SDK's presigner binds for the same PutObject: the same URL but for the time of signing,
     * the same signed headers with the same values. (That the stores enforce them: the tests after this one.)
     */
    @Test
    void theSinglePutBindsWhatThePresignerWouldBindForEveryKindOfUpload() {
        StoreCapabilities.Capabilities enforcing = new StoreCapabilities.Capabilities(true, true, true, null, Instant.now());
        StoreCapabilities.Capabilities lax = new StoreCapabilities.Capabilities(false, false, false, "test", Instant.now());
        for (SseMode mode : SseMode.values()) {
            for (StoreCapabilities.Capabilities store : List.of(enforcing, lax)) {
                for (String encryption : java.util.Arrays.asList(null, ContentItem.CLIENT_ENCRYPTION)) {
                    UploadSession session = new UploadSession();
                    session.id = UUID.randomUUID();
                    session.bucket = config.bucket();
                    session.objectKey = "teams/team-a/alice/" + session.id + "/with space & ü €.pdf";
                    session.declaredContentType = "application/pdf";
                    session.declaredSize = 12_345L;
                    session.declaredSha256 = sha256("x".getBytes(StandardCharsets.UTF_8));
                    session.sseMode = mode;
                    session.kmsKeyId = mode == SseMode.SSE_KMS ? "alias/team-a" : null;
                    session.clientEncryption = encryption;
                    session.sseCustomerKeyMd5 = mode == SseMode.SSE_C ? "bWQ1LW9mLXRoZS1rZXk9PQ==" : null;
                    session.contentMd5 = mode == SseMode.SSE_C ? "bWQ1LW9mLXRoZS1maWxlPQ==" : null;
                    String what = mode + " " + (store == enforcing ? "enforcing store" : "lax store") + " " + encryption;

                    UploadService.SignedRequest ours = uploads.signPut(session, store, Duration.ofMinutes(5));
                    var sdk = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5)).putObjectRequest(r -> {
                        r.bucket(session.bucket).key(session.objectKey).contentType(session.declaredContentType)
                                .contentLength(session.declaredSize).metadata(UploadService.putHeaders(session, lax).entrySet().stream()
                                        .filter(h -> h.getKey().startsWith("x-amz-meta-"))
                                        .collect(java.util.stream.Collectors.toMap(h -> h.getKey().substring(11), Map.Entry::getValue)));
                        if (store.checksSha256()) {
                            r.checksumSHA256(session.declaredSha256);
                        }
                        if (store.writeOnce()) {
                            r.ifNoneMatch("*");
                        }
                        if (mode.header() != null) {
                            r.serverSideEncryption(mode.header());
                        }
                        if (session.kmsKeyId != null) {
                            r.ssekmsKeyId(session.kmsKeyId).bucketKeyEnabled(true);
                        }
                        if (mode == SseMode.SSE_C) {
                            r.sseCustomerAlgorithm("AES256").sseCustomerKeyMD5(session.sseCustomerKeyMd5).contentMD5(session.contentMd5);
                        }
                    }));
                    URI mine = URI.create(ours.url());
                    URI theirs = URI.create(sdk.url().toString());
                    assertThat(mine.getRawAuthority() + mine.getRawPath()).as(what).isEqualTo(theirs.getRawAuthority() + theirs.getRawPath());
                    assertThat(withoutTime(mine)).as(what).isEqualTo(withoutTime(theirs));
                    Map<String, String> sdkHeaders = new java.util.TreeMap<>();
                    sdk.signedHeaders().forEach((name, values) -> {
                        if (!name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")) {
                            sdkHeaders.put(name.toLowerCase(java.util.Locale.ROOT), String.join(",", values));
                        }
                    });
                    assertThat(new java.util.TreeMap<>(ours.headers())).as(what).isEqualTo(sdkHeaders);
                    assertThat(ours.expiresAt()).as(what).isBetween(sdk.expiration().minusSeconds(2), sdk.expiration());
                }
            }
        }
    }

    private static Map<String, String> withoutTime(URI url) {
        Map<String, String> parameters = new java.util.TreeMap<>();
        for (String pair : url.getRawQuery().split("&")) {
            String[] nameValue = pair.split("=", 2);
            if (!List.of("X-Amz-Date", "X-Amz-Signature", "X-Amz-Credential").contains(nameValue[0])) {
                parameters.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
            }
        }
        return parameters;
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
        if (capabilities.get().checksSha256()) {
            Map<String, String> otherChecksum = new HashMap<>(headers);
            otherChecksum.put("x-amz-checksum-sha256", sha256("something else".getBytes(StandardCharsets.UTF_8)));
            assertThat(put(url, otherChecksum, body).statusCode()).as("other checksum header").isEqualTo(403);
        }
        String otherKey = url.replace("/strict.txt?", "/elsewhere.txt?");
        assertThat(put(otherKey, headers, body).statusCode()).as("other key").isEqualTo(403);

        assertThatNoObject(started.getString("key"));
        assertThat(put(url, headers, body).statusCode()).as("the declared PUT still works").isEqualTo(200);
    }

    @Test
    void sameLengthTamperedBytesAreNeverListedOnAnyStore() throws Exception {
        byte[] declared = "the declared content".getBytes(StandardCharsets.UTF_8);
        byte[] tampered = "THE DECLARED CONTENT".getBytes(StandardCharsets.UTF_8);
        JsonPath started = start("alice", "tampered.txt", declared, "text/plain").then().statusCode(201).extract().jsonPath();
        int status = put(started.getString("put.url"), started.getMap("put.headers"), tampered).statusCode();
        if (capabilities.get().checksSha256()) {
            assertThat(status).as("the store checks the SHA-256 on arrival").isEqualTo(400);
            assertThatNoObject(started.getString("key"));
            return;
        }
        // A store that does not check checksums takes the bytes; Gatehouse reads them back and refuses to list them.
        assertThat(status).isEqualTo(200);
        String reason = given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(422).body("status", equalTo("rejected")).extract().jsonPath().getString("reason");
        assertThat(reason).startsWith("Content differs: reading the object back gave SHA-256 " + sha256(tampered))
                .contains(capabilities.get().readBackCause());
        assertThatNoObject(started.getString("key"));
        given().auth().oauth2(Tokens.of("alice")).queryParam("q", "tampered.txt").when().get("/api/items")
                .then().statusCode(200).body("items.findAll { it.title == 'tampered.txt' && it.ownerTeam == 'team-a' }.size()",
                        equalTo(0));
    }

    @Test
    void aMultipartUploadIsVerifiedAgainstTheDeclaredWholeFileSha256() throws Exception {
        byte[] file = randomBytes(70 * MIB, 1);
        JsonPath started = declare("bob", Map.of("filename", "big.bin", "size", file.length,
                "contentType", "application/octet-stream", "sha256", sha256(file)))
                .then().statusCode(201).body("multipart", equalTo(true)).extract().jsonPath();
        uploadParts("bob", started.getString("id"), file);
        long completing = System.nanoTime();
        JsonPath verified = given().auth().oauth2(Tokens.of("bob")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified")).extract().jsonPath();
        double seconds = (System.nanoTime() - completing) / 1e9;
        // A figure for the closing note, never asserted: completion = assemble the parts, HeadObject, read back 70 MiB.
        System.out.printf("VERIFY-FIGURES %s: multipart 70 MiB completed and read back in %.2f s (%.0f MiB/s)%n",
                getClass().getSimpleName(), seconds, 70 / seconds);
        assertThat(verified.getString("verification")).contains("reading the object back (multipart upload");
        given().auth().oauth2(Tokens.of("bob")).queryParam("q", "big.bin").get("/api/items").then().statusCode(200)
                .body("items.find { it.id == " + verified.getLong("itemId") + " }.integrity",
                        containsString("reading the object back"));

        // The same parts under a declaration of other bytes of the same size: assembled by the store, refused by Gatehouse.
        byte[] other = file.clone();
        other[other.length / 2] ^= 1;
        JsonPath lying = declare("bob", Map.of("filename", "big-2.bin", "size", file.length,
                "contentType", "application/octet-stream", "sha256", sha256(other)))
                .then().statusCode(201).extract().jsonPath();
        uploadParts("bob", lying.getString("id"), file);
        given().auth().oauth2(Tokens.of("bob")).when().post("/api/uploads/" + lying.getString("id") + "/complete")
                .then().statusCode(422).body("reason", containsString("Content differs: reading the object back gave SHA-256 "
                        + sha256(file)));
        assertThatNoObject(lying.getString("key"));
    }

    @Test
    void aMultipartUploadMayGiveItsSha256WithItsCompletionAndIsVerifiedAgainstIt() throws Exception {
        // The browser hashes a large file while its parts travel (no pass over the file before the first byte).
        byte[] file = randomBytes(65 * MIB, 3);
        JsonPath started = declare("bob", Map.of("filename", "late-hash.bin", "size", file.length,
                "contentType", "application/octet-stream"))
                .then().statusCode(201).body("multipart", equalTo(true)).extract().jsonPath();
        String id = started.getString("id");
        uploadParts("bob", id, file);
        given().auth().oauth2(Tokens.of("bob")).when().post("/api/uploads/" + id + "/complete")
                .then().statusCode(400).body("field", equalTo("sha256"));
        given().auth().oauth2(Tokens.of("bob")).queryParam("sha256", "not-a-digest").when().post("/api/uploads/" + id + "/complete")
                .then().statusCode(400).body("field", equalTo("sha256"));
        JsonPath verified = given().auth().oauth2(Tokens.of("bob")).queryParam("sha256", sha256(file))
                .when().post("/api/uploads/" + id + "/complete")
                .then().statusCode(200).body("status", equalTo("verified")).extract().jsonPath();
        assertThat(verified.getString("verification")).contains("reading the object back");

        // A late SHA-256 of other bytes: the object read back does not match, so it is refused and removed.
        byte[] other = file.clone();
        other[7] ^= 1;
        JsonPath lying = declare("bob", Map.of("filename", "late-hash-2.bin", "size", file.length,
                "contentType", "application/octet-stream")).then().statusCode(201).extract().jsonPath();
        uploadParts("bob", lying.getString("id"), file);
        given().auth().oauth2(Tokens.of("bob")).queryParam("sha256", sha256(other))
                .when().post("/api/uploads/" + lying.getString("id") + "/complete")
                .then().statusCode(422).body("reason", containsString("Content differs"));
        assertThatNoObject(lying.getString("key"));

        // A file sent in one PUT must declare it: the store checks the body against the checksum signed into the URL.
        var single = declare("bob", Map.of("filename", "small.txt", "size", 5, "contentType", "text/plain"));
        if (single.statusCode() == 201) {
            assertThat(single.jsonPath().getBoolean("multipart")).as("a store that takes every file in parts").isTrue();
        } else {
            single.then().statusCode(400).body("field", equalTo("sha256"));
        }
    }

    @Test
    void anExpiredPutIsRefused() throws Exception {
        byte[] body = "late".getBytes(StandardCharsets.UTF_8);
        String id = start("alice", "late.txt", body, "text/plain").then().statusCode(201).extract().jsonPath().getString("id");
        UploadService.SignedRequest signed = uploads.signPut(UploadSession.findById(UUID.fromString(id)), capabilities.get(),
                Duration.ofSeconds(1));

        Instant deadline = Instant.now().plusSeconds(15);
        HttpResponse<String> response = put(signed.url(), signed.headers(), body);
        while (response.statusCode() == 200 && Instant.now().isBefore(deadline)) {
            s3.deleteObject(r -> r.bucket(config.bucket()).key(UploadSession.<UploadSession>findById(UUID.fromString(id)).objectKey));
            response = put(signed.url(), signed.headers(), body);
        }
        assertThat(response.statusCode()).isEqualTo(403);
        // S3 and S3Proxy say the request expired; Ceph RGW answers a bare AccessDenied.
        assertThat(response.body()).containsAnyOf("expired", "<Code>AccessDenied</Code>");
    }

    @Test
    void aSignedPutLivesForItsSizeNotAFlatQuarterHour() {
        Instant before = Instant.now();
        JsonPath small = start("alice", "tiny.txt", "1 KB at most".getBytes(StandardCharsets.UTF_8), "text/plain")
                .then().statusCode(201).extract().jsonPath();
        // A minute to start sending plus the transfer at 1 MiB/s: about a minute for a tiny file.
        assertThat(Instant.parse(small.getString("put.expiresAt"))).isBetween(before.plusSeconds(55), Instant.now().plusSeconds(62));
        assertThat(small.getString("put.url")).containsPattern("X-Amz-Expires=(5[5-9]|6[0-2])&");
        JsonPath larger = declare("alice", Map.of("filename", "larger.bin", "size", 60 * MIB, "contentType",
                "application/octet-stream", "sha256", sha256(new byte[1]))).then().statusCode(201).extract().jsonPath();
        assertThat(larger.getString("put.url")).containsPattern("X-Amz-Expires=(11[0-9]|12[0-1])&");
        given().auth().oauth2(Tokens.of("alice")).delete("/api/uploads/" + small.getString("id")).then().statusCode(200);
        given().auth().oauth2(Tokens.of("alice")).delete("/api/uploads/" + larger.getString("id")).then().statusCode(200);
    }

    @Test
    void sseKmsHeadersAreSignedAndCompletionChecksWhatTheStoreStored() throws Exception {
        String slug = kmsTeam();
        byte[] body = ("encrypted " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        JsonPath started = declared("alice", slug, "secret.txt", body);
        String url = started.getString("put.url");
        Map<String, String> headers = started.getMap("put.headers");
        assertThat(headers).containsEntry("x-amz-server-side-encryption", "aws:kms")
                .containsEntry("x-amz-server-side-encryption-aws-kms-key-id", "gatehouse-test-key")
                .containsEntry("x-amz-server-side-encryption-bucket-key-enabled", "true");
        Map<String, String> unencrypted = new HashMap<>(headers);
        unencrypted.remove("x-amz-server-side-encryption");
        unencrypted.remove("x-amz-server-side-encryption-aws-kms-key-id");
        unencrypted.remove("x-amz-server-side-encryption-bucket-key-enabled");
        assertThat(put(url, unencrypted, body).statusCode()).as("a PUT without the signed SSE headers").isEqualTo(403);
        int status = put(url, headers, body).statusCode();
        if (status == 501) {
            // S3Proxy does not implement SSE-KMS: the store refuses the upload itself, and nothing is listed.
            given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                    .then().statusCode(422).body("status", equalTo("rejected"));
            assertThatNoObject(started.getString("key"));
            return;
        }
        assertThat(status).isEqualTo(200);
        String stored = s3.headObject(r -> r.bucket(config.bucket()).key(started.getString("key"))).serverSideEncryptionAsString();

        var completion = given().auth().oauth2(Tokens.of("alice")).when()
                .post("/api/uploads/" + started.getString("id") + "/complete").then().extract();
        if ("aws:kms".equals(stored)) {
            // Ceph RGW encrypts with its testing key.
            assertThat(completion.statusCode()).as(completion.asString()).isEqualTo(200);
            assertThat(completion.jsonPath().getString("status")).isEqualTo("verified");
        } else {
            // S3Proxy takes the header and stores the object unencrypted: never listed.
            assertThat(completion.statusCode()).isEqualTo(422);
            assertThat(completion.jsonPath().getString("reason")).contains("not encrypted as team policy requires");
            assertThatNoObject(started.getString("key"));
        }
    }

    @Test
    void anObjectEncryptedUnderAnotherKmsKeyIsNotListed() {
        String slug = kmsTeam();
        byte[] body = "under whose key?".getBytes(StandardCharsets.UTF_8);
        JsonPath started = declared("alice", slug, "other-key.txt", body);
        String key = started.getString("key");
        // Written around Gatehouse's signature, with everything right but the key.
        try {
            s3.putObject(r -> r.bucket(config.bucket()).key(key).contentType("text/plain")
                    .metadata(Map.of("upload-id", started.getString("id")))
                    .serverSideEncryption("aws:kms").ssekmsKeyId("gatehouse-other-key"), RequestBody.fromBytes(body));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(e.statusCode() != 501, "this store does not implement SSE-KMS");
            throw e;
        }
        String stored = s3.headObject(r -> r.bucket(config.bucket()).key(key)).ssekmsKeyId();

        given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(422).body("status", equalTo("rejected"))
                .body("reason", containsString(stored == null ? "not encrypted as team policy requires"
                        : "encrypted under KMS key gatehouse-other-key, not the team's key gatehouse-test-key"));
        assertThatNoObject(key);
        assertThat(Audit.lastReason(db, "alice", "UPLOAD_REJECTED")).isEqualTo("encryption_mismatch");
    }

    @Test
    void sseCIsRefusedWhileTheStoreIsReachedOverPlainHttp() {
        String slug = Fixtures.team(db, null, null);
        Fixtures.sql(db, "UPDATE team SET sse_mode = 'SSE_C' WHERE slug = ?", slug);
        Fixtures.writeGrant("USER", "alice", "teams/" + slug + "/");
        byte[] body = "a key over http?".getBytes(StandardCharsets.UTF_8);
        try {
            declare("alice", Map.of("team", slug, "filename", "own-key.txt", "size", body.length, "contentType", "text/plain",
                    "sha256", sha256(body), "sseCustomerKeyMd5", "1B2M2Y8AsgTpgAmY7PhCfg==", "contentMd5",
                    "1B2M2Y8AsgTpgAmY7PhCfg==")).then().statusCode(422).body("code", equalTo("sse_c_needs_https"))
                    .body("field", equalTo("sseMode")).body("message", containsString("needs https to the store"));
        } finally {
            // Other tests (the posture page) read which teams hold their own keys.
            Fixtures.sql(db, "UPDATE team SET sse_mode = 'DEFAULT' WHERE slug = ?", slug);
        }
    }

    /** A team whose uploads must be SSE-KMS under Ceph RGW's testing key, alice allowed to write there. */
    private String kmsTeam() {
        String slug = Fixtures.team(db, null, null);
        Fixtures.sql(db, "UPDATE team SET sse_mode = 'SSE_KMS', kms_key_id = 'gatehouse-test-key' WHERE slug = ?", slug);
        Fixtures.writeGrant("USER", "alice", "teams/" + slug + "/");
        return slug;
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
        // The audit row holds the code; the sentence is for the uploader.
        assertThat(Audit.lastReason(db, "alice", "UPLOAD_REJECTED")).isEqualTo("size_mismatch");
    }

    @Test
    void aCancelledUploadsUrlCannotLeaveAnObjectBehind() throws Exception {
        String slug = Fixtures.team(db, null, null);
        String writer = writerIn(slug);
        byte[] body = "written after the upload was cancelled".getBytes(StandardCharsets.UTF_8);
        JsonPath started = declared(writer, slug, "late.txt", body);
        given().auth().oauth2(Tokens.of(writer)).delete("/api/uploads/" + started.getString("id"))
                .then().statusCode(200).body("status", equalTo("aborted"));

        // The URL is still valid at the store: the object lands, but it is not listed, counts against the quota...
        assertThat(put(started.getString("put.url"), started.getMap("put.headers"), body).statusCode()).isEqualTo(200);
        assertThat(teamUsedBytes(slug)).isEqualTo(body.length);
        long removedBefore = Audit.count(db, "system", "UPLOAD_STRAY_REMOVED", "SUCCEEDED");
        // ...and the next cleanup run removes it.
        cleanup.cleanUp(Instant.now());
        assertThatNoObject(started.getString("key"));
        assertThat(Audit.count(db, "system", "UPLOAD_STRAY_REMOVED", "SUCCEEDED")).isEqualTo(removedBefore + 1);
        given().auth().oauth2(Tokens.of(writer)).post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(409).body("status", equalTo("aborted"));
    }

    @Test
    void cleanupRunningOnTwoReplicasAtOnceRemovesEachStrayObjectOnce() throws Exception {
        String slug = Fixtures.team(db, null, null);
        String writer = writerIn(slug);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] body = ("stray " + i).getBytes(StandardCharsets.UTF_8);
            JsonPath started = declared(writer, slug, "stray-" + i + ".txt", body);
            given().auth().oauth2(Tokens.of(writer)).delete("/api/uploads/" + started.getString("id")).then().statusCode(200);
            assertThat(put(started.getString("put.url"), started.getMap("put.headers"), body).statusCode()).isEqualTo(200);
            keys.add(started.getString("key"));
        }
        Instant now = Instant.now();
        concurrently(2, () -> {
            cleanup.cleanUp(now);
            return 0;
        });
        for (String key : keys) {
            assertThatNoObject(key);
        }
        assertThat(count("SELECT count(*) FROM audit_event WHERE action = 'UPLOAD_STRAY_REMOVED' AND resource LIKE ?",
                config.bucket() + "/teams/" + slug + "/%")).isEqualTo(3);
    }

    private long count(String sql, String parameter) {
        return Fixtures.number(db, sql, parameter);
    }

    @Test
    void aRejectedMultipartCompletionAbortsTheStoreUploadSoItsPartUrlsDie() throws Exception {
        byte[] part = randomBytes(16 * MIB, 2);
        JsonPath started = declare("bob", Map.of("filename", "half.bin", "size", 70L * MIB, "contentType",
                "application/octet-stream", "sha256", sha256(part))).then().statusCode(201).extract().jsonPath();
        String id = started.getString("id");
        List<Map<String, Object>> urls = signParts("bob", id, List.of(1, 2)).getList("");
        assertThat(put((String) urls.get(0).get("url"), Map.of(), part).statusCode()).isEqualTo(200);

        given().auth().oauth2(Tokens.of("bob")).post("/api/uploads/" + id + "/complete")
                .then().statusCode(422).body("reason", equalTo("The store holds 1 parts; 5 were expected."));
        assertThat(s3.listMultipartUploads(r -> r.bucket(config.bucket()).prefix(started.getString("key"))).uploads()).isEmpty();
        // S3 and RGW refuse a part of an aborted upload (NoSuchUpload); S3Proxy keeps it as a hidden file of its own,
        // which no request can turn into an object.
        assertThat(put((String) urls.get(1).get("url"), Map.of(), part).statusCode()).as("a part URL signed before")
                .isEqualTo(refusesPartsOfAbortedUploads() ? 404 : 200);
        assertThatNoObject(started.getString("key"));
    }

    /** What this store does with a part PUT for an aborted multipart upload; the subclass for another store says. */
    protected boolean refusesPartsOfAbortedUploads() {
        return false; // S3Proxy 4.0 (filesystem)
    }

    @Test
    void theCleanupJobAbortsAbandonedMultipartUploads() throws Exception {
        byte[] part = new byte[16 * MIB];
        JsonPath started = given().auth().oauth2(Tokens.of("bob")).contentType(ContentType.JSON)
                .body(Map.of("filename", "big.bin", "size", 70L * MIB, "contentType", "application/octet-stream",
                        "sha256", sha256(part)))
                .when().post("/api/uploads").then().statusCode(201).body("multipart", equalTo(true)).extract().jsonPath();
        String id = started.getString("id");
        String url = signParts("bob", id, List.of(1, 2)).getString("find { it.partNumber == 1 }.url");
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
    void aMultipartUploadNoUploadKnowsIsAbortedOnceItIsOlderThanAnyWindow() {
        String key = "teams/team-b/orphan-" + UUID.randomUUID() + "/big.bin";
        // As if a replica had opened it at the store and died before recording it.
        s3.createMultipartUpload(r -> r.bucket(config.bucket()).key(key));
        cleanup.cleanUp(Instant.now());
        assertThat(s3.listMultipartUploads(r -> r.bucket(config.bucket()).prefix(key)).uploads()).as("still young").hasSize(1);

        long aborted = Audit.count(db, "system", "UPLOAD_ORPHAN_ABORTED", "SUCCEEDED");
        cleanup.cleanUp(Instant.now().plus(Duration.ofHours(4)));
        assertThat(s3.listMultipartUploads(r -> r.bucket(config.bucket()).prefix(key)).uploads()).isEmpty();
        assertThat(Audit.count(db, "system", "UPLOAD_ORPHAN_ABORTED", "SUCCEEDED")).isGreaterThan(aborted);
    }

    @Test
    void aWriteGrantWithOneUseOpensExactlyOneUploadUnderConcurrency() throws Exception {
        String slug = Fixtures.team(db, null, null);
        String writer = "writer-" + UUID.randomUUID();
        Instant now = Instant.now();
        Fixtures.grant("USER", writer, "PREFIX", "teams/" + slug + "/", "WRITE", now.minusSeconds(60), now.plusSeconds(3600), 1);
        byte[] body = "one use".getBytes(StandardCharsets.UTF_8);
        Map<String, Object> declaration = Map.of("team", slug, "filename", "once.txt", "size", body.length,
                "contentType", "text/plain", "sha256", sha256(body));
        String token = Tokens.of(writer);
        List<Integer> statuses = concurrently(4, () -> given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(declaration).post("/api/uploads").statusCode());
        assertThat(statuses).containsOnlyOnce(201).containsOnly(201, 403);
        declare(writer, declaration).then().statusCode(403).body("code", equalTo("grant_used_up"));
        assertThat(Audit.count(db, writer, "UPLOAD_DENIED", "DENIED")).isEqualTo(4);
    }

    @Test
    void revokingAWriteGrantStopsPartSigningAndTheStoreUpload() throws Exception {
        String slug = Fixtures.team(db, null, null);
        String writer = "writer-" + UUID.randomUUID();
        long grant = Fixtures.writeGrant("USER", writer, "teams/" + slug + "/");
        JsonPath started = declare(writer, Map.of("team", slug, "filename", "big.bin", "size", 70L * MIB,
                "contentType", "application/octet-stream", "sha256", sha256(new byte[1]))).then().statusCode(201).extract().jsonPath();
        String id = started.getString("id");
        long batchesBefore = Audit.count(db, writer, "UPLOAD_PARTS_SIGNED", "ALLOWED");
        signParts(writer, id, List.of(1, 2));
        assertThat(Audit.count(db, writer, "UPLOAD_PARTS_SIGNED", "ALLOWED")).isEqualTo(batchesBefore + 1);
        assertThat(s3.listMultipartUploads(r -> r.bucket(config.bucket()).prefix(started.getString("key"))).uploads()).hasSize(1);

        Fixtures.revoke(grant);

        given().auth().oauth2(Tokens.of(writer)).contentType(ContentType.JSON).body(Map.of("partNumbers", List.of(3)))
                .post("/api/uploads/" + id + "/parts").then().statusCode(403).body("code", equalTo("grant_revoked"));
        assertThat(Audit.count(db, writer, "UPLOAD_PARTS_SIGNED", "ALLOWED")).isEqualTo(batchesBefore + 1);
        given().auth().oauth2(Tokens.of(writer)).get("/api/uploads").then()
                .body("find { it.id == '" + id + "' }.status", equalTo("rejected"));
        assertThat(s3.listMultipartUploads(r -> r.bucket(config.bucket()).prefix(started.getString("key"))).uploads()).isEmpty();
    }

    @Test
    void revokingAWriteGrantRefusesCompletionAndRemovesTheObject() throws Exception {
        String slug = Fixtures.team(db, null, null);
        String writer = "writer-" + UUID.randomUUID();
        long grant = Fixtures.writeGrant("USER", writer, "teams/" + slug + "/");
        byte[] body = "finished after the grant was revoked".getBytes(StandardCharsets.UTF_8);
        JsonPath started = declared(writer, slug, "late.txt", body);
        assertThat(put(started.getString("put.url"), started.getMap("put.headers"), body).statusCode()).isEqualTo(200);

        Fixtures.revoke(grant);

        given().auth().oauth2(Tokens.of(writer)).post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(403).body("status", equalTo("rejected"))
                .body("reason", containsString("revoked"));
        assertThatNoObject(started.getString("key"));
    }

    @Test
    void anUploadUnderAWriteGrantEndsWithTheGrantAndSoDoItsUrls() {
        String slug = Fixtures.team(db, null, null);
        String writer = "writer-" + UUID.randomUUID();
        Instant now = Instant.now();
        Instant grantEnds = now.plusSeconds(40).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Fixtures.grant("USER", writer, "PREFIX", "teams/" + slug + "/", "WRITE", now.minusSeconds(60), grantEnds, null);
        byte[] body = "short grant".getBytes(StandardCharsets.UTF_8);
        JsonPath started = declared(writer, slug, "short.txt", body);
        assertThat(Instant.parse(started.getString("expiresAt"))).isBeforeOrEqualTo(grantEnds);
        assertThat(Instant.parse(started.getString("put.expiresAt"))).isBeforeOrEqualTo(grantEnds);
        JsonPath multipart = declare(writer, Map.of("team", slug, "filename", "long.bin", "size", 70L * MIB,
                "contentType", "application/octet-stream", "sha256", sha256(body))).then().statusCode(201).extract().jsonPath();
        String partExpiry = signParts(writer, multipart.getString("id"), List.of(1)).getString("[0].expiresAt");
        assertThat(Instant.parse(partExpiry)).isBeforeOrEqualTo(grantEnds);
        abortAll(writer);
    }

    @Test
    void revokingAWriteGrantEndsItsOpenUploadsAtTheNextCleanup() throws Exception {
        String slug = Fixtures.team(db, null, null);
        String writer = "writer-" + UUID.randomUUID();
        long grant = Fixtures.writeGrant("USER", writer, "teams/" + slug + "/");
        byte[] body = "written, never completed".getBytes(StandardCharsets.UTF_8);
        JsonPath started = declared(writer, slug, "left.txt", body);
        assertThat(put(started.getString("put.url"), started.getMap("put.headers"), body).statusCode()).isEqualTo(200);

        Fixtures.revoke(grant);
        cleanup.cleanUp(Instant.now());

        given().auth().oauth2(Tokens.of(writer)).get("/api/uploads").then()
                .body("find { it.id == '" + started.getString("id") + "' }.status", equalTo("rejected"))
                .body("find { it.id == '" + started.getString("id") + "' }.reason", containsString("revoked"));
        assertThatNoObject(started.getString("key"));
    }

    @Test
    void theCleanupLeavesAVerificationInProgressAloneUntilItIsStale() {
        byte[] body = "being verified".getBytes(StandardCharsets.UTF_8);
        String id = start("alice", "verifying.txt", body, "text/plain").then().statusCode(201).extract().jsonPath().getString("id");
        // As if a completion had claimed it just now, as the window ended.
        Fixtures.sql(db, "UPDATE upload_session SET status = 'VERIFYING', verifying_since = now(), expires_at = now() - interval '1 minute' WHERE id = ?::uuid", id);
        cleanup.cleanUp(Instant.now());
        assertThat(status("alice", id)).isEqualTo("verifying");
        // A claim no replica has renewed for longer than VerificationClaims.STALE was lost.
        Fixtures.sql(db, "UPDATE upload_session SET verifying_since = now() - interval '1 hour' WHERE id = ?::uuid", id);
        cleanup.cleanUp(Instant.now());
        assertThat(status("alice", id)).isEqualTo("expired");
    }

    @Test
    void aVerificationStillRunningKeepsItsClaimAndOneWhoseReplicaStoppedLosesIt() {
        byte[] body = "claimed".getBytes(StandardCharsets.UTF_8);
        String running = start("alice", "running.txt", body, "text/plain").then().statusCode(201).extract().jsonPath().getString("id");
        String stopped = start("alice", "stopped.txt", body, "text/plain").then().statusCode(201).extract().jsonPath().getString("id");
        // Both claimed two minutes ago, as their windows ended; only the first is still being verified here.
        for (String id : List.of(running, stopped)) {
            Fixtures.sql(db, "UPDATE upload_session SET status = 'VERIFYING', verifying_since = now() - interval '2 minutes', "
                    + "expires_at = now() - interval '1 minute' WHERE id = ?::uuid", id);
        }
        claims.running(UUID.fromString(running));
        try {
            claims.renew();
            cleanup.cleanUp(Instant.now());
        } finally {
            claims.ended(UUID.fromString(running));
        }
        assertThat(status("alice", running)).isEqualTo("verifying");
        assertThat(status("alice", stopped)).isEqualTo("expired");
    }

    @Test
    void aClaimThatCouldNotBeGivenBackIsGivenBackByTheNextHeartbeat() {
        byte[] body = "released later".getBytes(StandardCharsets.UTF_8);
        String id = start("alice", "released.txt", body, "text/plain").then().statusCode(201).extract().jsonPath().getString("id");
        // As left by a completion whose verdict, and then whose release, the database refused (it was away).
        Fixtures.sql(db, "UPDATE upload_session SET status = 'VERIFYING', verifying_since = now() WHERE id = ?::uuid", id);
        claims.releaseLater(UUID.fromString(id));
        claims.renew();
        assertThat(status("alice", id)).isEqualTo("pending");
        abortAll("alice");
    }

    private static String status(String user, String id) {
        return given().auth().oauth2(Tokens.of(user)).get("/api/uploads").jsonPath().getString("find { it.id == '" + id + "' }.status");
    }

    @Test
    void theFirstUploadsAfterAStartAllWaitForTheStoresProbeInsteadOfBeingRefused() throws Exception {
        capabilities.forget();
        List<Integer> answers = concurrently(8, () -> capabilities.get() == null ? 0 : 1);
        assertThat(answers).containsOnly(1).hasSize(8);
    }

    @Test
    void theQuotaHoldsUnderConcurrentDeclarations() throws Exception {
        long gib = 1L << 30;
        String slug = Fixtures.team(db, 50 * gib, 1000);
        // Eight writers, so that only the team's lock (not one user's) stands between the declarations.
        List<String> writers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            writers.add(writerIn(slug));
        }
        Map<String, Object> fiveGib = Map.of("team", slug, "filename", "huge.bin", "size", 5 * gib,
                "contentType", "application/octet-stream", "sha256", sha256(new byte[1]));
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<Integer> statuses = concurrently(40, () -> given().auth().oauth2(Tokens.of(writers.get(next.getAndIncrement() % 8)))
                .contentType(ContentType.JSON).body(fiveGib).post("/api/uploads").statusCode());
        assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(10);
        assertThat(statuses).containsOnly(201, 413);
        assertThat(teamUsedBytes(slug)).isEqualTo(50 * gib);
        // One UPLOAD_STARTED row per upload started: a refused declaration's row went with its rollback.
        assertThat(Fixtures.number(db, "SELECT count(*) FROM audit_event WHERE action = 'UPLOAD_STARTED' AND resource LIKE ?",
                "%/teams/" + slug + "/%")).isEqualTo(10L);
        writers.forEach(this::abortAll);
        // Cancelled before any part URL was signed, nothing can write there: they hold nothing any more.
        assertThat(teamUsedBytes(slug)).isZero();
        assertThat(Fixtures.number(db, "SELECT open_reserved_bytes FROM team WHERE slug = ?", slug)).isZero();
    }

    @Test
    void aDeclarationThatWaitedForItsTeamCountsTheUploadThatEndedMeanwhile() throws Exception {
        String slug = Fixtures.team(db, 100L, null);
        String first = writerIn(slug);
        String second = writerIn(slug);
        JsonPath ending = declared(first, slug, "ending.txt", new byte[60]);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection replica = db.getConnection()) {
            // Another replica ends that upload while it holds the team's row. A URL signed for it may write for an
            // hour yet, so its 60 bytes stay reserved: no longer open, but lingering.
            replica.setAutoCommit(false);
            holdTeam(replica, slug);
            try (var end = replica.prepareStatement("UPDATE upload_session SET status = 'ABORTED', completed_at = now(), "
                    + "linger_until = now() + interval '1 hour' WHERE id = ?::uuid")) {
                end.setString(1, ending.getString("id"));
                assertThat(end.executeUpdate()).isEqualTo(1);
            }
            Future<Integer> declaration = pool.submit(() -> declare(second, Map.of("team", slug, "filename", "more.txt",
                    "size", 50, "contentType", "text/plain", "sha256", sha256(new byte[50]))).statusCode());
            Fixtures.awaitWaitingFor(db, "%FROM team%FOR NO KEY UPDATE");
            replica.commit();
            // 60 still reserved + 50 > 100. A check whose snapshot predates the commit saw neither 60 (open, then not).
            assertThat(declaration.get(30, TimeUnit.SECONDS)).isEqualTo(413);
        } finally {
            pool.shutdownNow();
        }
        abortAll(second);
    }

    /**
     * An upload that ends moves its team's counters, then its user's (the triggers at commit, V19 and V21). A
     * declaration takes the two in the same order, so one that waits for the team's row holds nothing the ending
     * upload needs next: no deadlock (PostgreSQL would have broken it after a second by failing one of them).
     */
    @Test
    void aDeclarationWaitingForItsTeamHoldsNothingAnEndingUploadOfTheSameUserNeeds() throws Exception {
        String slug = Fixtures.team(db, null, null);
        String writer = writerIn(slug);
        declared(writer, slug, "first.txt", new byte[10]); // the user's row exists
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection replica = db.getConnection()) {
            // Another replica commits the end of one of the writer's uploads: the team's counter first...
            replica.setAutoCommit(false);
            try (var team = replica.prepareStatement("UPDATE team SET open_reserved_bytes = open_reserved_bytes WHERE slug = ?");
                    var user = replica.prepareStatement("UPDATE upload_user SET open_uploads = open_uploads WHERE user_id = ?")) {
                team.setString(1, slug);
                assertThat(team.executeUpdate()).isEqualTo(1);
                Future<Integer> declaration = pool.submit(() -> declare(writer, Map.of("team", slug, "filename", "second.txt",
                        "size", 10, "contentType", "text/plain", "sha256", sha256(new byte[10]))).statusCode());
                Fixtures.awaitWaitingFor(db, "%FROM team%FOR NO KEY UPDATE");
                // ...then the user's, while the declaration waits for the team.
                user.setString(1, writer);
                assertThat(user.executeUpdate()).isEqualTo(1);
                replica.commit();
                assertThat(declaration.get(30, TimeUnit.SECONDS)).isEqualTo(201);
            }
        } finally {
            pool.shutdownNow();
        }
        abortAll(writer);
    }

    /**
     * The cleanup job ends uploads of several teams in one transaction, and at its commit their counters move: team,
     * user, team, user. Declarations on two other replicas hold the two teams. The one the job waits for first ends;
     * the other then wants the user. The job takes every team before any user, so it waits for that declaration
     * holding no user, and both go through (before, it held the user by then, and PostgreSQL broke the cycle after a
     * second by failing the job). Whichever team the job reaches first, the cycle is the same.
     */
    @Test
    void theCleanupJobWaitingForATeamHoldsNoUserADeclarationNeeds() throws Exception {
        String first = Fixtures.team(db, null, null);
        String second = Fixtures.team(db, null, null);
        String writer = writerIn(first);
        Fixtures.writeGrant("USER", writer, "teams/" + second + "/");
        String inFirst = declared(writer, first, "first.txt", new byte[10]).getString("id");
        String inSecond = declared(writer, second, "second.txt", new byte[10]).getString("id");
        assertThat(Fixtures.sql(db, "UPDATE upload_session SET expires_at = now() - interval '1 minute' "
                + "WHERE id IN (?::uuid, ?::uuid)", inFirst, inSecond)).isEqualTo(2);
        String blockingTheJob = "SELECT coalesce(max(blocker), 0) FROM pg_stat_activity, unnest(pg_blocking_pids(pid)) blocker "
                + "WHERE blocker IN (?, ?)";
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection one = db.getConnection(); Connection other = db.getConnection()) {
            one.setAutoCommit(false);
            other.setAutoCommit(false);
            holdTeam(one, first);
            holdTeam(other, second);
            Map<Long, Connection> replicas = Map.of(pid(one), one, pid(other), other);
            Long[] pids = replicas.keySet().toArray(Long[]::new);
            Future<Integer> job = pool.submit(() -> cleanup.cleanUp(Instant.now()));
            Fixtures.awaitPositive(db, 20, "the cleanup job never waited for a declaration's team", blockingTheJob, pids[0], pids[1]);
            long waitedFirst = Fixtures.number(db, blockingTheJob, pids[0], pids[1]);
            replicas.get(waitedFirst).commit();
            long still = pids[0] == waitedFirst ? pids[1] : pids[0];
            Fixtures.awaitPositive(db, 20, "the cleanup job never waited for the other declaration's team",
                    "SELECT count(*) FROM pg_stat_activity WHERE CAST(? AS integer) = ANY(pg_blocking_pids(pid))", still);
            try (var user = replicas.get(still).prepareStatement("UPDATE upload_user SET open_uploads = open_uploads WHERE user_id = ?")) {
                user.setString(1, writer);
                assertThat(user.executeUpdate()).isEqualTo(1);
            }
            replicas.get(still).commit();
            job.get(30, TimeUnit.SECONDS); // throws what the job threw (before: deadlock detected)
        } finally {
            pool.shutdownNow();
        }
        assertThat(Fixtures.number(db, "SELECT count(*) FROM upload_session WHERE id IN (?::uuid, ?::uuid) AND status = 'EXPIRED'",
                inFirst, inSecond)).isEqualTo(2L);
        assertThat(Fixtures.number(db, "SELECT open_uploads FROM upload_user WHERE user_id = ?", writer)).isZero();
    }

    /**
     * A replica decides only a few declarations into one team at once (gatehouse.uploads.declarations); the others
     * wait their turn in the app, holding no connection, instead of queueing on the team row's lock, and go through once
     * it is free. A refused declaration gives its turn back, and a busy team does not hold up another team's.
     */
    @Test
    void aReplicaDecidesAFewDeclarationsIntoATeamAtOnceAndTheOthersWaitTheirTurn() throws Exception {
        String slug = Fixtures.team(db, null, null);
        int atOnce = uploadConfig.declarations();
        int declarations = atOnce + 2;
        List<String> writers = new ArrayList<>();
        for (int i = 0; i < declarations; i++) {
            writers.add(writerIn(slug));
        }
        for (int i = 0; i < declarations; i++) {
            declare(writers.get(i), Map.of("team", slug, "filename", "refused.exe", "size", 10,
                    "contentType", "application/x-msdownload", "sha256", sha256(new byte[10]))).then().statusCode(415);
        }
        String other = Fixtures.team(db, null, null);
        while (UploadService.turnsOf(other) == UploadService.turnsOf(slug)) {
            other = Fixtures.team(db, null, null); // a team whose declarations take other turns
        }
        String elsewhere = writerIn(other);
        String teamLock = "%FROM team WHERE slug = $1 FOR NO KEY UPDATE";
        ExecutorService pool = Executors.newFixedThreadPool(declarations);
        try (Connection replica = db.getConnection()) {
            replica.setAutoCommit(false);
            holdTeam(replica, slug);
            List<Future<Integer>> started = new ArrayList<>();
            for (String writer : writers) {
                started.add(pool.submit(() -> declare(writer, Map.of("team", slug, "filename", "turn.txt", "size", 10,
                        "contentType", "text/plain", "sha256", sha256(new byte[10]))).statusCode()));
            }
            Fixtures.await(20, "the declarations did not all arrive",
                    () -> Fixtures.waitingFor(db, teamLock) == atOnce && waitingTheirTurn() == 2);
            declared(elsewhere, other, "elsewhere.txt", new byte[10]);
            // The two waiting their turn cannot reach the database while the others hold every turn.
            assertThat(Fixtures.waitingFor(db, teamLock)).isEqualTo(atOnce);
            replica.commit();
            for (Future<Integer> status : started) {
                assertThat(status.get(30, TimeUnit.SECONDS)).isEqualTo(201);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(waitingTheirTurn()).isZero();
        writers.forEach(this::abortAll);
        abortAll(elsewhere);
    }

    private static long pid(Connection connection) throws java.sql.SQLException {
        try (var self = connection.prepareStatement("SELECT pg_backend_pid()"); var row = self.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Locks the team's row on {@code replica} (in a transaction) as another replica's declaration would. */
    private static void holdTeam(Connection replica, String slug) throws java.sql.SQLException {
        try (var lock = replica.prepareStatement("SELECT 1 FROM team WHERE slug = ? FOR NO KEY UPDATE")) {
            lock.setString(1, slug);
            lock.executeQuery().close();
        }
    }

    private long waitingTheirTurn() {
        return (long) registry.get("gatehouse.upload.declarations.waiting").gauge().value();
    }

    @Test
    void theTeamRowsCountOfOpenUploadsFollowsEveryWayAnUploadEnds() throws Exception {
        String slug = Fixtures.team(db, null, null);
        String writer = writerIn(slug);
        byte[] body = "counted while open".getBytes(StandardCharsets.UTF_8);
        JsonPath verified = declared(writer, slug, "verified.txt", body);
        JsonPath cancelled = declared(writer, slug, "cancelled.txt", body);
        JsonPath expired = declared(writer, slug, "expired.txt", body);
        declared(writer, slug, "still-open.txt", body);
        String openSum = "SELECT coalesce(sum(declared_size), 0) FROM upload_session WHERE team_slug = ? AND status IN ('PENDING', 'VERIFYING')";
        String counted = "SELECT open_reserved_bytes FROM team WHERE slug = ?";
        assertThat(Fixtures.number(db, counted, slug)).isEqualTo(4L * body.length).isEqualTo(Fixtures.number(db, openSum, slug));
        String userOpen = "SELECT count(*) FROM upload_session WHERE user_id = ? AND status IN ('PENDING', 'VERIFYING')";
        String userCounted = "SELECT open_uploads FROM upload_user WHERE user_id = ?";
        assertThat(Fixtures.number(db, userCounted, writer)).isEqualTo(4L).isEqualTo(Fixtures.number(db, userOpen, writer));

        assertThat(put(verified.getString("put.url"), verified.getMap("put.headers"), body).statusCode()).isEqualTo(200);
        given().auth().oauth2(Tokens.of(writer)).post("/api/uploads/" + verified.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified"));
        given().auth().oauth2(Tokens.of(writer)).delete("/api/uploads/" + cancelled.getString("id")).then().statusCode(200);
        Fixtures.sql(db, "UPDATE upload_session SET expires_at = now() - interval '1 minute' WHERE id = ?::uuid", expired.getString("id"));
        cleanup.cleanUp(Instant.now());
        assertThat(Fixtures.number(db, "SELECT count(*) FROM upload_session WHERE id = ?::uuid AND status = 'EXPIRED'",
                expired.getString("id"))).isEqualTo(1);

        assertThat(Fixtures.number(db, counted, slug)).isEqualTo((long) body.length).isEqualTo(Fixtures.number(db, openSum, slug));
        assertThat(Fixtures.number(db, userCounted, writer)).isEqualTo(1L).isEqualTo(Fixtures.number(db, userOpen, writer));
        // The verified file counts as stored, the two ended ones while their URLs may still write, and the open one.
        assertThat(teamUsedBytes(slug)).isEqualTo(4L * body.length);
        abortAll(writer);
        assertThat(Fixtures.number(db, counted, slug)).isZero();
        assertThat(Fixtures.number(db, userCounted, writer)).isZero();
    }

    @Test
    void theInFlightLimitPerUserHoldsUnderConcurrency() throws Exception {
        String slug = Fixtures.team(db, null, 3);
        String writer = writerIn(slug);
        String token = Tokens.of(writer);
        byte[] body = "small".getBytes(StandardCharsets.UTF_8);
        Map<String, Object> small = Map.of("team", slug, "filename", "s.txt", "size", body.length,
                "contentType", "text/plain", "sha256", sha256(body));
        List<Integer> statuses = concurrently(12, () -> given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(small).post("/api/uploads").statusCode());
        assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(3);
        assertThat(statuses).containsOnly(201, 429);
        // An ended upload frees its place at once.
        abortAll(writer);
        List<Integer> again = concurrently(12, () -> given().auth().oauth2(token).contentType(ContentType.JSON)
                .body(small).post("/api/uploads").statusCode());
        assertThat(again.stream().filter(s -> s == 201).count()).isEqualTo(3);
        abortAll(writer);
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

    /** A text file declared into a team's space (201), as the Upload page would. */
    private JsonPath declared(String user, String team, String filename, byte[] body) {
        return declare(user, Map.of("team", team, "filename", filename, "size", body.length, "contentType", "text/plain",
                "sha256", sha256(body))).then().statusCode(201).extract().jsonPath();
    }

    private io.restassured.response.Response declare(String user, Map<String, Object> declaration) {
        return given().auth().oauth2(Tokens.of(user)).contentType(ContentType.JSON).body(declaration).when().post("/api/uploads");
    }

    private static JsonPath signParts(String user, String id, List<Integer> parts) {
        return given().auth().oauth2(Tokens.of(user)).contentType(ContentType.JSON).body(Map.of("partNumbers", parts))
                .when().post("/api/uploads/" + id + "/parts").then().log().ifValidationFails().statusCode(200).extract().jsonPath();
    }

    /** Uploads a file's parts through the part URLs Gatehouse signs, as the browser does. */
    private static void uploadParts(String user, String id, byte[] file) throws Exception {
        int partSize = 16 * MIB;
        int parts = (file.length + partSize - 1) / partSize;
        List<Integer> numbers = new ArrayList<>();
        for (int n = 1; n <= parts; n++) {
            numbers.add(n);
        }
        for (Map<String, Object> part : signParts(user, id, numbers).<Map<String, Object>>getList("")) {
            int number = (Integer) part.get("partNumber");
            int from = (number - 1) * partSize;
            byte[] bytes = java.util.Arrays.copyOfRange(file, from, Math.min(file.length, from + partSize));
            assertThat(put((String) part.get("url"), Map.of(), bytes).statusCode()).as("part " + number).isEqualTo(200);
        }
    }

    private void abortAll(String user) {
        for (String id : given().auth().oauth2(Tokens.of(user)).get("/api/uploads").jsonPath().<String>getList("findAll { it.status == 'pending' }.id")) {
            given().auth().oauth2(Tokens.of(user)).delete("/api/uploads/" + id).then().statusCode(200);
        }
    }

    /** A new user who may write into the team's space (a WRITE grant on its prefix). */
    private static String writerIn(String slug) {
        String writer = "writer-" + UUID.randomUUID();
        Fixtures.writeGrant("USER", writer, "teams/" + slug + "/");
        return writer;
    }

    private static long teamUsedBytes(String slug) {
        return given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/teams").then().statusCode(200)
                .extract().jsonPath().getLong("find { it.slug == '" + slug + "' }.usedBytes");
    }

    private static List<Integer> concurrently(int calls, java.util.concurrent.Callable<Integer> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                futures.add(pool.submit(call));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> future : futures) {
                statuses.add(future.get());
            }
            return statuses;
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertThatNoObject(String key) {
        assertThat(Fixtures.objectExists(s3, config.bucket(), key)).as("object still there: " + key).isFalse();
    }

    static byte[] randomBytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
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
