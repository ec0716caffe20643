package io.gatehouse.bench;

import static io.restassured.RestAssured.given;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * On-demand: the grants console over {@code -Dgrants.rows} grants (default 1,000,000) — each filter's first page and
 * a deep keyset page, as the admin's browser gets them (HTML rendered, HTTP round trip included).
 * Run: {@code ./mvnw verify -Dbenchmark -Dtest=GrantConsoleBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 */
@QuarkusTest
@EnabledIfSystemProperty(named = "benchmark", matches = ".*")
class GrantConsoleBenchmark {

    @Inject
    DataSource db;

    @Test
    void grantsConsoleAtVolume() throws Exception {
        int rows = Integer.getInteger("grants.rows", 1_000_000);
        long insertStart = System.nanoTime();
        try (var connection = db.getConnection(); var statement = connection.createStatement()) {
            // 10,000 users, 20 admins, one grant in 20 revoked, one in 10 expired.
            statement.execute("INSERT INTO access_grant (subject_type, subject, bucket, resource_type, resource, permission, "
                    + "valid_from, valid_until, reason, created_by, revoked_at, revoked_by, revoked_reason) "
                    + "SELECT 'USER', 'bench-user-' || (g % 10000), 'gatehouse-demo', 'PREFIX', 'bench/' || (g % 50000) || '/', "
                    + "CASE WHEN g % 4 = 0 THEN 'WRITE' ELSE 'READ' END, now() - interval '30 days', "
                    + "CASE WHEN g % 10 = 0 THEN now() - interval '1 day' ELSE now() + interval '30 days' END, 'bench', "
                    + "'bench-admin-' || (g % 20), CASE WHEN g % 20 = 0 THEN now() END, CASE WHEN g % 20 = 0 THEN 'bench-admin-0' END, "
                    + "CASE WHEN g % 20 = 0 THEN 'bench' END FROM generate_series(1, " + rows + ") g");
            statement.execute("ANALYZE access_grant");
        }
        System.out.printf("BENCH grants insert %d rows: %.1f s%n", rows, (System.nanoTime() - insertStart) / 1e9);
        String token = Tokens.of("carol");
        long deepCursor = rows / 2;
        for (String filter : new String[] { "", "subject=bench-user-42", "resource=bench/4242/", "resource=bench/42",
                "status=revoked", "status=expired", "status=active", "createdBy=bench-admin-7", "permission=WRITE",
                "before=" + deepCursor, "subject=bench-user-42&status=active&before=" + deepCursor }) {
            String path = "/admin/grants" + (filter.isEmpty() ? "" : "?" + filter);
            for (int i = 0; i < 5; i++) {
                given().auth().oauth2(token).accept("text/html").get(path).then().statusCode(200);
            }
            int n = 20;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                given().auth().oauth2(token).accept("text/html").get(path).then().statusCode(200);
            }
            System.out.printf("BENCH grants console page (%d grants, filter '%s'): %.1f ms per page (HTTP round trip included)%n",
                    rows, filter, (System.nanoTime() - start) / 1e6 / n);
        }
    }

    /** The largest accepted CSV (10,000 rows): dry run, then the all-or-nothing import. */
    @Test
    void csvImportOfTheLargestFile() {
        given().auth().oauth2(Tokens.of("alice")).get("/api/me").then().statusCode(200); // alice becomes a known user
        StringBuilder csv = new StringBuilder(String.join(",", io.gatehouse.grants.GrantImport.COLUMNS)).append('\n');
        String run = java.util.UUID.randomUUID().toString();
        for (int i = 0; i < io.gatehouse.grants.GrantImport.MAX_ROWS; i++) {
            csv.append("USER,alice,PREFIX,import-bench/").append(run).append('/').append(i).append("/,READ,,2030-01-01,,bench\n");
        }
        String token = Tokens.of("carol");
        for (boolean dryRun : new boolean[] { true, false }) {
            long start = System.nanoTime();
            given().auth().oauth2(token).contentType("text/csv").body(csv.toString())
                    .post("/api/admin/grants/import?dryRun=" + dryRun).then().statusCode(dryRun ? 200 : 201);
            System.out.printf("BENCH grants CSV %s of %d rows (%d KiB): %.1f s%n", dryRun ? "dry run" : "import",
                    io.gatehouse.grants.GrantImport.MAX_ROWS, csv.length() / 1024, (System.nanoTime() - start) / 1e9);
        }
    }
}
