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

    @Test
    void migrationsApplyOnAnEmptyDatabase() throws Exception {
        String emptyDatabase = "migrations_check_" + System.nanoTime();
        String serverUrl = jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1);
        try (var admin = DriverManager.getConnection(serverUrl + "postgres", "postgres", "postgres");
                var statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + emptyDatabase);
        }

        var result = Flyway.configure()
                .dataSource(serverUrl + emptyDatabase, "postgres", "postgres")
                .locations("classpath:db/migration")
                // As the app passes it (quarkus.flyway.placeholders.runtime_user): here one login owns and runs all.
                .placeholders(java.util.Map.of("runtime_user", ""))
                .load()
                .migrate();

        assertThat(result.success).isTrue();
        assertThat(result.migrationsExecuted).isGreaterThanOrEqualTo(1);
        List<String> tables = new ArrayList<>();
        try (var connection = DriverManager.getConnection(serverUrl + emptyDatabase, "postgres", "postgres");
                var rows = connection.createStatement().executeQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
            assertThat(connection.getMetaData().getDatabaseProductName()).isEqualTo("PostgreSQL");
            // The append-only trigger (V8) lets sealing change the chain columns only by comparing every other column
            // by name: a new column must be added there, and here.
            List<String> auditColumns = new ArrayList<>();
            try (var columns = connection.createStatement().executeQuery(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'audit_event' ORDER BY ordinal_position")) {
                while (columns.next()) {
                    auditColumns.add(columns.getString(1));
                }
            }
            assertThat(auditColumns).containsExactly("id", "occurred_at", "actor", "action", "outcome", "reason", "resource",
                    "grant_id", "client_ip", "user_agent", "details", "chain_seq", "prev_hash", "row_hash");
        }
        assertThat(tables).contains("team", "content_item", "access_grant", "upload_session", "audit_event");
    }
}
