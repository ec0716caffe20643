package io.gatehouse.bucket;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class BucketCorsTest {

    @Inject
    S3Config config;

    @Test
    void adminsSeeTheDerivedRulesAndThatTheEmbeddedStoreHasNoCorsApi() {
        given().auth().oauth2(Tokens.of("carol")).when().get("/api/admin/bucket/cors")
                .then().statusCode(200)
                .body("state", equalTo("not_supported"))
                .body("desired.allowedOrigins", hasItems("http://localhost:8081"))
                .body("desired.allowedMethods", hasItems("GET", "HEAD", "PUT"))
                .body("desired.allowedHeaders", hasItems("content-type", "x-amz-checksum-sha256", "x-amz-meta-upload-id"))
                .body("desired.exposeHeaders", hasItems("ETag"));
        given().auth().oauth2(Tokens.of("carol")).when().post("/api/admin/bucket/cors")
                .then().statusCode(409).body("code", equalTo("not_supported"));
        given().auth().oauth2(Tokens.of("alice")).when().get("/api/admin/bucket/cors").then().statusCode(403);
    }

    @Test
    void theStoreAnswersPreflightsFromThePortalOnlyWithTheSignedHeaders() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI object = URI.create(config.endpoint().orElseThrow() + "/" + config.bucket() + "/teams/team-a/x.txt");
        HttpResponse<String> allowed = http.send(HttpRequest.newBuilder(object)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "http://localhost:8081")
                .header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "content-type,x-amz-checksum-sha256")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://localhost:8081");
        assertThat(allowed.headers().firstValue("Access-Control-Expose-Headers").orElse("")).contains("ETag");

        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(object)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://evil.example")
                .header("Access-Control-Request-Method", "PUT")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
}
