package io.gatehouse.browser;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;

import io.gatehouse.storage.S3Clients;
import io.gatehouse.storage.S3Config;
import io.gatehouse.support.CephRgw;
import io.gatehouse.support.Chromium;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.OnCephRgw;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * SSE-C on a store reached over https (Ceph RGW with a self-signed certificate that Gatehouse trusts through
 * gatehouse.s3.ca-certificate): the team's key is made in the browser, goes to the store with the PUT and the GET, and
 * never reaches Gatehouse, which signs only the algorithm and the key's MD5.
 */
@QuarkusTest
@TestProfile(SseCOverHttpsOnCephRgwTest.OverHttps.class)
@OnCephRgw.Only
class SseCOverHttpsOnCephRgwTest {

    public static class OverHttps extends OnCephRgw {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(CephRgw.class, Map.of("tls", "true")));
        }
    }

    private static final Browser browser = Chromium.shared();
    private static final String PASSPHRASE = "our team's long passphrase";

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Inject
    DataSource db;

    @BeforeEach
    void teamAHoldsItsOwnKey() {
        given().auth().oauth2(Tokens.of("carol")).post("/api/admin/bucket/cors").then().statusCode(200);
        Fixtures.sql(db, "UPDATE team SET sse_mode = 'SSE_C' WHERE slug = 'team-a'");
    }

    @AfterEach
    void teamABack() {
        Fixtures.sql(db, "UPDATE team SET sse_mode = 'DEFAULT' WHERE slug = 'team-a'");
    }

    @Test
    void theTeamsKeyGoesFromTheBrowserToTheStoreAndNeverToGatehouse() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        Path file = Files.createTempDirectory("gatehouse-sse-c").resolve("own-key-" + tag + ".bin");
        byte[] plain = new byte[300 * 1024];
        new Random(3).nextBytes(plain);
        Files.write(file, plain);
        byte[] key = teamKey("team-a", PASSPHRASE);
        String keyBase64 = Base64.getEncoder().encodeToString(key);
        String keyMd5 = md5(key);
        List<String> seenByGatehouse = new ArrayList<>();

        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setAcceptDownloads(true)
                .setIgnoreHTTPSErrors(true))) {
            Page page = context.newPage();
            String base = "http://localhost:" + port;
            page.onRequest(request -> {
                if (request.url().startsWith(base)) {
                    seenByGatehouse.add(request.url() + " " + request.headers() + " " + request.postData());
                }
            });
            page.navigate(base + "/upload");
            page.click("button[name='predefined-alice']");
            page.waitForURL(base + "/upload");
            page.fill("#cse-passphrase", PASSPHRASE);
            page.locator(".uppy-Dashboard-input").first().setInputFiles(file);
            page.click(".uppy-StatusBar-actionBtn--upload");
            Locator outcome = page.locator("#upload-results li[data-status]").first();
            outcome.waitFor(new Locator.WaitForOptions().setTimeout(120_000));
            assertThat(outcome.getAttribute("data-status")).as(outcome.textContent()).isEqualTo("verified");

            String objectKey = s3.listObjectsV2Paginator(r -> r.bucket(config.bucket()).prefix("teams/team-a/alice/"))
                    .contents().stream().map(o -> o.key()).filter(k -> k.endsWith("/own-key-" + tag + ".bin")).findFirst()
                    .orElseThrow();
            // The store keeps it under the team's key: without it even the owner's credentials cannot read it.
            assertThat(status(() -> s3.headObject(r -> r.bucket(config.bucket()).key(objectKey)))).isEqualTo(400);
            byte[] stored = s3.getObjectAsBytes(r -> r.bucket(config.bucket()).key(objectKey).sseCustomerAlgorithm("AES256")
                    .sseCustomerKey(keyBase64).sseCustomerKeyMD5(keyMd5)).asByteArray();
            assertThat(stored).isEqualTo(plain);

            page.navigate(base + "/catalog?q=own-key-" + tag);
            var row = page.locator("tr", new Page.LocatorOptions().setHasText("own-key-" + tag));
            row.locator("input[type=password]").fill("not the team's passphrase");
            row.locator("button[data-decrypt]").click();
            row.locator("[role=status]", new Locator.LocatorOptions().setHasText("refused the key"))
                    .waitFor(new Locator.WaitForOptions().setTimeout(60_000));

            row.locator("input[type=password]").fill(PASSPHRASE);
            Download download = page.waitForDownload(new Page.WaitForDownloadOptions().setTimeout(60_000),
                    () -> row.locator("button[data-decrypt]").click());
            Path fetched = file.resolveSibling("fetched.bin");
            download.saveAs(fetched);
            assertThat(Files.readAllBytes(fetched)).isEqualTo(plain);
        }
        assertThat(seenByGatehouse).isNotEmpty().noneMatch(request -> request.contains(keyBase64));
    }

    @Test
    void badSseCDeclarationsAndWrongKeysAreRefusedAndNothingIsListed() throws Exception {
        byte[] body = "sealed with our own key".getBytes(StandardCharsets.UTF_8);
        byte[] key = teamKey("team-a", PASSPHRASE);
        Map<String, Object> declaration = new HashMap<>(Map.of("team", "team-a", "filename", "own-key.txt",
                "size", body.length, "contentType", "text/plain", "sha256", sha256(body),
                "sseCustomerKeyMd5", md5(key), "contentMd5", md5(body)));
        for (String field : List.of("sseCustomerKeyMd5", "contentMd5")) {
            Map<String, Object> without = new HashMap<>(declaration);
            without.put(field, "not-an-md5");
            declare(without).then().statusCode(400).body("field", equalTo(field));
        }
        Map<String, Object> huge = new HashMap<>(declaration);
        huge.put("size", 6L * 1024 * 1024 * 1024);
        declare(huge).then().statusCode(413).body("field", equalTo("size"));

        JsonPath started = declare(declaration).then().statusCode(201).extract().jsonPath();
        Map<String, String> headers = started.getMap("put.headers", String.class, String.class);
        assertThat(headers).containsEntry("x-amz-server-side-encryption-customer-algorithm", "AES256")
                .containsEntry("x-amz-server-side-encryption-customer-key-md5", md5(key))
                .doesNotContainKey("x-amz-server-side-encryption-customer-key");
        String url = started.getString("put.url");
        byte[] otherKey = teamKey("team-a", "some other passphrase");
        assertThat(put(url, headers, Base64.getEncoder().encodeToString(otherKey), body))
                .as("a key whose MD5 was not signed").isIn(400, 403);
        byte[] sameLength = "SEALED WITH OUR OWN KEY".getBytes(StandardCharsets.UTF_8);
        assertThat(put(url, headers, Base64.getEncoder().encodeToString(key), sameLength))
                .as("other bytes than the signed Content-MD5").isEqualTo(400);
        given().auth().oauth2(Tokens.of("alice")).post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(422).body("status", equalTo("rejected"));

        JsonPath again = declare(declaration).then().statusCode(201).extract().jsonPath();
        assertThat(put(again.getString("put.url"), again.getMap("put.headers", String.class, String.class),
                Base64.getEncoder().encodeToString(key), body)).isEqualTo(200);
        JsonPath verified = given().auth().oauth2(Tokens.of("alice")).post("/api/uploads/" + again.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified")).extract().jsonPath();
        assertThat(verified.getString("verification")).startsWith("SSE-C");

        long itemId = verified.getLong("itemId");
        given().auth().oauth2(Tokens.of("alice")).post("/api/items/" + itemId + "/download-url").then().statusCode(400)
                .body("field", equalTo("sseCustomerKeyMd5"));
        JsonPath download = given().auth().oauth2(Tokens.of("alice")).header("X-SSE-Customer-Key-MD5", md5(key))
                .post("/api/items/" + itemId + "/download-url").then().statusCode(200).extract().jsonPath();
        assertThat(download.getMap("headers", String.class, String.class))
                .containsEntry("x-amz-server-side-encryption-customer-key-md5", md5(key));
    }

    @Test
    void thePostureProbeTriesSseCOverHttpsAndTheTeamNeedsItLetThrough() {
        JsonPath posture = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/posture").then().statusCode(200)
                .extract().jsonPath();
        JsonPath sseC = JsonPath.from(posture.prettify()).setRootPath("controls.find { it.id == 'sse-c' }");
        assertThat(sseC.getString("probe.answer")).isEqualTo("stored (the store accepts SSE-C)");
        assertThat(sseC.getList("desired.teams")).contains("team-a");
        assertThat(sseC.getString("state")).isEqualTo("OK");
        // Over https the TLS-only policy no longer locks Gatehouse out: it can be planned.
        assertThat(given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/posture/tls-only-policy/plan")
                .then().statusCode(200).extract().jsonPath().getString("refusal")).isNull();
    }

    private static io.restassured.response.Response declare(Map<String, Object> declaration) {
        return given().auth().oauth2(Tokens.of("alice")).contentType("application/json").body(declaration)
                .post("/api/uploads");
    }

    /** A PUT as the browser sends it: the signed headers, plus the key, which Gatehouse never signed. */
    private int put(String url, Map<String, String> headers, String keyBase64, byte[] body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        request.header("x-amz-server-side-encryption-customer-key", keyBase64);
        HttpClient client = HttpClient.newBuilder().sslContext(S3Clients.sslContext(config)).build();
        return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The key the pages derive: PBKDF2-SHA-256, 600,000 rounds, the team as salt (frontend/src/ssec.js). */
    private static byte[] teamKey(String team, String passphrase) throws Exception {
        var spec = new PBEKeySpec(passphrase.toCharArray(), ("gatehouse-sse-c/" + team).getBytes(StandardCharsets.UTF_8),
                600_000, 256);
        return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    }

    private static String md5(byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static int status(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (S3Exception e) {
            return e.statusCode();
        }
    }
}
