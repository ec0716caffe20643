package io.gatehouse.bucket;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Audit;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Bucket CORS on whichever store runs: S3Proxy has no bucket-CORS API (it reads CORS from its own configuration),
 * Ceph RGW has one and answers real preflights from what was applied. The page must tell which, from what the store
 * answers, and a store that has the API must end up answering the portal's preflights and nobody else's.
 */
@QuarkusTest
class BucketCorsTest {

    @Inject
    S3Config config;

    @Inject
    S3Client s3;

    @Inject
    DataSource db;

    @Test
    void adminsSeeTheDerivedRulesAndTheStateTheStoreReallyHas() {
        var state = given().auth().oauth2(Tokens.of("carol")).when().get("/api/admin/bucket/cors")
                .then().statusCode(200)
                .body("desired.allowedOrigins", hasItems("http://localhost:8081"))
                .body("desired.allowedMethods", hasItems("GET", "HEAD", "PUT"))
                .body("desired.allowedHeaders", hasItems("content-type", "x-amz-meta-upload-id", "if-none-match"))
                .body("desired.exposeHeaders", hasItems("ETag"))
                .extract().jsonPath().getString("state");
        if (!storeHasCorsApi()) {
            assertThat(state).isEqualTo("not_supported");
            given().auth().oauth2(Tokens.of("carol")).when().post("/api/admin/bucket/cors")
                    .then().statusCode(409).body("code", equalTo("not_supported"));
        } else {
            long applied = Audit.count(db, "carol", "BUCKET_CORS_APPLIED", "SUCCEEDED");
            given().auth().oauth2(Tokens.of("carol")).when().post("/api/admin/bucket/cors")
                    .then().statusCode(200).body("state", equalTo("ok"));
            given().auth().oauth2(Tokens.of("carol")).when().get("/api/admin/bucket/cors")
                    .then().statusCode(200).body("state", equalTo("ok"));
            assertThat(Audit.count(db, "carol", "BUCKET_CORS_APPLIED", "SUCCEEDED")).isEqualTo(applied + 1);
        }
        given().auth().oauth2(Tokens.of("alice")).when().get("/api/admin/bucket/cors").then().statusCode(403);
    }

    @Test
    void theStoreAnswersPreflightsFromThePortalOnlyWithTheSignedHeaders() throws Exception {
        if (storeHasCorsApi()) {
            given().auth().oauth2(Tokens.of("carol")).when().post("/api/admin/bucket/cors").then().statusCode(200);
        }
        HttpClient http = HttpClient.newHttpClient();
        URI object = URI.create(config.endpoint().orElseThrow() + "/" + config.bucket() + "/teams/team-a/x.txt");
        HttpResponse<String> allowed = http.send(HttpRequest.newBuilder(object)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost:8081")
                .header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "content-type,x-amz-checksum-sha256,if-none-match")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:8081");
        assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers").orElse("")).containsIgnoringCase("ETag");

        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(object)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "PUT")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    /** Asked of the store directly: 501 means it has no bucket-CORS API. */
    private boolean storeHasCorsApi() {
        try {
            s3.getBucketCors(r -> r.bucket(config.bucket()));
            return true;
        } catch (S3Exception e) {
            return e.statusCode() != 501;
        }
    }
}
