package io.gatehouse.posture;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Audit;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The posture page against a real store, on a bucket of its own (applying versioning must not change the bucket the
 * other tests use). Every assertion is about what the store did — the states differ per store, and the tests accept
 * only the state that matches the store's own answer.
 */
@QuarkusTest
@TestProfile(PostureTest.OwnBucket.class)
class PostureTest {

    public static class OwnBucket implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return SETTINGS;
        }
    }

    /** A bucket of its own, and a KMS budget small enough to reach (3 SSE-KMS URLs a minute). */
    static final Map<String, String> SETTINGS = Map.of("gatehouse.s3.bucket", "gatehouse-posture",
            "gatehouse.kms.budget", "3", "gatehouse.kms.budget-window", "PT1M");

    private static final List<String> CONTROLS = List.of("default-encryption", "sse-c", "client-side-encryption", "tls-only-policy", "block-public-access",
            "versioning", "mfa-delete", "access-logging", "cors", "kms-budget");

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Inject
    DataSource db;

    @Test
    void everyControlHasAStateAndTheProbesSayWhatTheStoreDid() {
        JsonPath posture = posture();
        System.out.println("POSTURE-SNAPSHOT " + getClass().getSimpleName() + " " + posture.prettify());

        assertThat(posture.getString("bucket")).isEqualTo(config.bucket());
        assertThat(posture.getList("controls.id")).containsExactlyElementsOf(CONTROLS);
        assertThat(posture.getList("controls.state", String.class))
                .allSatisfy(state -> assertThat(state).isIn("OK", "MISSING", "DRIFT", "NOT_ENFORCED", "NOT_SUPPORTED", "ERROR"));
        // An anonymous request for the probe object is refused by both stores: nothing here is public.
        assertThat(control(posture, "block-public-access").getString("probe.answer")).isEqualTo("HTTP 403");
        assertThat(control(posture, "block-public-access").getString("state")).isNotEqualTo("NOT_ENFORCED");
        // The probe objects are gone again.
        assertThat(s3.listObjectsV2(r -> r.bucket(config.bucket()).prefix(".gatehouse/probes/posture-")).keyCount()).isZero();
    }

    @Test
    void theTlsOnlyPolicyIsRefusedWhileGatehouseReachesTheStoreOverPlainHttp() {
        String before = policy();
        var plan = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).when().get("/api/admin/posture/tls-only-policy/plan")
                .then().statusCode(200).extract().jsonPath();
        assertThat(plan.getString("refusal")).contains("plain http");
        assertThat(plan.getString("after")).contains("GatehouseDenyInsecureTransport");

        given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).when().post("/api/admin/posture/tls-only-policy/apply")
                .then().statusCode(409).body("code", equalTo("would_lock_out")).body("message", containsString("plain http"));
        assertThat(policy()).isEqualTo(before);
    }

    @Test
    void defaultEncryptionIsAppliedWhereTheStoreTakesItAndTheProbeSaysWhatItStored() {
        JsonPath before = control(posture(), "default-encryption");
        assertThat(before.getString("desired.algorithm")).isEqualTo("AES256");
        long failedBefore = Audit.count(db, Fixtures.ADMIN, "POSTURE_APPLIED", "FAILED");
        var answer = given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).when()
                .post("/api/admin/posture/default-encryption/apply").then().extract();
        if ("NOT_SUPPORTED".equals(before.getString("state"))) {
            // S3Proxy has no bucket encryption API: said so, audited.
            assertThat(answer.statusCode()).isEqualTo(409);
            assertThat(answer.jsonPath().getString("code")).isEqualTo("not_supported");
            assertThat(Audit.count(db, Fixtures.ADMIN, "POSTURE_APPLIED", "FAILED")).isEqualTo(failedBefore + 1);
            return;
        }
        if (answer.statusCode() == 409) {
            // Ceph RGW 16 without an SSE-S3 backend refuses the rule (InvalidArgument): nothing changed, audited.
            assertThat(answer.jsonPath().getString("code")).isEqualTo("store_refused");
            assertThat(answer.jsonPath().getString("message")).contains("Nothing was changed");
            assertThat(Audit.count(db, Fixtures.ADMIN, "POSTURE_APPLIED", "FAILED")).isEqualTo(failedBefore + 1);
            assertThat(control(posture(), "default-encryption").getString("state")).isEqualTo(before.getString("state"));
            return;
        }
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
        JsonPath after = control(answer.jsonPath(), "default-encryption");
        // The rule is in place; whether the store encrypts by it is what the probe saw.
        assertThat(after.getString("current.algorithm")).isEqualTo("AES256");
        assertThat(after.getString("state")).isEqualTo(after.getString("probe.answer").contains("AES256") ? "OK" : "NOT_ENFORCED");
    }

    @Test
    void sseCIsShownAsTheStoreCanBlockItAndNoKeyGoesOverPlainHttp() {
        JsonPath sseC = control(posture(), "sse-c");
        assertThat(sseC.getString("desired.blockedEncryptionTypes")).contains("SSE-C");
        assertThat(sseC.getString("desired.teams")).as("no team holds its own key").isNull();
        // Both test stores are reached over http: no customer key is sent, and neither can block SSE-C.
        assertThat(sseC.getString("probe.answer")).startsWith("not tried: Gatehouse sends SSE-C keys only over https");
        assertThat(sseC.getString("state")).isIn("NOT_SUPPORTED", "ERROR");
    }

    @Test
    void aPolicyOrAnAclThatMakesTheBucketPublicIsFlaggedWhateverTheStore() {
        String publicRead = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"EveryoneReads\",\"Effect\":\"Allow\","
                + "\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + config.bucket() + "/*\"}]}";
        boolean policySet = took(() -> s3.putBucketPolicy(r -> r.bucket(config.bucket()).policy(publicRead)));
        boolean aclSet = took(() -> s3.putBucketAcl(r -> r.bucket(config.bucket()).acl("public-read")));
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(policySet || aclSet, "this store takes neither policies nor ACLs");
            JsonPath block = control(posture(), "block-public-access");
            List<String> grants = block.getList("current.publicGrants", String.class);
            if (policySet) {
                assertThat(grants).anyMatch(grant -> grant.contains("EveryoneReads allows everyone"));
            }
            if (aclSet) {
                assertThat(grants).anyMatch(grant -> grant.contains("ACL grants READ to everyone"));
            }
            assertThat(block.getString("summary")).containsAnyOf("made public by", "WITHOUT credentials", "block overrides");
            if (block.getString("probe.answer").startsWith("HTTP 200")) {
                assertThat(block.getString("state")).isEqualTo("NOT_ENFORCED");
            }
        } finally {
            took(() -> s3.putBucketAcl(r -> r.bucket(config.bucket()).acl("private")));
            took(() -> s3.deleteBucketPolicy(r -> r.bucket(config.bucket())));
        }
    }

    private static boolean took(Runnable call) {
        try {
            call.run();
            return true;
        } catch (S3Exception refused) {
            return false;
        }
    }

    @Test
    void applyingNeedsAFreshSignIn() {
        given().auth().oauth2(Tokens.passwordGrant(Fixtures.ADMIN)).when().post("/api/admin/posture/versioning/apply")
                .then().statusCode(401).body("code", equalTo("step_up_required"));
        given().auth().oauth2(Tokens.of("alice")).when().get("/api/admin/posture").then().statusCode(403);
    }

    @Test
    void versioningIsAppliedWhereTheStoreHasItAndProvedByKeepingTwoVersions() {
        String before = control(posture(), "versioning").getString("state");
        long failedBefore = Audit.count(db, Fixtures.ADMIN, "POSTURE_APPLIED", "FAILED");
        var answer = given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).when().post("/api/admin/posture/versioning/apply")
                .then().extract();
        if ("NOT_SUPPORTED".equals(before)) {
            assertThat(answer.statusCode()).isEqualTo(409);
            assertThat(answer.jsonPath().getString("code")).isEqualTo("not_supported");
            assertThat(Audit.count(db, Fixtures.ADMIN, "POSTURE_APPLIED", "FAILED")).isEqualTo(failedBefore + 1);
            return;
        }
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonPath versioning = control(answer.jsonPath(), "versioning");
        assertThat(versioning.getString("state")).isEqualTo("OK");
        assertThat(versioning.getString("probe.answer")).isEqualTo("2 versions kept");
        assertThat(s3.getBucketVersioning(r -> r.bucket(config.bucket())).statusAsString()).isEqualTo("Enabled");
        assertThat(Audit.lastReason(db, Fixtures.ADMIN, "POSTURE_APPLIED")).isNull();
        assertThat(s3.listObjectVersions(r -> r.bucket(config.bucket()).prefix(".gatehouse/probes/versions-")).versions())
                .as("the probe removed its versions").isEmpty();
    }

    @Test
    void thePublicAccessBlockIsAppliedOnlyWhereGatehouseCanStillWriteAfterwards() {
        String before = control(posture(), "block-public-access").getString("state");
        var answer = given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).when()
                .post("/api/admin/posture/block-public-access/apply").then().extract();
        if ("NOT_SUPPORTED".equals(before)) {
            assertThat(answer.statusCode()).isEqualTo(409);
            assertThat(answer.jsonPath().getString("code")).isEqualTo("not_supported");
            return;
        }
        if (answer.statusCode() == 409) {
            // The store took the block and then refused Gatehouse's own writes (Ceph RGW 16): rolled back, said so.
            assertThat(answer.jsonPath().getString("code")).isEqualTo("would_lock_out");
            assertThat(answer.jsonPath().getString("message")).contains("refused Gatehouse's own writes");
            assertThat(Audit.lastReason(db, Fixtures.ADMIN, "POSTURE_APPLIED")).isEqualTo("would_lock_out");
            assertThat(control(posture(), "default-encryption").getString("probe.answer"))
                    .as("Gatehouse writes again").doesNotContain("could not be written");
            return;
        }
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonPath block = control(answer.jsonPath(), "block-public-access");
        assertThat(block.getString("state")).isEqualTo("OK");
        assertThat(block.getString("probe.answer")).isEqualTo("HTTP 403");
        var stored = s3.getPublicAccessBlock(r -> r.bucket(config.bucket())).publicAccessBlockConfiguration();
        assertThat(List.of(stored.blockPublicAcls(), stored.ignorePublicAcls(), stored.blockPublicPolicy(),
                stored.restrictPublicBuckets())).containsOnly(true);
    }

    @Test
    void sseKmsUrlsPastTheBudgetAreRefusedWith429AndTheBudgetShowsOnThePostureRow() throws Exception {
        String slug = Fixtures.team(db, null, null);
        Fixtures.sql(db, "UPDATE team SET sse_mode = 'SSE_KMS', kms_key_id = 'alias/gatehouse-test' WHERE slug = ?", slug);
        Fixtures.writeGrant("USER", "alice", "teams/" + slug + "/");
        byte[] body = "kms".getBytes(StandardCharsets.UTF_8);
        String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        long deniedBefore = Audit.count(db, "alice", "UPLOAD_DENIED", "DENIED");
        for (int i = 0; i < 3; i++) {
            declare(slug, "kms-" + i + ".txt", body.length, sha).then().statusCode(201);
        }

        var refused = declare(slug, "kms-3.txt", body.length, sha).then().statusCode(429)
                .body("code", equalTo("kms_budget")).extract();
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 61L);
        assertThat(Audit.count(db, "alice", "UPLOAD_DENIED", "DENIED")).isEqualTo(deniedBefore + 1);
        assertThat(Audit.lastReason(db, "alice", "UPLOAD_DENIED")).isEqualTo("kms_budget");

        JsonPath budget = control(posture(), "kms-budget");
        assertThat(budget.getString("state")).isEqualTo("DRIFT");
        assertThat(budget.getInt("current.usedThisWindow")).isEqualTo(3);
        assertThat(budget.getList("current.sseKmsTeams")).contains(slug);
    }

    @Test
    void theStoreIsAskedWhetherTheNewestClientEncryptedFileReallyIsCiphertext() throws Exception {
        String slug = Fixtures.team(db, null, null);
        Fixtures.sql(db, "UPDATE team SET client_side_encryption = true WHERE slug = ?", slug);
        Fixtures.writeGrant("USER", "alice", "teams/" + slug + "/");

        uploadDeclaredAsEncrypted(slug, "GHCSE1\0\0 ciphertext from a browser".getBytes(StandardCharsets.ISO_8859_1));
        JsonPath encrypted = control(posture(), "client-side-encryption");
        assertThat(encrypted.getList("current.teams")).contains(slug);
        assertThat(encrypted.getString("state")).isEqualTo("OK");
        assertThat(encrypted.getString("probe.answer")).startsWith("ciphertext");

        // A client that declares encryption and sends the file in the clear: Gatehouse cannot see inside at upload,
        // but the posture check looks at what the store holds.
        uploadDeclaredAsEncrypted(slug, "a plain file, declared as encrypted".getBytes(StandardCharsets.UTF_8));
        JsonPath plain = control(posture(), "client-side-encryption");
        assertThat(plain.getString("state")).isEqualTo("NOT_ENFORCED");
        assertThat(plain.getString("probe.answer")).contains("may hold plaintext");
    }

    private static void uploadDeclaredAsEncrypted(String team, byte[] body) throws Exception {
        String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        JsonPath started = given().auth().oauth2(Tokens.of("alice")).contentType("application/json")
                .body(Map.of("team", team, "filename", "sealed-" + java.util.UUID.randomUUID() + ".bin", "size", body.length,
                        "contentType", "application/octet-stream", "sha256", sha, "clientEncryption", "aes-256-gcm-chunked-v1"))
                .when().post("/api/uploads").then().statusCode(201).extract().jsonPath();
        assertThat(started.getMap("put.headers", String.class, String.class))
                .containsEntry("x-amz-meta-gatehouse-encryption", "aes-256-gcm-chunked-v1");
        var put = java.net.http.HttpRequest.newBuilder(java.net.URI.create(started.getString("put.url")))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body));
        started.getMap("put.headers", String.class, String.class).forEach(put::header);
        assertThat(java.net.http.HttpClient.newHttpClient().send(put.build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified"));
    }

    private static Response declare(String team, String name, int size, String sha) {
        return given().auth().oauth2(Tokens.of("alice")).contentType("application/json")
                .body(Map.of("team", team, "filename", name, "size", size, "contentType", "text/plain", "sha256", sha))
                .when().post("/api/uploads");
    }

    @Test
    void aLogTargetIsCheckedBeforeAnythingChanges() {
        String fresh = Tokens.fresh(Fixtures.ADMIN);
        Map<String, Map<String, String>> refusals = Map.of(
                "invalid_request", Map.of("targetBucket", "Not A Bucket"),
                "logging_loop", Map.of("targetBucket", config.bucket()),
                "no_such_bucket", Map.of("targetBucket", "gatehouse-no-such-log-bucket"));
        refusals.forEach((code, choice) -> given().auth().oauth2(fresh).contentType("application/json").body(choice)
                .when().post("/api/admin/posture/access-logging/apply")
                .then().statusCode(code.equals("invalid_request") ? 400 : 422)
                .body("code", equalTo(code.equals("invalid_request") ? "invalid_request" : code))
                .body("field", equalTo("targetBucket")));
        given().auth().oauth2(fresh).contentType("application/json")
                .body(Map.of("targetBucket", "some-log-bucket", "targetPrefix", "/leading-slash"))
                .when().post("/api/admin/posture/access-logging/apply").then().statusCode(400).body("field", equalTo("targetPrefix"));
    }

    @Test
    void accessLoggingGoesToAnotherBucketWhereTheStoreCanLog() {
        String logs = config.bucket() + "-logs";
        try {
            s3.createBucket(r -> r.bucket(logs));
        } catch (S3Exception alreadyThere) {
            // created by an earlier run of this test against the same store
        }
        String before = control(posture(), "access-logging").getString("state");
        var answer = given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).contentType("application/json")
                .body(Map.of("targetBucket", logs)).when().post("/api/admin/posture/access-logging/apply")
                .then().extract();
        if ("NOT_SUPPORTED".equals(before) || answer.statusCode() == 409) {
            // S3Proxy and Ceph RGW 16 have no server access logging: said so, audited, nothing changed.
            assertThat(answer.statusCode()).isEqualTo(409);
            assertThat(answer.jsonPath().getString("code")).isEqualTo("not_supported");
            assertThat(Audit.lastReason(db, Fixtures.ADMIN, "POSTURE_APPLIED")).isEqualTo("not_supported");
            return;
        }
        assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(200);
        assertThat(control(answer.jsonPath(), "access-logging").getString("state")).isEqualTo("OK");
    }

    @Test
    void thePageShowsEveryControl() {
        String page = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).accept("text/html").when().get("/admin/posture")
                .then().statusCode(200).extract().asString();
        CONTROLS.forEach(id -> assertThat(page).contains("id=\"" + id + "\""));
        if ("MISSING".equals(control(posture(), "mfa-delete").getString("state"))) {
            assertThat(page).as("the exact command for the root account").contains("aws s3api put-bucket-versioning --bucket "
                    + config.bucket() + " --versioning-configuration Status=Enabled,MFADelete=Enabled --mfa");
        }
    }

    private static JsonPath posture() {
        return given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).when().get("/api/admin/posture")
                .then().statusCode(200).extract().jsonPath();
    }

    /** One control of the posture, read with the same paths as the whole ({@code state}, {@code probe.answer}). */
    static JsonPath control(JsonPath posture, String id) {
        return JsonPath.from(posture.prettify()).setRootPath("controls.find { it.id == '" + id + "' }");
    }

    private String policy() {
        try {
            return s3.getBucketPolicy(r -> r.bucket(config.bucket())).policy();
        } catch (S3Exception e) {
            return "none (" + e.statusCode() + ")";
        }
    }
}
