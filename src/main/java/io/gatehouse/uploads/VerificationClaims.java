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
    private static final String RELEASE = "UPDATE upload_session SET status = 'PENDING', verifying_since = NULL "
            + "WHERE id = ANY(CAST(? AS uuid[])) AND status = 'VERIFYING'";

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

    /**
     * Gives a claim back: the upload is open again for its next completion. If the database does not take it now
     * (it is away), the next heartbeat it answers does.
     */
    void release(UUID session, RuntimeException failure) {
        try {
            update("release a verification claim", RELEASE, List.of(session));
        } catch (RuntimeException stillAway) {
            failure.addSuppressed(stillAway);
            releaseLater(session);
        }
    }

    /** Given back by the next heartbeat the database answers. */
    void releaseLater(UUID session) {
        toRelease.add(session);
    }

    @Scheduled(every = HEARTBEAT_SECONDS + "s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void renew() {
        List<UUID> releasing = List.copyOf(toRelease);
        if (tried("release", RELEASE, releasing)) {
            releasing.forEach(toRelease::remove);
        }
        // Not renewed, the claims age; if the database stays away longer than STALE, others may take them over.
        tried("renew", "UPDATE upload_session SET verifying_since = now() WHERE id = ANY(CAST(? AS uuid[])) AND status = 'VERIFYING'",
                List.copyOf(running));
    }

    /** Whether the update went through (nothing to do counts); a failure is logged and left to the next heartbeat. */
    private boolean tried(String verb, String statement, List<UUID> sessions) {
        if (sessions.isEmpty()) {
            return true;
        }
        try {
            update(verb + " verification claims", statement, sessions);
            return true;
        } catch (RuntimeException e) {
            LOG.warnf("Could not %s %d verification claims (next heartbeat tries again): %s", verb, sessions.size(), e.getMessage());
            return false;
        }
    }

    private void update(String what, String statement, List<UUID> sessions) {
        sql.update(what, statement, sessions.stream().map(UUID::toString).toList());
    }
}
