package io.gatehouse.uploads;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.quarkus.scheduler.Scheduled;

/**
 * Uploads never completed within their window are aborted (multipart) and their objects removed, so nothing
 * unverified lingers in the bucket.
 */
@ApplicationScoped
public class AbandonedUploadsJob {

    private static final Logger LOG = Logger.getLogger(AbandonedUploadsJob.class);

    private final UploadService uploads;
    private final AuditService audit;

    AbandonedUploadsJob(UploadService uploads, AuditService audit) {
        this.uploads = uploads;
        this.audit = audit;
    }

    @Scheduled(every = "${gatehouse.uploads.cleanup-every:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        int cleaned = cleanUp(Instant.now());
        if (cleaned > 0) {
            LOG.infof("Cleaned up %d abandoned uploads", cleaned);
        }
    }

    /** Expires every pending upload whose window ended before {@code now}; returns how many. */
    @Transactional
    public int cleanUp(Instant now) {
        // SKIP LOCKED: several replicas may run this at once; each session is handled by exactly one.
        @SuppressWarnings("unchecked")
        List<UploadSession> expired = UploadSession.getEntityManager().createNativeQuery(
                "SELECT * FROM upload_session WHERE status = 'PENDING' AND expires_at < ?1 ORDER BY expires_at LIMIT 200 FOR UPDATE SKIP LOCKED",
                UploadSession.class).setParameter(1, now).getResultList();
        int cleaned = 0;
        for (UploadSession session : expired) {
            try {
                uploads.discardObject(session);
            } catch (software.amazon.awssdk.core.exception.SdkException e) {
                // One object the store will not remove now must not hold back the others: it stays pending, for the next run.
                LOG.warnf("Could not remove the partial upload %s yet: %s", session.id, e.getMessage());
                continue;
            }
            cleaned++;
            session.status = UploadSession.Status.EXPIRED;
            session.completedAt = now;
            session.rejectReason = "Not completed within its window; the partial upload was removed.";
            audit.record(AuditEntry.of("system", "UPLOAD_EXPIRED", AuditOutcome.SUCCEEDED)
                    .resource(session.bucket + "/" + session.objectKey)
                    .detail("uploadId", session.id.toString())
                    .detail("user", session.userId));
        }
        return cleaned;
    }
}
