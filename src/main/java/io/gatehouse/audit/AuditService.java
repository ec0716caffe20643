package io.gatehouse.audit;

import java.sql.SQLException;
import java.sql.Types;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.db.StoreUnavailable;

/**
 * Writes audit rows. Always inside the caller's transaction ({@code MANDATORY}): the row commits with the decision
 * it records or not at all, so a failed audit write undoes the decision. Plain JDBC on the transaction's
 * connection: this sits on every download's hot path, and an insert needs no ORM.
 */
@ApplicationScoped
public class AuditService {

    private static final String INSERT = """
            INSERT INTO audit_event (actor, action, outcome, reason, resource, grant_id, client_ip, user_agent, details)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)""";

    private final ObjectMapper json;
    private final DataSource dataSource;

    AuditService(ObjectMapper json, DataSource dataSource) {
        this.json = json;
        this.dataSource = dataSource;
    }

    /**
     * Records a row in a transaction of its own: for refusals, which must stay on record although the refused
     * request's own work never commits.
     */
    public void recordAlone(AuditEntry entry) {
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> record(entry));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(AuditEntry entry) {
        String details;
        try {
            details = json.writeValueAsString(entry.details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit details are not serialisable", e);
        }
        // The connection is the one enlisted in the current transaction; closing it hands it back to the pool.
        try (var connection = dataSource.getConnection(); var insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, entry.actor);
            insert.setString(2, entry.action);
            insert.setString(3, entry.outcome.name());
            insert.setString(4, entry.reason);
            insert.setString(5, entry.resource);
            if (entry.grantId == null) {
                insert.setNull(6, Types.BIGINT);
            } else {
                insert.setLong(6, entry.grantId);
            }
            insert.setString(7, entry.clientIp);
            insert.setString(8, entry.userAgent);
            insert.setString(9, details);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailable("audit row not written: " + e.getMessage(), e);
        }
    }

}
