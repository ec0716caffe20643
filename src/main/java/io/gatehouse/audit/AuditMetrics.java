package io.gatehouse.audit;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;

import io.gatehouse.db.Sql;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Business meters for operators, counted from the audit rows as they commit (a rolled-back decision issued nothing,
 * so it counts nothing): URLs issued and refused by reason, uploads by outcome, and audit rows not sealed into the
 * hash chain yet. (KMS-backed URLs are metered where they are signed: storage.KmsBudget.)
 */
@ApplicationScoped
public class AuditMetrics {

    private static final Set<AuditAction> URLS_ISSUED = Set.of(AuditAction.DOWNLOAD_URL_ISSUED,
            AuditAction.UPLOAD_STARTED, AuditAction.UPLOAD_PARTS_SIGNED);
    private static final Set<AuditAction> URLS_DENIED = Set.of(AuditAction.DOWNLOAD_DENIED, AuditAction.UPLOAD_DENIED,
            AuditAction.ACCESS_DENIED, AuditAction.STEP_UP_REQUIRED);
    private static final Set<AuditAction> UPLOAD_OUTCOMES = Set.of(AuditAction.UPLOAD_STARTED,
            AuditAction.UPLOAD_VERIFIED, AuditAction.UPLOAD_REJECTED, AuditAction.UPLOAD_ABORTED,
            AuditAction.UPLOAD_EXPIRED);

    private final MeterRegistry registry;
    private final TransactionSynchronizationRegistry transactions;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    AuditMetrics(MeterRegistry registry, TransactionSynchronizationRegistry transactions, Sql sql) {
        this.registry = registry;
        this.transactions = transactions;
        Gauge.builder("gatehouse.audit.unsealed", sql, AuditMetrics::unsealed)
                .description("Audit rows committed but not sealed into the hash chain yet (should stay near zero)")
                .register(registry);
    }

    private static double unsealed(Sql sql) {
        // The rows waiting for the sealer (V20's short list, so this stays cheap); a lost database shows as NaN, not zero.
        try {
            return sql.one("count unsealed audit rows", "SELECT count(*) FROM audit_unsealed",
                    row -> row.getLong(1)).orElse(0L);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Counts the entry once the transaction that writes it commits. */
    void afterCommit(AuditEntry entry) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    count(entry);
                }
            }
        });
    }

    /** Counts an entry already committed. */
    void count(AuditEntry entry) {
        AuditAction action = AuditAction.valueOf(entry.action);
        if (URLS_ISSUED.contains(action)) {
            counter("gatehouse.urls.issued", "Pre-signed URLs handed out (an upload start counts once, its parts per batch)",
                    "action", entry.action).increment();
        }
        if (URLS_DENIED.contains(action)) {
            counter("gatehouse.urls.denied", "Requests for a URL or an action that were refused, by reason",
                    "action", entry.action, "reason", AuditReasons.isCode(entry.reason) ? entry.reason : "other").increment();
        }
        if (UPLOAD_OUTCOMES.contains(action)) {
            counter("gatehouse.uploads", "Uploads by what became of them", "outcome", entry.action).increment();
        }
    }

    /** Counters are made once per name and tags: counting sits on every audited request's commit. */
    private Counter counter(String name, String description, String... tags) {
        return counters.computeIfAbsent(name + String.join("\u0000", tags),
                key -> Counter.builder(name).description(description).tags(tags).register(registry));
    }
}
