package io.gatehouse.audit;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.db.Sql;
import io.gatehouse.web.RateLimits;

/**
 * Writes audit rows, plain JDBC. {@link #record}: inside the caller's transaction ({@code MANDATORY}), so the row
 * commits with the decision it records or not at all. {@link #recordCommitted}: for a decision that is nothing but
 * its row (a download URL, a refusal), committed before it returns, with concurrent requests' rows in one statement.
 */
@ApplicationScoped
public class AuditService {

    /** Rows in one statement: each column as an array, unnested in order (one prepared statement for any count). */
    private static final String INSERT = """
            INSERT INTO audit_event (actor, action, outcome, reason, resource, grant_id, client_ip, user_agent, details)
            SELECT actor, action, outcome, reason, resource, grant_id::bigint, client_ip, user_agent, details::jsonb
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                AS row (actor, action, outcome, reason, resource, grant_id, client_ip, user_agent, details)""";

    private final ObjectMapper json;
    private final Sql sql;
    private final AuditMetrics metrics;
    private final RateLimits rateLimits;
    /** Outside any transaction each statement commits by itself: all of a batch's rows, or none. */
    private final GroupCommit<AuditEntry> committed = new GroupCommit<>(this::insert);

    AuditService(ObjectMapper json, Sql sql, AuditMetrics metrics, RateLimits rateLimits) {
        this.json = json;
        this.sql = sql;
        this.metrics = metrics;
        this.rateLimits = rateLimits;
    }

    /**
     * Records a row in a transaction of its own: for refusals, which must stay on record although the refused
     * request's own work never commits.
     */
    public void recordAlone(AuditEntry entry) {
        limitDenials(entry);
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> record(entry));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public void record(AuditEntry entry) {
        // On the transaction's own connection: the row commits with the decision, or neither does.
        insert(List.of(entry));
        metrics.afterCommit(entry);
    }

    /**
     * Records a decision that is this one row (a download URL, a refusal): a statement of its own, committed when
     * this returns, so the caller may hand out what it records. Outside any transaction: no JTA on the hot path.
     */
    @Transactional(Transactional.TxType.NEVER)
    public void recordCommitted(AuditEntry entry) {
        limitDenials(entry);
        // Concurrent requests' rows share one statement and one commit (group commit); this returns after ours.
        committed.commit(entry);
        metrics.count(entry);
    }

    /**
     * A refusal that is nothing but its row is counted against the caller's denial limit: past it, 429 and no row, so
     * collecting refusals cannot grow the table without bound. (A refusal inside a larger decision, {@link #record},
     * is part of that decision and is not limited here.)
     */
    private void limitDenials(AuditEntry entry) {
        if (entry.outcome == AuditOutcome.DENIED) {
            rateLimits.take(RateLimits.Kind.DENIALS, entry.actor, entry.clientIp);
        }
    }

    private void insert(List<AuditEntry> entries) {
        List<List<String>> columns = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            columns.add(new ArrayList<>(entries.size()));
        }
        for (AuditEntry entry : entries) {
            columns.get(0).add(entry.actor);
            columns.get(1).add(entry.action);
            columns.get(2).add(entry.outcome.name());
            columns.get(3).add(entry.reason);
            columns.get(4).add(entry.resource);
            columns.get(5).add(entry.grantId == null ? null : entry.grantId.toString());
            columns.get(6).add(entry.clientIp);
            columns.get(7).add(entry.userAgent);
            columns.get(8).add(details(entry));
        }
        sql.update(entries.size() == 1 ? "write the audit row" : "write " + entries.size() + " audit rows", INSERT,
                columns.toArray());
    }

    private String details(AuditEntry entry) {
        return DetailsJson.write(entry.details, json);
    }

}
