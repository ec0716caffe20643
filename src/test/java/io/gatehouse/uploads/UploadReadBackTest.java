package io.gatehouse.uploads;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A store trusted for nothing: uploads read back (never the store's checksum), no If-None-Match. Then every file goes
 * as a multipart upload, so no URL can write the key once the upload was assembled and verified; and completion
 * answers at once (202) while the read-back goes on in the background.
 */
@QuarkusTest
@TestProfile(UploadReadBackTest.TrustNothing.class)
class UploadReadBackTest {

    public static class TrustNothing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gatehouse.s3.upload-verification", "read-back", "gatehouse.s3.conditional-writes", "off",
                    "gatehouse.uploads.verify-wait", "PT0S");
        }
    }

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Test
    void aSmallFileGoesInOnePartIsReadBackAndCannotBeReplacedAfterwards() throws Exception {
        given().auth().oauth2(Tokens.of("carol")).get("/api/admin/bucket").then().statusCode(200)
                .body("capabilities.writeOnce", equalTo(false)).body("integrity", equalTo("READ_BACK"));
        byte[] body = "a small file on a store trusted for nothing".getBytes(StandardCharsets.UTF_8);
        JsonPath started = given().auth().oauth2(Tokens.of("alice")).contentType(ContentType.JSON)
                .body(Map.of("filename", "trusted-for-nothing.txt", "size", body.length, "contentType", "text/plain",
                        "sha256", UploadTest.sha256(body)))
                .post("/api/uploads").then().statusCode(201).body("multipart", equalTo(true)).body("partCount", equalTo(1))
                .extract().jsonPath();
        String id = started.getString("id");
        String partUrl = given().auth().oauth2(Tokens.of("alice")).contentType(ContentType.JSON)
                .body(Map.of("partNumbers", List.of(1))).post("/api/uploads/" + id + "/parts").then().statusCode(200)
                .extract().jsonPath().getString("[0].url");
        assertThat(UploadTest.put(partUrl, Map.of(), body).statusCode()).isEqualTo(200);

        JsonPath verified = completeUntilDecided(id);
        assertThat(verified.getString("status")).isEqualTo("verified");
        assertThat(verified.getString("verification")).contains("reading the object back");

        // The part URL still "works" at S3Proxy (it keeps parts of finished uploads as hidden files), but nothing it
        // sends reaches the listed object: the upload was assembled and its id is spent.
        byte[] other = "A SMALL FILE ON A STORE TRUSTED FOR NOTHING".getBytes(StandardCharsets.UTF_8);
        UploadTest.put(partUrl, Map.of(), other);
        byte[] stored = s3.getObjectAsBytes(r -> r.bucket(config.bucket()).key(started.getString("key"))).asByteArray();
        assertThat(new String(stored, StandardCharsets.UTF_8)).isEqualTo(new String(body, StandardCharsets.UTF_8));
    }

    /** Completion answers 202 while the read-back runs; asks again, a bounded number of times. */
    private static JsonPath completeUntilDecided(String id) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (true) {
            Response response = given().auth().oauth2(Tokens.of("alice")).post("/api/uploads/" + id + "/complete");
            if (response.statusCode() != 202) {
                return response.then().statusCode(200).extract().jsonPath();
            }
            assertThat(Instant.now()).isBefore(deadline);
            Thread.sleep(100); // polling interval, bounded by the deadline
        }
    }
}
