package io.gatehouse.uploads;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.gatehouse.db.Sql;
import io.quarkus.scheduler.Scheduled;

/**
 * The verifications this replica is running. While one runs, its session's {@code verifying_since} is renewed every
 * {@value #HEARTBEAT_SECONDS} s; a claim not renewed for {@link #STALE} was lost (its replica stopped) and the next
 * completion (or the cleanup job) takes the upload over. A claim this replica could neither decide nor give back, the
 * database being away, is given back by the first heartbeat the database answers.
 */
@ApplicationScoped
class VerificationClaims {

    private static final Logger LOG = Logger.getLogger(VerificationClaims.class);
    static final int HEARTBEAT_SECONDS = 20;
    /** Four missed heartbeats, and within the two minutes the Upload page keeps asking for the verdict. */
    static final Duration STALE = Duration.ofSeconds(90);

    private final Set<UUID> running = ConcurrentHashMap.newKeySet();
    /** Claims whose release could not be written (the database was away): given back at the next heartbeat. */
    private final Set<UUID> toRelease = ConcurrentHashMap.newKeySet();
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

    /** The claim is to be given back (the upload open again for the next completion) as soon as the database takes it. */
    void releaseLater(UUID session) {
        toRelease.add(session);
    }

    @Scheduled(every = HEARTBEAT_SECONDS + "s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renew() {
        if (!toRelease.isEmpty()) {
            List<UUID> releasing = List.copyOf(toRelease);
            try {
                sql.update("release verification claims", "UPDATE upload_session SET status = 'PENDING', verifying_since = NULL "
                        + "WHERE id = ANY(CAST(? AS uuid[])) AND status = 'VERIFYING'", releasing.stream().map(UUID::toString).toList());
                releasing.forEach(toRelease::remove);
            } catch (RuntimeException e) {
                LOG.warnf("Could not release %d verification claims (next heartbeat tries again): %s", releasing.size(), e.getMessage());
            }
        }
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
