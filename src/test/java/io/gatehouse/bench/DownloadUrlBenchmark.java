package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * On-demand benchmark (never part of CI's pass/fail): drives the real download-URL endpoint with wrk — bearer
 * validation, grant decision, audit insert and signing, as in production — and the catalog page at 100k items.
 * and the upload declaration endpoint ({@code -Dbenchmark=catalog-only}: the catalog alone). Run (needs wrk: {@code apt-get install wrk}); prints BENCH lines:
 * {@code ./mvnw verify -Dbenchmark -Dtest=DownloadUrlBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -DargLine=-Dgatehouse.uploads.max-files-per-session=100000000}
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "benchmark", matches = ".*")
class DownloadUrlBenchmark {

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Inject
    DataSource db;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void downloadUrlAndCatalogThroughput() throws Exception {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "bench.bin", "benchmark bytes", "application/octet-stream",
                "STANDARD");
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String user = "bench-" + i + "-" + UUID.randomUUID();
            Fixtures.readGrant("USER", user, "PREFIX", prefix);
            tokens.add(Tokens.of(user));
        }
        Path tokenFile = Files.createTempFile("tokens", ".txt");
        Files.write(tokenFile, tokens);

        String mode = System.getProperty("benchmark");
        if (!mode.contains("uploads-only") && !mode.contains("catalog-only")) {
            downloads(tokenFile, item);
        }
        if (!mode.contains("catalog-only")) {
            uploads();
        }
        if (System.getProperty("benchmark").contains("skip-catalog")) {
            return;
        }
        catalog(tokenFile);
        assertThat(tokens).isNotEmpty();
    }

    private void downloads(Path tokenFile, long item) throws Exception {
        // Layers, to see where the time goes: no auth, bearer validation only, then the whole endpoint.
        wrk(tokenFile, "GET", "/q/health/live", "5s");
        System.out.println("BENCH baseline GET /q/health/live (no auth) " + wrk(tokenFile, "GET", "/q/health/live", "10s"));
        wrk(tokenFile, "GET", "/api/me", "5s");
        System.out.println("BENCH bearer only GET /api/me " + wrk(tokenFile, "GET", "/api/me", "10s"));
        System.out.println("BENCH download-url: warm-up 10 s");
        wrk(tokenFile, "POST", "/api/items/" + item + "/download-url", "10s");
        System.out.println("BENCH download-url: wrk -t2 -c50 -d20s");
        String result = wrk(tokenFile, "POST", "/api/items/" + item + "/download-url", "20s");
        assertThat(result).contains("RESULT");
        System.out.println("BENCH download-url " + result + " load_average=" + loadAverage());
        try (var connection = db.getConnection(); var rows = connection.createStatement().executeQuery(
                "SELECT count(*) FROM audit_event WHERE action = 'DOWNLOAD_URL_ISSUED' AND actor LIKE 'bench-%'")) {
            rows.next();
            System.out.println("BENCH audit rows written for bench users: " + rows.getLong(1));
        }

    }

    private void uploads() throws Exception {
        // POST /api/uploads: policy checks, key choice, session row, audit row and a signed PUT.
        List<String> uploaders = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String user = "uploader-" + i + "-" + UUID.randomUUID();
            Fixtures.writeGrant("USER", user, "teams/team-a/");
            uploaders.add(Tokens.of(user));
        }
        Path uploaderFile = Files.createTempFile("uploaders", ".txt");
        Files.write(uploaderFile, uploaders);
        String declaration = "{\"team\":\"team-a\",\"filename\":\"bench-{n}.txt\",\"size\":1024,\"contentType\":\"text/plain\","
                + "\"sha256\":\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"}";
        var probe = io.restassured.RestAssured.given().auth().oauth2(uploaders.get(0)).contentType("application/json")
                .body(declaration.replace("{n}", "probe")).post("/api/uploads");
        System.out.println("BENCH start-upload probe: " + probe.statusCode() + " " + probe.asString().substring(0, Math.min(200, probe.asString().length())));
        wrk(uploaderFile, "POST", "/api/uploads", "10s", 50, declaration);
        System.out.println("BENCH start-upload POST /api/uploads " + wrk(uploaderFile, "POST", "/api/uploads", "20s", 50, declaration)
                + " load_average=" + loadAverage());

    }

    private void catalog(Path tokenFile) throws Exception {
        // Render time of one page: one client at a time (wrk -t1 -c1), so latency is the page's own cost.
        seedCatalog(100_000);
        wrk(tokenFile, "GET", "/catalog", "5s", 1);
        System.out.println("BENCH catalog page (100k items, first page, 1 client) " + wrk(tokenFile, "GET", "/catalog", "10s", 1));
        System.out.println("BENCH catalog search (100k items, q=item 4242, 1 client) "
                + wrk(tokenFile, "GET", "/catalog?q=item%204242", "10s", 1));
        System.out.println("BENCH catalog deep page (100k items, after=50000, 1 client) "
                + wrk(tokenFile, "GET", "/catalog?after=50000", "10s", 1));
        System.out.println("BENCH catalog page (100k items, 50 clients) " + wrk(tokenFile, "GET", "/catalog", "10s"));
        // The availability check must not grow with the grants a user holds: 100,000 more through the role "user".
        try (var connection = db.getConnection(); var statement = connection.createStatement()) {
            statement.execute("INSERT INTO access_grant (subject_type, subject, bucket, resource_type, resource, permission, "
                    + "valid_from, valid_until, reason, created_by) SELECT 'ROLE', 'user', '" + config.bucket() + "', 'OBJECT', "
                    + "'bench/catalog/' || g || '.bin', 'READ', now() - interval '1 minute', now() + interval '1 day', "
                    + "'benchmark', 'bench' FROM generate_series(1, 100000) g");
            statement.execute("ANALYZE access_grant");
        }
        wrk(tokenFile, "GET", "/catalog", "5s", 1);
        System.out.println("BENCH catalog page (100k items, role holds 100k grants, 1 client) "
                + wrk(tokenFile, "GET", "/catalog", "10s", 1));
    }

    private void seedCatalog(int count) throws Exception {
        try (var connection = db.getConnection(); var statement = connection.createStatement()) {
            statement.execute("INSERT INTO content_item (bucket, object_key, title, size_bytes, content_type, tier, owner_team, created_by) "
                    + "SELECT '" + config.bucket() + "', 'bench/catalog/' || g || '.bin', 'Benchmark item ' || g, g, "
                    + "'application/octet-stream', CASE WHEN g % 10 = 0 THEN 'PREMIUM' ELSE 'STANDARD' END, 'team-a', 'bench' "
                    + "FROM generate_series(1, " + count + ") g");
            statement.execute("ANALYZE content_item");
        }
    }

    private String wrk(Path tokens, String method, String path, String duration) throws IOException, InterruptedException {
        return wrk(tokens, method, path, duration, 50);
    }

    private String wrk(Path tokens, String method, String path, String duration, int connections)
            throws IOException, InterruptedException {
        return wrk(tokens, method, path, duration, connections, null);
    }

    private String wrk(Path tokens, String method, String path, String duration, int connections, String body)
            throws IOException, InterruptedException {
        return Wrk.run(tokens, method, "http://127.0.0.1:" + port + path, Integer.parseInt(duration.replace("s", "")),
                connections, body);
    }

    private static String loadAverage() {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
