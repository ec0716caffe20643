package io.gatehouse.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Management;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.s3.S3Client;

/** Health, metrics and OpenAPI answer on the management port only; the meters count what users did. */
@QuarkusTest
class ManagementInterfaceTest {

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Test
    void managementEndpointsAreNotServedOnTheAppPort() {
        for (String path : new String[] { "/q/metrics", "/q/openapi", "/q/health/ready" }) {
            var answer = given().redirects().follow(false).when().get(path).then().extract();
            assertThat(answer.statusCode()).as(path).isNotEqualTo(200);
            assertThat(answer.body().asString()).as(path).doesNotContain("gatehouse_").doesNotContain("openapi:");
            given().when().get(Management.url(path)).then().statusCode(200);
        }
    }

    @Test
    void metricsCountUrlsIssuedAndDeniedByReason() {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "metered.txt", "bytes " + UUID.randomUUID(), "text/plain",
                "STANDARD");
        Fixtures.readGrant("USER", "alice", "PREFIX", prefix);
        double issued = meter("gatehouse_urls_issued_total{action=\"DOWNLOAD_URL_ISSUED\"");
        double denied = meter("gatehouse_urls_denied_total{action=\"DOWNLOAD_DENIED\",reason=\"no_grant\"");

        given().auth().oauth2(Tokens.of("alice")).when().post("/api/items/" + item + "/download-url").then().statusCode(200);
        given().auth().oauth2(Tokens.of("mallory")).when().post("/api/items/" + item + "/download-url").then().statusCode(403);

        assertThat(meter("gatehouse_urls_issued_total{action=\"DOWNLOAD_URL_ISSUED\"")).isEqualTo(issued + 1);
        assertThat(meter("gatehouse_urls_denied_total{action=\"DOWNLOAD_DENIED\",reason=\"no_grant\"")).isEqualTo(denied + 1);
        assertThat(scrape()).contains("gatehouse_audit_unsealed");
    }

    private static String scrape() {
        return given().when().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
    }

    private static double meter(String series) {
        return Management.meter(series);
    }
}
