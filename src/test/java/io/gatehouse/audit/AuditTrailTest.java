package io.gatehouse.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.gatehouse.support.Audit;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

@QuarkusTest
class AuditTrailTest {

    @Inject
    DataSource db;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    /**
     * Every admin and audit endpoint, by role: anonymous (401 for the API, login redirect for pages), user
     * (alice), premium (bob), auditor (dave), admin (carol). Admin-only write endpoints get an empty body, so an
     * admin passing the role check sees 400, never a change.
     */
    @Test
    void roleMatrixForAdminAndAuditEndpoints() {
        record Endpoint(String method, String path, int admin, int auditor, int user) {
            Endpoint(String method, String path, int admin, int auditor) {
                this(method, path, admin, auditor, 403);
            }
        }
        long aliceDeniedBefore = Audit.count(db, "alice", "ACCESS_DENIED", "DENIED");
        long daveDeniedBefore = Audit.count(db, "dave", "ACCESS_DENIED", "DENIED");
        // A row of its own to read: whatever ran before may have left the trail without row 1 (AuditAnchorTest removes rows).
        long row = insert("matrix-" + UUID.randomUUID(), "TEST_EVENT", "SUCCEEDED");
        List<Endpoint> endpoints = List.of(
                new Endpoint("GET", "/api/admin/grants", 200, 403),
                new Endpoint("POST", "/api/admin/grants", 400, 403),
                new Endpoint("POST", "/api/admin/grants/1/revoke", 400, 403),
                new Endpoint("POST", "/api/admin/grants/revoke", 400, 403),
                new Endpoint("POST", "/api/admin/grants/import?dryRun=true", 422, 403),
                new Endpoint("POST", "/api/admin/items", 400, 403),
                new Endpoint("POST", "/api/admin/items/1/delete", 400, 403),
                new Endpoint("GET", "/api/admin/teams", 200, 403),
                new Endpoint("GET", "/api/admin/bucket/cors", 200, 403),
                new Endpoint("GET", "/api/admin/bucket", 200, 403),
                new Endpoint("GET", "/api/admin/dashboard", 200, 403),
                new Endpoint("GET", "/admin/grants", 200, 403),
                new Endpoint("GET", "/admin/grants/import", 200, 403),
                new Endpoint("GET", "/admin/teams", 200, 403),
                new Endpoint("GET", "/admin/teams/team-a", 200, 403),
                new Endpoint("GET", "/admin/dashboard", 200, 403),
                new Endpoint("GET", "/admin/bucket/cors", 200, 403),
                new Endpoint("GET", "/admin/bucket", 200, 403),
                new Endpoint("GET", "/api/audit", 200, 200),
                new Endpoint("GET", "/api/audit/" + row, 200, 200),
                new Endpoint("GET", "/api/audit/verify", 200, 200),
                new Endpoint("GET", "/api/audit/export.csv?actor=nobody", 200, 200),
                new Endpoint("GET", "/audit", 200, 200),
                new Endpoint("GET", "/audit/" + row, 200, 200),
                // Content: for users, premium users and admins; an auditor sees the audit trail and nothing else.
                new Endpoint("GET", "/api/items", 200, 403, 200),
                new Endpoint("GET", "/catalog", 200, 403, 200),
                new Endpoint("GET", "/downloads", 200, 403, 200));
        for (Endpoint endpoint : endpoints) {
            Map<String, Integer> expected = Map.of("alice", endpoint.user(), "bob", endpoint.user(), "dave", endpoint.auditor(),
                    "carol", endpoint.admin());
            for (var entry : expected.entrySet()) {
                var request = given().auth().oauth2(Tokens.of(entry.getKey())).redirects().follow(false);
                if (endpoint.method().equals("POST")) {
                    request = request.contentType(endpoint.path().contains("import") ? "text/csv" : "application/json").body("");
                }
                request.when().request(endpoint.method(), endpoint.path()).then()
                        .statusCode(org.hamcrest.Matchers.describedAs(endpoint + " as " + entry.getKey(),
                                equalTo(entry.getValue())));
            }
            int anonymous = endpoint.path().startsWith("/api/") ? 401 : 302;
            given().redirects().follow(false).when().request(endpoint.method(), endpoint.path()).then()
                    .statusCode(org.hamcrest.Matchers.describedAs(endpoint + " anonymous", equalTo(anonymous)));
        }
        // A non-admin at an admin URL leaves a denial row.
        // Exactly one denial row per refused request.
        assertThat(Audit.count(db, "alice", "ACCESS_DENIED", "DENIED"))
                .isEqualTo(aliceDeniedBefore + endpoints.stream().filter(e -> e.user() == 403).count());
        assertThat(Audit.count(db, "dave", "ACCESS_DENIED", "DENIED"))
                .isEqualTo(daveDeniedBefore + endpoints.stream().filter(e -> e.auditor() == 403).count());
    }

    @Test
    void theViewerShowsActorsByNameWithTheIdOnHoverAndReasonsByLabel() {
        given().auth().oauth2(Tokens.of("mallory")).get("/api/me").then().statusCode(200); // the directory knows her name
        given().auth().oauth2(Tokens.of("mallory")).get("/api/admin/teams").then().statusCode(403);
        String page = io.gatehouse.support.BrowserSession.signIn("dave").get("/audit?actor=mallory&action=ACCESS_DENIED").asString();
        assertThat(page).contains("<td title=\"mallory\">Mallory</td>").contains("<td title=\"role\">role not allowed</td>");
        // The export keeps the id and the code.
        String csv = given().auth().oauth2(Tokens.of("dave")).get("/api/audit/export.csv?actor=mallory&action=ACCESS_DENIED").asString();
        assertThat(csv).contains(",mallory,ACCESS_DENIED,DENIED,role,");
    }

    @Test
    void viewerFiltersAndPagesNewestFirst() {
        String actor = "auditee-" + UUID.randomUUID();
        for (int i = 0; i < 60; i++) {
            given().auth().oauth2(Tokens.of(actor)).when().post("/api/items/999999999/download-url"); // 404, no row
            insert(actor, i % 2 == 0 ? "DOWNLOAD_DENIED" : "DOWNLOAD_URL_ISSUED", i % 2 == 0 ? "DENIED" : "ALLOWED");
        }
        var first = given().auth().oauth2(Tokens.of("dave")).queryParam("actor", actor)
                .when().get("/api/audit").then().statusCode(200).extract().jsonPath();
        List<Long> ids = first.getList("rows.id", Long.class);
        assertThat(ids).hasSize(50).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        var second = given().auth().oauth2(Tokens.of("dave")).queryParam("actor", actor)
                .queryParam("before", first.getLong("nextBefore"))
                .when().get("/api/audit").then().statusCode(200).extract().jsonPath();
        assertThat(second.getList("rows.id", Long.class)).hasSize(10).doesNotContainAnyElementsOf(ids);

        given().auth().oauth2(Tokens.of("dave")).queryParam("actor", actor).queryParam("outcome", "DENIED")
                .when().get("/api/audit").then().statusCode(200)
                .body("rows.size()", equalTo(30)).body("rows.outcome", everyItem(equalTo("DENIED")))
                .body("rows.rowHash", everyItem(notNullValue()));
        given().auth().oauth2(Tokens.of("dave")).queryParam("from", "yesterday")
                .when().get("/api/audit").then().statusCode(400).body("field", equalTo("from"));
    }

    /** A resource prefix pages newest first and matches by prefix only (wildcards in it match themselves). */
    @Test
    void theResourceFilterPagesNewestFirst() {
        String prefix = "gatehouse-demo/tests/" + UUID.randomUUID() + "/a_";
        List<Long> inserted = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            inserted.add(insert("resource-test", "TEST_EVENT", "SUCCEEDED", prefix + i));
        }
        insert("resource-test", "TEST_EVENT", "SUCCEEDED", prefix.replace("a_", "ab") + "x"); // '_' is no wildcard
        List<Long> newestFirst = new java.util.ArrayList<>(inserted);
        java.util.Collections.reverse(newestFirst);
        var first = given().auth().oauth2(Tokens.of("dave")).queryParam("resource", prefix)
                .when().get("/api/audit").then().statusCode(200).extract().jsonPath();
        assertThat(first.getList("rows.id", Long.class)).containsExactlyElementsOf(newestFirst.subList(0, 50));
        var second = given().auth().oauth2(Tokens.of("dave")).queryParam("resource", prefix)
                .queryParam("before", first.getLong("nextBefore")).when().get("/api/audit").then().statusCode(200)
                .extract().jsonPath();
        assertThat(second.getList("rows.id", Long.class)).containsExactlyElementsOf(newestFirst.subList(50, 60));
        assertThat(second.getString("nextBefore")).isNull();

        // Buried under newer rows of other resources, the same rows come from the resource index, in the same order.
        try (var connection = db.getConnection(); var statement = connection.createStatement()) {
            statement.execute("INSERT INTO audit_event (actor, action, outcome, resource) SELECT 'resource-test', 'TEST_EVENT', "
                    + "'SUCCEEDED', 'gatehouse-demo/elsewhere/' || g FROM generate_series(1, " + (AuditTrail.RECENT_WINDOW + 1) + ") g");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        var buried = given().auth().oauth2(Tokens.of("dave")).queryParam("resource", prefix)
                .when().get("/api/audit").then().statusCode(200).extract().jsonPath();
        assertThat(buried.getList("rows.id", Long.class)).containsExactlyElementsOf(newestFirst.subList(0, 50));
    }

    @Test
    void csvExportStreamsTheFilteredRowsSafely() {
        String actor = "exported-" + UUID.randomUUID();
        insert(actor, "=HYPERLINK(\"evil\")", "SUCCEEDED");
        insert(actor, "GRANT_CREATED", "SUCCEEDED");
        String csv = given().auth().oauth2(Tokens.of("dave")).queryParam("actor", actor)
                .when().get("/api/audit/export.csv").then().statusCode(200)
                .header("Content-Type", org.hamcrest.Matchers.startsWith("text/csv")).extract().asString();
        String[] lines = csv.split("\r\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("id,occurred_at,actor,action");
        assertThat(lines[1]).contains(",GRANT_CREATED,");
        assertThat(lines[2]).contains(",\"'=HYPERLINK(\"\"evil\"\")\",");
    }

    @Test
    void theHashChainVerifierPassesOnAnIntactChainAndFindsATamperedRow() throws Exception {
        insert("chain-" + UUID.randomUUID(), "TEST_EVENT", "SUCCEEDED");
        verification().body("intact", equalTo(true));

        String victim = "victim-" + UUID.randomUUID();
        long tampered = insert(victim, "DOWNLOAD_URL_ISSUED", "ALLOWED");
        insert("after-" + UUID.randomUUID(), "TEST_EVENT", "SUCCEEDED");
        // Verifying seals the new rows first; then a superuser pauses the append-only trigger and rewrites history.
        verification().body("intact", equalTo(true));
        String admin = jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1) + "gatehouse";
        try (var connection = java.sql.DriverManager.getConnection(admin, "postgres", "postgres");
                var statement = connection.createStatement()) {
            statement.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete");
            statement.execute("UPDATE audit_event SET actor = 'someone-innocent' WHERE id = " + tampered);
            statement.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
        }
        try {
            verification().body("intact", equalTo(false))
                    .body("firstBrokenId", equalTo((int) tampered))
                    .body("problem", equalTo("content changed"));
        } finally {
            // Put the row back as it was: the chain is intact again, for the other tests.
            try (var connection = java.sql.DriverManager.getConnection(admin, "postgres", "postgres");
                    var statement = connection.createStatement()) {
                statement.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete");
                statement.execute("UPDATE audit_event SET actor = '" + victim + "' WHERE id = " + tampered);
                statement.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_delete");
            }
        }

        // A row removed behind Gatehouse's back leaves its seal without a row: found there, then put back.
        try (var connection = java.sql.DriverManager.getConnection(admin, "postgres", "postgres");
                var statement = connection.createStatement()) {
            statement.execute("SET session_replication_role = replica");
            statement.execute("CREATE TEMP TABLE kept AS SELECT * FROM audit_event WHERE id = " + tampered);
            statement.execute("DELETE FROM audit_event WHERE id = " + tampered);
            try {
                verification().body("intact", equalTo(false))
                        .body("firstBrokenId", equalTo((int) tampered))
                        .body("problem", equalTo("row removed (its seal is still in the chain)"));
            } finally {
                statement.execute("INSERT INTO audit_event OVERRIDING SYSTEM VALUE SELECT * FROM kept");
            }
        }
        verification().body("intact", equalTo(true));
    }

    /** The auditor's verification of the chain, answered 200. */
    private static io.restassured.response.ValidatableResponse verification() {
        return given().auth().oauth2(Tokens.of("dave")).when().get("/api/audit/verify").then().statusCode(200);
    }

    /** A committed row is sealed into the chain by the app itself, soon, without anyone asking for a verification. */
    @Test
    void aCommittedRowIsSealedInTheBackground() {
        long row = insert("sealed-" + UUID.randomUUID(), "TEST_EVENT", "SUCCEEDED");
        io.gatehouse.support.Fixtures.awaitPositive(db, 10, "row " + row + " not sealed within 10 s",
                "SELECT count(*) FROM audit_seal WHERE event_id = ?", row);
        assertThat(io.gatehouse.support.Fixtures.number(db, "SELECT count(*) FROM audit_unsealed WHERE event_id = ?", row)).isZero();
    }

    private long insert(String actor, String action, String outcome) {
        return insert(actor, action, outcome, null);
    }

    private long insert(String actor, String action, String outcome, String resource) {
        try (var connection = db.getConnection(); var insert = connection.prepareStatement(
                "INSERT INTO audit_event (actor, action, outcome, resource) VALUES (?, ?, ?, ?) RETURNING id")) {
            insert.setString(1, actor);
            insert.setString(2, action);
            insert.setString(3, outcome);
            insert.setString(4, resource);
            var rows = insert.executeQuery();
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
