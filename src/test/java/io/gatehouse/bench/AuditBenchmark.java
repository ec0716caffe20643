package io.gatehouse.bench;

import static io.restassured.RestAssured.given;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * On-demand: the audit trail at volume. Inserts {@code -Daudit.rows} rows (default 1,000,000) into the real
 * table, then times filtered viewer pages and the CSV export (rows/s) while sampling the heap.
 * Run: {@code ./mvnw verify -Dbenchmark -Dtest=AuditBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "benchmark", matches = ".*")
class AuditBenchmark {

    @Inject
    DataSource db;

    @Test
    void auditTrailAtVolume() throws Exception {
        int rows = Integer.getInteger("audit.rows", 1_000_000);
        long insertStart = System.nanoTime();
        try (var connection = db.getConnection(); var statement = connection.createStatement()) {
            statement.execute("INSERT INTO audit_event (actor, action, outcome, resource, details) "
                    + "SELECT 'bench-actor-' || (g % 1000), CASE WHEN g % 3 = 0 THEN 'DOWNLOAD_DENIED' ELSE 'DOWNLOAD_URL_ISSUED' END, "
                    + "CASE WHEN g % 3 = 0 THEN 'DENIED' ELSE 'ALLOWED' END, 'gatehouse-demo/bench/' || g, ('{\"n\":' || g || '}')::jsonb "
                    + "FROM generate_series(1, " + rows + ") g");
            statement.execute("ANALYZE audit_event");
        }
        System.out.printf("BENCH audit insert %d rows (sealed into the chain later, by the sealer): %.1f s%n", rows, (System.nanoTime() - insertStart) / 1e9);

        // Sealing throughput: how fast the sealer (every second, 50,000 rows a call) works through the backlog.
        long unsealedBefore = unsealed();
        long sealStart = System.nanoTime();
        while (System.nanoTime() - sealStart < 30e9 && unsealed() > 0) {
            Thread.sleep(1000); // a benchmark window, not a test wait
        }
        System.out.printf("BENCH audit sealing: %.0f rows/s (backlog %d -> %d rows in %.0f s)%n",
                (unsealedBefore - unsealed()) / ((System.nanoTime() - sealStart) / 1e9), unsealedBefore, unsealed(),
                (System.nanoTime() - sealStart) / 1e9);

        // The database's own time for the viewer's actor query (the page times below include HTTP, auth and JSON).
        try (var connection = db.getConnection(); var statement = connection.createStatement();
                var plan = statement.executeQuery("EXPLAIN (ANALYZE) SELECT * FROM audit_event WHERE true AND actor = 'bench-actor-42' "
                        + "ORDER BY id DESC LIMIT 51")) {
            while (plan.next()) {
                System.out.println("BENCH plan: " + plan.getString(1));
            }
        }

        String token = Tokens.of("dave");
        for (String filter : new String[] { "actor=bench-actor-42", "outcome=DENIED", "action=DOWNLOAD_URL_ISSUED&before=500000",
                "resource=gatehouse-demo/bench/77", "" }) {
            for (int i = 0; i < 5; i++) {
                given().auth().oauth2(token).get(filter.isEmpty() ? "/api/audit" : "/api/audit?" + filter).then().statusCode(200);
            }
            long start = System.nanoTime();
            int n = 20;
            for (int i = 0; i < n; i++) {
                given().auth().oauth2(token).get(filter.isEmpty() ? "/api/audit" : "/api/audit?" + filter).then().statusCode(200);
            }
            System.out.printf("BENCH audit page (%d rows, filter '%s'): %.1f ms per page (HTTP round trip included)%n",
                    rows, filter, (System.nanoTime() - start) / 1e6 / n);
        }

        var memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(baseline);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        long start = System.nanoTime();
        long bytes = 0;
        long lines = 0;
        // java.net.http streams the body (RestAssured would buffer all of it in this JVM and spoil the heap figure).
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/api/audit/export.csv"))
                .header("Authorization", "Bearer " + token).build();
        try (InputStream csv = java.net.http.HttpClient.newHttpClient()
                .send(request, java.net.http.HttpResponse.BodyHandlers.ofInputStream()).body()) {
            byte[] buffer = new byte[64 * 1024];
            for (int read; (read = csv.read(buffer)) > 0;) {
                bytes += read;
                for (int i = 0; i < read; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sampler.interrupt();
        System.out.printf("BENCH audit export: %d lines, %.0f MiB in %.1f s = %.0f rows/s; heap used before %.0f MiB, peak during export %.0f MiB (max heap %.0f MiB)%n",
                lines, bytes / 1048576.0, seconds, lines / seconds, baseline / 1048576.0, peak.get() / 1048576.0,
                memory.getHeapMemoryUsage().getMax() / 1048576.0);
        long verifyStart = System.nanoTime();
        String verification = given().auth().oauth2(token).get("/api/audit/verify").then().statusCode(200).extract().asString();
        System.out.printf("BENCH audit verify: %s in %.1f s%n", verification, (System.nanoTime() - verifyStart) / 1e9);
    }

    private long unsealed() throws java.sql.SQLException {
        try (var connection = db.getConnection(); var statement = connection.createStatement();
                var rows = statement.executeQuery("SELECT count(*) FROM audit_unsealed")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
