package io.gatehouse.downloads;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Audit;
import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import software.amazon.awssdk.services.s3.S3Client;

/** Every URL is fetched from the real S3 server: the store, not Gatehouse, proves what the URL allows. */
@QuarkusTest
class DownloadUrlTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(20);

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Inject
    DataSource db;

    @AfterAll
    static void stopPool() {
        POOL.shutdownNow();
    }

    @Test
    void issuedUrlReturnsTheExactBytesAsAnAttachment() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        String body = "premium bytes " + UUID.randomUUID();
        long item = Fixtures.item(s3, config.bucket(), prefix + "Résumé 2026.txt", body, "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "alice", "PREFIX", prefix);
        long issuedBefore = Audit.count(db, "alice", "DOWNLOAD_URL_ISSUED", "ALLOWED");

        var issued = given().auth().oauth2(Tokens.of("alice"))
                .when().post("/api/items/" + item + "/download-url")
                .then().statusCode(200)
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer")
                .body("method", equalTo("GET"))
                .extract().jsonPath();
        Instant expiresAt = Instant.parse(issued.getString("expiresAt"));
        assertThat(expiresAt).isBetween(Instant.now().plusSeconds(240), Instant.now().plusSeconds(301));

        HttpResponse<byte[]> fetched = fetch(issued.getString("url"));
        assertThat(fetched.statusCode()).isEqualTo(200);
        assertThat(new String(fetched.body(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(fetched.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.txt");
        assertThat(fetched.headers().firstValue("Content-Type")).hasValue("text/plain");
        assertThat(Audit.count(db, "alice", "DOWNLOAD_URL_ISSUED", "ALLOWED")).isEqualTo(issuedBefore + 1);
    }

    @Test
    void oneSecondUrlIsRefusedByS3OnceItExpires() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "short.txt", "short-lived", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "alice", "PREFIX", prefix);

        String url = given().auth().oauth2(Tokens.of("alice")).queryParam("ttlSeconds", 1)
                .when().post("/api/items/" + item + "/download-url")
                .then().statusCode(200).extract().jsonPath().getString("url");
        assertThat(url).contains("X-Amz-Expires=1");

        // Poll (bounded) until the store refuses: it must happen, and soon after the second has passed.
        Instant deadline = Instant.now().plusSeconds(15);
        HttpResponse<byte[]> response = fetch(url);
        while (response.statusCode() == 200 && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
            response = fetch(url);
        }
        assertThat(response.statusCode()).isEqualTo(403);
        // S3 and S3Proxy say the request expired; Ceph RGW answers a bare AccessDenied.
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).containsAnyOf("expired", "<Code>AccessDenied</Code>");
    }

    @Test
    void changingTheKeyOrAnyQueryParameterMakesS3RefuseTheUrl() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "a.txt", "object-bytes-a", "text/plain", "STANDARD");
        Fixtures.item(s3, config.bucket(), prefix + "b.txt", "B", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "alice", "OBJECT", prefix + "a.txt");
        String url = given().auth().oauth2(Tokens.of("alice"))
                .when().post("/api/items/" + item + "/download-url")
                .then().statusCode(200).extract().jsonPath().getString("url");
        assertThat(fetch(url).statusCode()).isEqualTo(200);

        assertThat(fetch(url.replace("a.txt?", "b.txt?")).statusCode()).as("other key").isEqualTo(403);
        URI uri = URI.create(url);
        String[] parameters = uri.getRawQuery().split("&");
        assertThat(parameters).hasSizeGreaterThanOrEqualTo(7);
        for (int i = 0; i < parameters.length; i++) {
            String[] tampered = parameters.clone();
            tampered[i] = tamper(tampered[i]);
            String changed = url.substring(0, url.indexOf('?') + 1) + String.join("&", tampered);
            HttpResponse<byte[]> refused = fetch(changed);
            // 403 for a signature mismatch; 400 when the change makes the request malformed (e.g. the algorithm).
            assertThat(refused.statusCode()).as("tampered %s", parameters[i].split("=")[0]).isIn(400, 403);
            assertThat(new String(refused.body(), StandardCharsets.UTF_8)).doesNotContain("object-bytes-a").contains("<Error>");
        }
    }

    @Test
    void eachRefusalIs403WithItsReasonNoUrlAndADenialRow() {
        String prefix = Fixtures.uniquePrefix();
        long open = Fixtures.item(s3, config.bucket(), prefix + "open.txt", "x", "text/plain", "STANDARD");
        long premium = Fixtures.item(s3, config.bucket(), prefix + "premium.txt", "x", "text/plain", "PREMIUM");
        String nobody = "user-" + UUID.randomUUID();
        String expired = "user-" + UUID.randomUUID();
        String revoked = "user-" + UUID.randomUUID();
        Instant now = Instant.now();
        Fixtures.grant("USER", expired, "PREFIX", prefix, now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)), null);
        Fixtures.revoke(Fixtures.readGrant("USER", revoked, "PREFIX", prefix));
        Fixtures.readGrant("TEAM", "team-b", "PREFIX", prefix);
        Fixtures.readGrant("ROLE", "user", "OBJECT", prefix + "premium.txt");

        assertDenied(nobody, open, "no_grant");
        assertDenied(expired, open, "grant_expired");
        assertDenied(revoked, open, "grant_revoked");
        assertDenied("alice", open, "no_grant"); // team-a member; the grant names team-b
        assertDenied("alice", premium, "premium_required");

        given().auth().oauth2(Tokens.of("bob")).when().post("/api/items/" + open + "/download-url").then().statusCode(200);
        given().auth().oauth2(Tokens.of("bob")).when().post("/api/items/" + premium + "/download-url").then().statusCode(200);
    }

    @Test
    void prefixGrantsStopAtSegmentBoundaries() {
        String prefix = Fixtures.uniquePrefix();
        long inside = Fixtures.item(s3, config.bucket(), prefix + "team-a/file.txt", "in", "text/plain", "STANDARD");
        long lookalike = Fixtures.item(s3, config.bucket(), prefix + "team-ab/file.txt", "out", "text/plain", "STANDARD");
        String user = "user-" + UUID.randomUUID();
        Fixtures.readGrant("USER", user, "PREFIX", prefix + "team-a/");

        given().auth().oauth2(Tokens.of(user)).when().post("/api/items/" + inside + "/download-url").then().statusCode(200);
        assertDenied(user, lookalike, "no_grant");
    }

    @Test
    void aMaxUsesGrantAllowsExactlyNUrlsUnderConcurrency() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "counted.txt", "n", "text/plain", "STANDARD");
        String user = "user-" + UUID.randomUUID();
        Instant now = Instant.now();
        long grant = Fixtures.grant("USER", user, "OBJECT", prefix + "counted.txt", now.minusSeconds(60),
                now.plus(Duration.ofDays(1)), 5);
        String token = Tokens.of(user);

        List<Integer> statuses = runConcurrently(20, () -> given().auth().oauth2(token)
                .when().post("/api/items/" + item + "/download-url").then().extract().statusCode());

        assertThat(statuses).filteredOn(s -> s == 200).hasSize(5);
        assertThat(statuses).filteredOn(s -> s == 403).hasSize(15);
        assertThat(Audit.count(db, user, "DOWNLOAD_URL_ISSUED", "ALLOWED")).isEqualTo(5);
        assertThat(Audit.count(db, user, "DOWNLOAD_DENIED", "DENIED")).isEqualTo(15);
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).queryParam("subject", user)
                .when().get("/api/admin/grants")
                .then().statusCode(200).body("find { it.id == " + grant + " }.useCount", equalTo(5));
    }

    @Test
    void exactlyOneAuditRowPerIssuedUrlInABurst() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "burst.txt", "b", "text/plain", "STANDARD");
        String user = "user-" + UUID.randomUUID();
        Fixtures.readGrant("USER", user, "PREFIX", prefix);
        String token = Tokens.of(user);

        List<Integer> statuses = runConcurrently(200, () -> given().auth().oauth2(token)
                .when().post("/api/items/" + item + "/download-url").then().extract().statusCode());

        assertThat(statuses).containsOnly(200);
        assertThat(Audit.count(db, user, "DOWNLOAD_URL_ISSUED", "ALLOWED")).isEqualTo(200);
    }

    @Test
    void badRequestsGetClearRefusals() {
        String token = Tokens.of("alice");
        given().auth().oauth2(token).when().post("/api/items/999999999/download-url")
                .then().statusCode(404).body("code", equalTo("not_found"));
        given().auth().oauth2(token).when().post("/api/items/abc/download-url")
                .then().statusCode(400).body("code", equalTo("invalid_request")).body("field", equalTo("id"));
        given().auth().oauth2(token).when().post("/api/items/-4/download-url").then().statusCode(400);
        given().auth().oauth2(token).queryParam("ttlSeconds", 0)
                .when().post("/api/items/1/download-url").then().statusCode(400).body("field", equalTo("ttlSeconds"));
        given().when().post("/api/items/1/download-url").then().statusCode(401);

        for (String key : List.of("tests/../etc/passwd", "tests/nul\u0000byte", "tests/bell\u0007", "x".repeat(1025),
                "tests/\u202Eevil.txt")) {
            given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType(ContentType.JSON)
                    .body(Map.of("key", key, "title", "bad", "tier", "STANDARD"))
                    .when().post("/api/admin/items")
                    .then().statusCode(400).body("field", equalTo("key"));
        }
    }

    @Test
    void whenTheAuditWriteFailsNoUrlIsIssuedAndNoUseIsSpent() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "audited.txt", "a", "text/plain", "STANDARD");
        String user = "audit-fails-" + UUID.randomUUID();
        Instant now = Instant.now();
        long grant = Fixtures.grant("USER", user, "OBJECT", prefix + "audited.txt", now.minusSeconds(60),
                now.plus(Duration.ofDays(1)), 3);
        // A real failure in the real database: this actor's audit rows are refused.
        try (var connection = db.getConnection(); var statement = connection.createStatement()) {
            statement.execute("""
                    CREATE OR REPLACE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.actor LIKE 'audit-fails-%' THEN RAISE EXCEPTION 'audit storage unavailable'; END IF;
                    RETURN NEW; END; $$""");
            statement.execute("CREATE OR REPLACE TRIGGER test_refuse_audit BEFORE INSERT ON audit_event "
                    + "FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()");
        }
        try {
            given().auth().oauth2(Tokens.of(user))
                    .when().post("/api/items/" + item + "/download-url")
                    .then().statusCode(503).body("code", equalTo("unavailable")).body("url", nullValue());
        } finally {
            try (var connection = db.getConnection(); var statement = connection.createStatement()) {
                statement.execute("DROP TRIGGER test_refuse_audit ON audit_event");
            }
        }
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).queryParam("subject", user)
                .when().get("/api/admin/grants")
                .then().statusCode(200).body("find { it.id == " + grant + " }.useCount", equalTo(0));
    }

    @Test
    void theBrowserButtonPostsTheFormAndIsRedirectedToS3() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "button.txt", "via the button", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "alice", "PREFIX", prefix);
        BrowserSession alice = BrowserSession.signIn("alice");

        var withoutToken = alice.postRaw("/items/" + item + "/download", Map.of());
        assertThat(withoutToken.statusCode()).isEqualTo(403);
        var forgedToken = alice.postRaw("/items/" + item + "/download", Map.of("csrf-token", "x".repeat(43)));
        assertThat(forgedToken.statusCode()).isEqualTo(403);

        var redirect = alice.postForm("/catalog", "/items/" + item + "/download", Map.of());
        assertThat(redirect.statusCode()).isEqualTo(303);
        assertThat(redirect.getHeader("Referrer-Policy")).isEqualTo("no-referrer");
        HttpResponse<byte[]> fetched = fetch(redirect.getHeader("Location"));
        assertThat(new String(fetched.body(), StandardCharsets.UTF_8)).isEqualTo("via the button");
    }

    private void assertDenied(String user, long item, String reason) {
        long before = Audit.count(db, user, "DOWNLOAD_DENIED", "DENIED");
        given().auth().oauth2(Tokens.of(user))
                .when().post("/api/items/" + item + "/download-url")
                .then().statusCode(403)
                .body("code", equalTo(reason))
                .body("url", nullValue());
        assertThat(Audit.count(db, user, "DOWNLOAD_DENIED", "DENIED")).isEqualTo(before + 1);
        assertThat(Audit.lastReason(db, user, "DOWNLOAD_DENIED")).isEqualTo(reason);
    }

    private static <T> List<T> runConcurrently(int count, Callable<T> task) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            futures.add(POOL.submit(task));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> future : futures) {
            results.add(future.get());
        }
        return results;
    }

    private static HttpResponse<byte[]> fetch(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Changes a query parameter's value so that it still parses. */
    private static String tamper(String parameter) {
        int equals = parameter.indexOf('=');
        String name = parameter.substring(0, equals);
        String value = parameter.substring(equals + 1);
        if (name.equals("X-Amz-Expires")) {
            return name + "=" + (Integer.parseInt(value) + 60);
        }
        if (name.equals("X-Amz-Date")) {
            return name + "=" + value.replace(value.substring(9, 11), value.substring(9, 11).equals("00") ? "01" : "00");
        }
        return name + "=" + (value.isEmpty() ? "x" : value.substring(0, value.length() - 1)
                + (value.endsWith("a") ? "b" : "a"));
    }
}
