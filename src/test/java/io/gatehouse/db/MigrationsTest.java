package io.gatehouse.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class MigrationsTest {

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    /** A new, empty database on the test server, named {@code prefix} and a number; its JDBC URL. */
    private String newDatabase(String prefix) throws java.sql.SQLException {
        String database = prefix + System.nanoTime();
        try (var admin = DriverManager.getConnection(serverUrl() + "postgres", "postgres", "postgres");
                var statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        return serverUrl() + database;
    }

    private String serverUrl() {
        return jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1);
    }

    @Test
    void migrationsApplyOnAnEmptyDatabase() throws Exception {
        String emptyDatabase = newDatabase("migrations_check_");

        var result = Flyway.configure()
                .dataSource(emptyDatabase, "postgres", "postgres")
                .locations("classpath:db/migration")
                // As the app passes it (quarkus.flyway.placeholders.runtime_user): here one login owns and runs all.
                .placeholders(java.util.Map.of("runtime_user", ""))
                .load()
                .migrate();

        assertThat(result.success).isTrue();
        assertThat(result.migrationsExecuted).isGreaterThanOrEqualTo(1);
        List<String> tables = new ArrayList<>();
        try (var connection = DriverManager.getConnection(emptyDatabase, "postgres", "postgres");
                var rows = connection.createStatement().executeQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
            // Every column is part of a row's canonical text (audit_event_canonical, V20), which seals it: a new
            // column must be added there, and here.
            List<String> auditColumns = new ArrayList<>();
            try (var columns = connection.createStatement().executeQuery(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_event' ORDER BY ordinal_position")) {
                while (columns.next()) {
                    auditColumns.add(columns.getString(1));
                }
            }
            assertThat(auditColumns).containsExactly("id", "occurred_at", "actor", "action", "outcome", "reason", "resource",
                    "grant_id", "client_ip", "user_agent", "details");
        }
        assertThat(tables).contains("team", "content_item", "access_grant", "upload_session", "audit_event", "audit_seal");
    }

    /** V20 moved the seals out of audit_event: what was sealed before stays sealed, and valid, and the rest is sealed after. */
    @Test
    void sealsMadeBeforeTheyMovedStillHold() throws Exception {
        String database = newDatabase("migrations_seals_");
        var flyway = Flyway.configure().dataSource(database, "postgres", "postgres")
                .locations("classpath:db/migration").placeholders(java.util.Map.of("runtime_user", ""));
        flyway.target("19").load().migrate();
        try (var connection = DriverManager.getConnection(database, "postgres", "postgres");
                var statement = connection.createStatement()) {
            statement.execute("INSERT INTO audit_event (actor, action, outcome, details) SELECT 'old-' || n, 'TEST_EVENT', "
                    + "'SUCCEEDED', jsonb_build_object('n', n) FROM generate_series(1, 3) n");
            statement.execute("SELECT audit_event_seal(2147483647)");
            statement.execute("INSERT INTO audit_event (actor, action, outcome) VALUES ('waiting', 'TEST_EVENT', 'SUCCEEDED')");
        }
        flyway.target("latest").load().migrate();
        try (var connection = DriverManager.getConnection(database, "postgres", "postgres");
                var statement = connection.createStatement()) {
            assertThat(longs(statement, "SELECT chain_seq FROM audit_seal ORDER BY chain_seq")).containsExactly(1L, 2L, 3L);
            assertThat(longs(statement, "SELECT count(*) FROM audit_unsealed")).containsExactly(1L);
            assertThat(longs(statement, "SELECT audit_event_seal(2147483647)")).containsExactly(1L);
            // Each seal is the hash of its row's canonical text and the previous seal: the three made by V19's sealer too.
            assertThat(longs(statement, """
                    SELECT count(*) FROM (SELECT s.row_hash = sha256(s.prev_hash || audit_event_canonical(e, s.chain_seq))
                        AND s.prev_hash = coalesce(lag(s.row_hash) OVER (ORDER BY s.chain_seq), '\\x'::bytea) AS holds
                        FROM audit_seal s JOIN audit_event e ON e.id = s.event_id) chain WHERE holds""")).containsExactly(4L);
            assertThat(longs(statement, "SELECT count(*) FROM audit_unsealed")).containsExactly(0L);
        }
    }

    private static List<Long> longs(java.sql.Statement statement, String sql) throws java.sql.SQLException {
        List<Long> values = new ArrayList<>();
        try (var rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                values.add(rows.getLong(1));
            }
        }
        return values;
    }
}
