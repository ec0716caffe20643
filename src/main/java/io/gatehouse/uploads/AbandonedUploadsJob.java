package io.gatehouse.uploads;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.web.StoreUnavailable;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Nothing unverified lingers in the bucket. Uploads not completed within their window are expired; and for every
 * upload that ended unverified, the key is watched while a URL signed for it may still write: whatever appears there
 * is removed (and the multipart upload aborted again), once per run, until the URLs are dead and one last look found
 * nothing. Safe on several replicas at once: each run claims its sessions with SKIP LOCKED, and every step is
 * idempotent.
 */
@ApplicationScoped
public class AbandonedUploadsJob {

    private static final Logger LOG = Logger.getLogger(AbandonedUploadsJob.class);
    private static final int BATCH = 200;
    private static final java.time.Duration RECENTLY = java.time.Duration.ofSeconds(10);

    private final UploadService uploads;
    private final AuditService audit;
    private final DataSource db;

    AbandonedUploadsJob(UploadService uploads, AuditService audit, DataSource db) {
        this.uploads = uploads;
        this.audit = audit;
        this.db = db;
    }

    @Scheduled(every = "${gatehouse.uploads.cleanup-every:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        int cleaned = cleanUp(Instant.now());
        if (cleaned > 0) {
            LOG.infof("Cleaned up %d abandoned uploads", cleaned);
        }
    }

    /** Expires open uploads whose window ended before {@code now}, then sweeps ended ones; returns how many expired. */
    public int cleanUp(Instant now) {
        int expired = expire(now);
        sweep(now);
        return expired;
    }

    private int expire(Instant now) {
        List<UploadSession> expired = QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<UploadSession> due = UploadSession.getEntityManager().createNativeQuery(
                    "SELECT * FROM upload_session WHERE status IN ('PENDING', 'VERIFYING') AND expires_at < ?1 "
                            + "ORDER BY expires_at LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED",
                    UploadSession.class).setParameter(1, now).getResultList();
            for (UploadSession session : due) {
                uploads.close(session, UploadSession.Status.EXPIRED,
                        "Not completed within its window; the partial upload was removed.", null);
            }
            return due;
        });
        // Their keys are swept right away (below) and on every run while their URLs may still write.
        return expired.size();
    }

    /** One look at every ended upload's key whose URLs may still write, or that was never looked at since it ended. */
    void sweep(Instant now) {
        record Watched(UUID id, String userId, String bucket, String key, String multipartUploadId) {
        }
        List<Watched> due = QuarkusTransaction.requiringNew().call(() -> {
            try (var connection = db.getConnection(); var claim = connection.prepareStatement("""
                    UPDATE upload_session SET swept_at = ? WHERE id IN (
                        SELECT id FROM upload_session
                        WHERE status IN ('REJECTED', 'ABORTED', 'EXPIRED')
                          AND (swept_at IS NULL OR (swept_at <= linger_until AND swept_at < ?))
                        ORDER BY linger_until NULLS FIRST LIMIT %d FOR UPDATE SKIP LOCKED)
                    RETURNING id, user_id, bucket, object_key, multipart_upload_id""".formatted(BATCH))) {
                claim.setTimestamp(1, Timestamp.from(now));
                // Not again right after another run (a replica) looked: each run looks at a key once.
                claim.setTimestamp(2, Timestamp.from(now.minus(RECENTLY)));
                List<Watched> claimed = new ArrayList<>();
                try (var rows = claim.executeQuery()) {
                    while (rows.next()) {
                        claimed.add(new Watched(rows.getObject(1, UUID.class), rows.getString(2), rows.getString(3),
                                rows.getString(4), rows.getString(5)));
                    }
                }
                return claimed;
            } catch (SQLException e) {
                throw new StoreUnavailable("could not claim uploads to sweep: " + e.getMessage(), e);
            }
        });
        for (Watched session : due) {
            try {
                if (uploads.discard(session.bucket(), session.key(), session.multipartUploadId())) {
                    QuarkusTransaction.requiringNew().run(() -> audit.record(
                            AuditEntry.of("system", "UPLOAD_STRAY_REMOVED", AuditOutcome.SUCCEEDED)
                                    .reason("written through a URL of an upload that had ended")
                                    .resource(session.bucket() + "/" + session.key())
                                    .detail("uploadId", session.id().toString())
                                    .detail("user", session.userId())));
                }
            } catch (SdkException e) {
                // One object the store will not remove now must not hold back the others; it is looked at again.
                LOG.warnf("Could not clean up the key of upload %s yet: %s", session.id(), e.getMessage());
                QuarkusTransaction.requiringNew().run(() -> UploadSession.update("sweptAt = null where id = ?1", session.id()));
            }
        }
    }
}
