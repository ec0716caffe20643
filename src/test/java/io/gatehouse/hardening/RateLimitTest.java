package io.gatehouse.hardening;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Audit;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Presigned;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Limits small enough to reach: past each, 429 with Retry-After, nothing issued and nothing written — in particular
 * no audit row, so that collecting refusals cannot grow the audit table. Each test spends a budget no other uses.
 */
@QuarkusTest
@TestProfile(RateLimitTest.SmallLimits.class)
class RateLimitTest {

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gatehouse.rate-limits.urls.per-user", "5", "gatehouse.rate-limits.urls.per-address", "1000",
                    "gatehouse.rate-limits.uploads.per-user", "3", "gatehouse.rate-limits.uploads.per-address", "5",
                    "gatehouse.rate-limits.denials.per-user", "3", "gatehouse.rate-limits.denials.per-address", "1000");
        }
    }

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Inject
    DataSource db;

    @Test
    void downloadUrlsPastTheUserLimitAreRefusedWithRetryAfterAndNoUrl() {
        String user = "reader-" + UUID.randomUUID();
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "a.txt", "a", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", user, "PREFIX", prefix);
        String token = Tokens.of(user);
        for (int i = 0; i < 5; i++) {
            given().auth().oauth2(token).post("/api/items/" + item + "/download-url").then().statusCode(200);
        }
        Response limited = given().auth().oauth2(token).post("/api/items/" + item + "/download-url");
        assertRefused(limited, "url_rate_limited", "user");
        assertThat(Audit.count(db, user, "DOWNLOAD_URL_ISSUED", "ALLOWED")).isEqualTo(5);
    }

    @Test
    void refusalsPastTheDenialLimitAre429AndLeaveNoRow() {
        String user = "prober-" + UUID.randomUUID();
        String token = Tokens.of(user);
        long item = Fixtures.item(s3, config.bucket(), Fixtures.uniquePrefix() + "secret.txt", "s", "text/plain", "STANDARD");
        // No grant: three refusals on record, then only 429s, whatever the caller tries next.
        for (int i = 0; i < 3; i++) {
            given().auth().oauth2(token).post("/api/items/" + item + "/download-url").then().statusCode(403);
        }
        assertRefused(given().auth().oauth2(token).post("/api/items/" + item + "/download-url"), "denial_rate_limited", "user");
        assertRefused(given().auth().oauth2(token).get("/api/admin/grants"), "denial_rate_limited", "user");
        assertThat(Audit.count(db, user, "DOWNLOAD_DENIED", "DENIED")).isEqualTo(3);
        assertThat(Audit.count(db, user, "ACCESS_DENIED", "DENIED")).isZero();
    }

    @Test
    void uploadDeclarationsAreLimitedPerUserAndPerAddress() {
        String slug = Fixtures.team(db, null, null);
        String first = "writer-" + UUID.randomUUID();
        String second = "writer-" + UUID.randomUUID();
        Fixtures.writeGrant("USER", first, "teams/" + slug + "/");
        Fixtures.writeGrant("USER", second, "teams/" + slug + "/");
        long sessions = sessionsOf(slug);
        for (int i = 0; i < 3; i++) {
            declare(first, slug).then().statusCode(201);
        }
        assertRefused(declare(first, slug), "upload_rate_limited", "user");
        // The address has 5: the second user gets the 2 left, then the address is refused too.
        declare(second, slug).then().statusCode(201);
        declare(second, slug).then().statusCode(201);
        assertRefused(declare(second, slug), "upload_rate_limited", "address");
        assertThat(sessionsOf(slug) - sessions).isEqualTo(5);
    }

    private static Response declare(String user, String team) {
        return given().auth().oauth2(Tokens.of(user)).contentType(ContentType.JSON)
                .body(Map.of("team", team, "filename", "f.txt", "size", 1, "contentType", "text/plain",
                        "sha256", "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs="))
                .post("/api/uploads");
    }

    private long sessionsOf(String team) {
        return Fixtures.number(db, "SELECT count(*) FROM upload_session WHERE team_slug = ?", team);
    }

    private static void assertRefused(Response response, String code, String by) {
        response.then().statusCode(429).body("code", equalTo(code)).body("message", containsString("from this " + by));
        assertThat(Integer.parseInt(response.header("Retry-After"))).isBetween(1, 60);
        assertThat(Presigned.in(response)).isFalse();
    }
}
