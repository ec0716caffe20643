package io.gatehouse.uploads;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.gatehouse.db.Sql;
import io.quarkus.scheduler.Scheduled;

/**
 * The verifications this replica is running. While one runs, its session's {@code verifying_since} is renewed every
 * {@value #HEARTBEAT_SECONDS} s; a claim not renewed for {@link #STALE} was lost — its replica stopped, or could not
 * write the verdict because the database was away — and the next completion (or the cleanup job) takes the upload
 * over. A claim then ends within {@link #STALE} of its last sign of life, not after a window sized for the slowest
 * read-back of the largest file.
 */
@ApplicationScoped
class VerificationClaims {

    private static final Logger LOG = Logger.getLogger(VerificationClaims.class);
    static final int HEARTBEAT_SECONDS = 20;
    /** Four missed heartbeats, and within the two minutes the Upload page keeps asking for the verdict. */
    static final Duration STALE = Duration.ofSeconds(90);

    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    private final Sql sql;

    VerificationClaims(Sql sql) {
        this.sql = sql;
    }

    void running(UUID session) {
        running.add(session);
    }

    void ended(UUID session) {
        running.remove(session);
    }

    @Scheduled(every = HEARTBEAT_SECONDS + "s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renew() {
        if (running.isEmpty()) {
            return;
        }
        try {
            sql.update("renew verification claims", "UPDATE upload_session SET verifying_since = now() "
                    + "WHERE id = ANY(CAST(? AS uuid[])) AND status = 'VERIFYING'", running.stream().map(UUID::toString).toList());
        } catch (RuntimeException e) {
            // The claims age meanwhile; if the database stays away longer than STALE, others may take them over.
            LOG.warnf("Could not renew %d verification claims (next heartbeat tries again): %s", running.size(), e.getMessage());
        }
    }
}
