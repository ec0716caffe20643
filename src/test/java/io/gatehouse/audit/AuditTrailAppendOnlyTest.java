package io.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The audit table refuses changes at the database level, whatever the application code does. */
@QuarkusTest
class AuditTrailAppendOnlyTest {

    @Inject
    DataSource dataSource;

    @Test
    void auditRowsCannotBeUpdatedDeletedOrTruncated() throws Exception {
        long id;
        try (var connection = dataSource.getConnection();
                var insert = connection.prepareStatement(
                        "INSERT INTO audit_event (actor, action, outcome, resource) VALUES ('tester', 'TEST_EVENT', 'SUCCEEDED', 'x') RETURNING id")) {
            var rows = insert.executeQuery();
            rows.next();
            id = rows.getLong(1);
        }

        assertRefused("UPDATE audit_event SET actor = 'someone-else' WHERE id = " + id);
        assertRefused("UPDATE audit_event SET details = '{\"forged\": true}' WHERE id = " + id);
        assertRefused("DELETE FROM audit_event WHERE id = " + id);
        assertRefused("TRUNCATE audit_event");

        // Its seal, once made, is as fixed as the row.
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.execute("SELECT audit_event_seal(2147483647)");
        }
        String seal = "(SELECT chain_seq FROM audit_seal WHERE event_id = " + id + ")";
        assertRefused("UPDATE audit_seal SET row_hash = '\\x00' WHERE chain_seq = " + seal);
        assertRefused("DELETE FROM audit_seal WHERE chain_seq = " + seal);
        assertRefused("TRUNCATE audit_seal");

        try (var connection = dataSource.getConnection();
                var rows = connection.createStatement().executeQuery("SELECT actor FROM audit_event WHERE id = " + id)) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("tester");
        }
    }

    private void assertRefused(String sql) {
        assertThatThrownBy(() -> {
            try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }).isInstanceOf(SQLException.class).hasMessageContaining("append-only");
    }
}
