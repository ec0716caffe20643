package io.gatehouse.uploads;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;

/**
 * The declaration's own statements, plain JDBC: the user's uploads in flight, read under the lock that makes the
 * in-flight check and the insert atomic on every replica, and the insert itself. (The team's quota is
 * {@code teams.TeamUsage#lockedBytes}, read under the team row's lock.)
 */
@ApplicationScoped
class UploadUsage {

    private final Sql sql;

    UploadUsage(Sql sql) {
        this.sql = sql;
    }

    /**
     * The user's open uploads, read under the lock on the user's row (V21), held to the end of the transaction: one
     * user's declarations are serialised there (across teams and replicas), so that the in-flight limit holds under
     * concurrency. One statement, whatever the number of uploads in flight; the row is made on a user's first upload.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    long lockedOpenUploads(String user) {
        return sql.one("lock the user's uploads", "INSERT INTO upload_user (user_id) VALUES (?) ON CONFLICT (user_id) "
                + "DO UPDATE SET open_uploads = upload_user.open_uploads RETURNING open_uploads", row -> row.getLong(1), user)
                .orElseThrow();
    }

    /** Stores a declared session (plain JDBC, as the rest of the declaration: it runs without the ORM). */
    @Transactional(Transactional.TxType.MANDATORY)
    void insert(UploadSession session) {
        sql.update("store the upload", """
                INSERT INTO upload_session (id, team_slug, user_id, bucket, object_key, original_filename, safe_filename,
                    declared_size, declared_content_type, declared_sha256_base64, sse_mode, kms_key_id, access_point_arn,
                    client_encryption, multipart, write_grant_id, linger_until, status, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                session.id, session.teamSlug, session.userId, session.bucket, session.objectKey, session.originalFilename,
                session.safeFilename, session.declaredSize, session.declaredContentType, session.declaredSha256,
                session.sseMode.name(), session.kmsKeyId, session.accessPointArn, session.clientEncryption, session.multipart,
                session.writeGrantId == null ? Sql.NULL_BIGINT : session.writeGrantId, session.lingerUntil,
                session.status.name(), session.expiresAt);
    }
}
