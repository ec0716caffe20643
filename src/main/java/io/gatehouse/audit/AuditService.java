package io.gatehouse.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.db.Sql;

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
    private final Sql sql;
    private final AuditMetrics metrics;

    AuditService(ObjectMapper json, Sql sql, AuditMetrics metrics) {
        this.json = json;
        this.sql = sql;
        this.metrics = metrics;
    }

    private static Object text(String value) {
        return value == null ? Sql.NULL_TEXT : value;
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
        // On the transaction's own connection: the row commits with the decision, or neither does.
        sql.update("write the audit row", INSERT, entry.actor, entry.action, entry.outcome.name(), text(entry.reason),
                text(entry.resource), entry.grantId == null ? Sql.NULL_BIGINT : entry.grantId, text(entry.clientIp),
                text(entry.userAgent), details);
        metrics.afterCommit(entry);
    }

}
