package io.gatehouse.uploads;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;
import io.gatehouse.storage.SseMode;

/**
 * The completion's session rows by plain JDBC (as the declaration's insert, {@link UploadUsage}): read under the
 * row's lock into a detached {@link UploadSession}, changed in Java, written back with {@link #save}. The ORM never
 * holds these sessions, so nothing flushes them a second time.
 */
@ApplicationScoped
class UploadSessionRows {

    private static final String COLUMNS = """
            id, team_slug, user_id, bucket, object_key, original_filename, safe_filename, declared_size,
            declared_content_type, declared_sha256_base64, sse_mode, kms_key_id, access_point_arn, client_encryption,
            multipart, multipart_upload_id, write_grant_id, verifying_since, verification, linger_until, swept_at,
            status, reject_reason, content_item_id, expires_at, created_at, completed_at""";

    private final Sql sql;

    UploadSessionRows(Sql sql) {
        this.sql = sql;
    }

    /** The session, its row locked until the transaction ends (the key is not changed: NO KEY UPDATE). */
    @Transactional(Transactional.TxType.MANDATORY)
    Optional<UploadSession> locked(UUID id) {
        return sql.one("lock the upload", "SELECT " + COLUMNS + " FROM upload_session WHERE id = ? FOR NO KEY UPDATE",
                UploadSessionRows::session, id);
    }

    /** Writes back what a completion changes: the SHA-256 it brought, the claim, the verdict and how it ended. */
    @Transactional(Transactional.TxType.MANDATORY)
    void save(UploadSession session) {
        sql.update("record the upload's state", """
                UPDATE upload_session SET declared_sha256_base64 = ?, status = ?, verifying_since = ?, verification = ?,
                    reject_reason = ?, content_item_id = ?, completed_at = ?, swept_at = ?
                WHERE id = ?""",
                session.declaredSha256, session.status.name(), session.verifyingSince, session.verification,
                session.rejectReason, session.contentItemId == null ? Sql.NULL_BIGINT : session.contentItemId,
                session.completedAt, session.sweptAt, session.id);
    }

    private static UploadSession session(ResultSet row) throws SQLException {
        UploadSession session = new UploadSession();
        session.id = row.getObject("id", UUID.class);
        session.teamSlug = row.getString("team_slug");
        session.userId = row.getString("user_id");
        session.bucket = row.getString("bucket");
        session.objectKey = row.getString("object_key");
        session.originalFilename = row.getString("original_filename");
        session.safeFilename = row.getString("safe_filename");
        session.declaredSize = row.getLong("declared_size");
        session.declaredContentType = row.getString("declared_content_type");
        session.declaredSha256 = row.getString("declared_sha256_base64");
        session.sseMode = SseMode.valueOf(row.getString("sse_mode"));
        session.kmsKeyId = row.getString("kms_key_id");
        session.accessPointArn = row.getString("access_point_arn");
        session.clientEncryption = row.getString("client_encryption");
        session.multipart = row.getBoolean("multipart");
        session.multipartUploadId = row.getString("multipart_upload_id");
        session.writeGrantId = Sql.longOrNull(row, "write_grant_id");
        session.verifyingSince = Sql.instantOrNull(row, "verifying_since");
        session.verification = row.getString("verification");
        session.lingerUntil = Sql.instantOrNull(row, "linger_until");
        session.sweptAt = Sql.instantOrNull(row, "swept_at");
        session.status = UploadSession.Status.valueOf(row.getString("status"));
        session.rejectReason = row.getString("reject_reason");
        session.contentItemId = Sql.longOrNull(row, "content_item_id");
        session.expiresAt = Sql.instantOrNull(row, "expires_at");
        session.createdAt = Sql.instantOrNull(row, "created_at");
        session.completedAt = Sql.instantOrNull(row, "completed_at");
        return session;
    }
}
