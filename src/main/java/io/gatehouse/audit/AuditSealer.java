package io.gatehouse.audit;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;

/** Seals newly committed audit rows into the hash chain, every second. */
@ApplicationScoped
public class AuditSealer {

    private static final Logger LOG = Logger.getLogger(AuditSealer.class);

    private final AuditTrail trail;

    AuditSealer(AuditTrail trail) {
        this.trail = trail;
    }

    @Scheduled(every = "${gatehouse.audit.seal-every:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void seal() {
        try {
            trail.seal();
        } catch (RuntimeException e) {
            // The rows stay unsealed and are sealed on the next run; readiness shows a lost database anyway.
            LOG.warnf("Sealing the audit trail failed: %s", e.getMessage());
        }
    }
}
