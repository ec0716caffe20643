package io.gatehouse.uploads;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.db.Sql;
import io.gatehouse.storage.S3Config;
import io.gatehouse.teams.Team;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

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
    private static final Duration RECENTLY = Duration.ofSeconds(10);

    private final UploadService uploads;
    private final AuditService audit;
    private final Sql sql;
    private final S3Client s3;
    private final S3Config s3Config;
    private final UploadConfig config;
    private final UploadUsage usage;

    AbandonedUploadsJob(UploadService uploads, AuditService audit, Sql sql, S3Client s3, S3Config s3Config, UploadConfig config,
            UploadUsage usage) {
        this.uploads = uploads;
        this.audit = audit;
        this.sql = sql;
        this.s3 = s3;
        this.s3Config = s3Config;
        this.config = config;
        this.usage = usage;
    }

    @Scheduled(every = "${gatehouse.uploads.cleanup-every:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        int cleaned = cleanUp(Instant.now());
        if (cleaned > 0) {
            LOG.infof("Cleaned up %d abandoned uploads", cleaned);
        }
    }

    /**
     * Ends open uploads whose window ended before {@code now} (a verification still running is left alone until it
     * is stale) or whose WRITE grant was revoked, then sweeps the keys of ended ones; returns how many it ended.
     */
    public int cleanUp(Instant now) {
        // A verification is left alone until its claim is stale: no longer renewed by a replica (VerificationClaims).
        int ended = end("""
                SELECT * FROM upload_session WHERE expires_at < ?1 AND (status = 'PENDING' OR status = 'VERIFYING'
                    AND verifying_since < CAST(?1 AS timestamptz) - CAST(?2 AS bigint) * interval '1 second')
                ORDER BY expires_at LIMIT %d FOR UPDATE SKIP LOCKED""", UploadSession.Status.EXPIRED, "window_ended",
                "Not completed within its window; the partial upload was removed.", now, VerificationClaims.STALE.toSeconds());
        ended += end("""
                SELECT s.* FROM upload_session s JOIN access_grant g ON g.id = s.write_grant_id
                WHERE s.status = 'PENDING' AND g.revoked_at IS NOT NULL
                LIMIT %d FOR UPDATE OF s SKIP LOCKED""", UploadSession.Status.REJECTED, "grant_revoked",
                "The WRITE grant that allowed this upload was revoked; the upload was stopped.");
        sweep(now);
        try {
            abortOrphans(now);
        } catch (SdkException e) {
            LOG.warnf("Could not look for orphaned multipart uploads now (next run tries again): %s", e.getMessage());
        }
        return ended;
    }

    /**
     * Multipart uploads under the team spaces that no open upload knows — a replica died between opening one at
     * the store and recording it — are aborted once they are older than any upload's window.
     */
    void abortOrphans(Instant now) {
        Instant olderThan = now.minus(config.sessionWindow()).minus(Duration.ofHours(1));
        int looked = 0;
        for (var upload : s3.listMultipartUploadsPaginator(r -> r.bucket(s3Config.bucket()).prefix(Team.SPACES)).uploads()) {
            if (++looked > 1000) {
                return; // the rest next run
            }
            if (upload.initiated() == null || !upload.initiated().isBefore(olderThan)) {
                continue;
            }
            boolean known = sql.one("look up a multipart upload", """
                    SELECT 1 FROM upload_session WHERE multipart_upload_id = ? AND status IN ('PENDING', 'VERIFYING')""",
                    row -> true, upload.uploadId()).isPresent();
            if (!known) {
                try {
                    uploads.discard(s3Config.bucket(), upload.key(), upload.uploadId());
                    QuarkusTransaction.requiringNew().run(() -> audit.record(
                            AuditEntry.of("system", AuditAction.UPLOAD_ORPHAN_ABORTED, AuditOutcome.SUCCEEDED)
                                    .resource(s3Config.bucket() + "/" + upload.key())
                                    .detail("initiated", upload.initiated().toString())));
                } catch (SdkException e) {
                    LOG.warnf("Could not abort the orphaned multipart upload of %s yet: %s", upload.key(), e.getMessage());
                }
            }
        }
    }

    /** Ends open sessions a batch at a time, each in one short transaction; their keys are swept right after, outside it. */
    private int end(String select, UploadSession.Status status, String code, String reason, Object... parameters) {
        // A full batch: there may be more (a backlog after an outage, or many uploads left open at once).
        int ended = 0;
        for (int batch = 0; batch < 50; batch++) {
            int now = endBatch(select, status, code, reason, parameters);
            ended += now;
            if (now < BATCH) {
                break;
            }
        }
        return ended;
    }

    private int endBatch(String select, UploadSession.Status status, String code, String reason, Object... parameters) {
        return QuarkusTransaction.requiringNew().call(() -> {
            var query = UploadSession.getEntityManager().createNativeQuery(select.formatted(BATCH), UploadSession.class);
            for (int i = 0; i < parameters.length; i++) {
                query.setParameter(i + 1, parameters[i]);
            }
            @SuppressWarnings("unchecked")
            List<UploadSession> due = query.getResultList();
            for (UploadSession session : due) {
                uploads.close(session, status, code, reason, null);
            }
            if (!due.isEmpty()) {
                // The updates written first, so that the teams and users are locked only for the commit.
                UploadSession.getEntityManager().flush();
                usage.lockToEnd(due);
            }
            return due.size();
        });
    }

    /**
     * One look at every ended upload's key whose URLs may still write, or that was not looked at since it ended, in
     * batches until none is left. A claim marks the look; a look after the URLs died is marked done only once it
     * succeeded, so a run that fails (or a replica that dies) halfway leaves it to the next run.
     */
    void sweep(Instant now) {
        for (int batch = 0; batch < 50 && sweepBatch(now) == BATCH; batch++) {
            // a full batch: there may be more
        }
    }

    private int sweepBatch(Instant now) {
        record Watched(UUID id, String userId, String bucket, String key, String multipartUploadId, boolean lastLook) {
        }
        List<Watched> due = QuarkusTransaction.requiringNew().call(() -> sql.list("claim uploads to sweep", """
                UPDATE upload_session SET swept_at = CASE WHEN linger_until < ? THEN linger_until ELSE ? END WHERE id IN (
                    SELECT id FROM upload_session
                    WHERE status IN ('REJECTED', 'ABORTED', 'EXPIRED')
                      AND (swept_at IS NULL OR (swept_at <= linger_until AND swept_at < ?))
                    ORDER BY linger_until NULLS FIRST LIMIT %d FOR UPDATE SKIP LOCKED)
                RETURNING id, user_id, bucket, object_key, multipart_upload_id, linger_until < ?""".formatted(BATCH),
                row -> new Watched(row.getObject(1, UUID.class), row.getString(2), row.getString(3), row.getString(4),
                        row.getString(5), row.getBoolean(6)),
                // Not again right after another run (a replica) looked: each run looks at a key once.
                now, now, now.minus(RECENTLY), now));
        for (Watched session : due) {
            try {
                if (uploads.discard(session.bucket(), session.key(), session.multipartUploadId())) {
                    QuarkusTransaction.requiringNew().run(() -> audit.record(
                            AuditEntry.of("system", AuditAction.UPLOAD_STRAY_REMOVED, AuditOutcome.SUCCEEDED)
                                    .reason("ended_upload_url")
                                    .resource(session.bucket() + "/" + session.key())
                                    .detail("uploadId", session.id().toString())
                                    .detail("user", session.userId())));
                }
                if (session.lastLook()) {
                    QuarkusTransaction.requiringNew().run(() -> UploadSession.update("sweptAt = ?1 where id = ?2", now, session.id()));
                }
            } catch (SdkException e) {
                // One object the store will not remove now must not hold back the others; it is looked at again.
                LOG.warnf("Could not clean up the key of upload %s yet: %s", session.id(), e.getMessage());
                QuarkusTransaction.requiringNew().run(() -> UploadSession.update("sweptAt = null where id = ?1", session.id()));
            }
        }
        return due.size();
    }
}
