package io.gatehouse.uploads;

import java.util.Collection;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;
import io.gatehouse.teams.TeamUsage;

/**
 * The rows that count uploads, and the order their locks are taken in, plain JDBC. The declaration's last statement
 * runs under the team row's lock ({@code teams.TeamUsage#lock}): it locks the user's row (held to the end of the
 * transaction, so that the in-flight limit holds across teams and replicas), stores the session, and reads both counts
 * the limits are checked against, in one round trip: what the team's lock serialises waits for that lock's statement,
 * this one and the commit. Work that ends several uploads at once takes its locks through {@link #lockToEnd}.
 */
@ApplicationScoped
class UploadUsage {

    /** What the limits are checked against: neither count includes the session just stored. */
    record Admission(long openUploads, long teamBytes) {
    }

    private final Sql sql;
    private final TeamUsage teamUsage;

    UploadUsage(Sql sql, TeamUsage teamUsage) {
        this.sql = sql;
        this.teamUsage = teamUsage;
    }

    /**
     * For a transaction that ends several uploads at once (the cleanup job), just before its commit: locks their teams'
     * rows, then their users' rows, each in one order (by slug, by id), to the end of the transaction. At commit every
     * ended upload moves its team's counters, then its user's (V19, V21): team, user, team, user… Taken so instead, the
     * transaction never waits for a team while it holds a user, which closes no cycle with a declaration or a
     * completion (one team, then one user each), nor with another replica's job.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void lockToEnd(Collection<UploadSession> sessions) {
        teamUsage.lockAll(sessions.stream().map(session -> session.teamSlug).distinct().toList());
        sql.list("lock the users", "SELECT 1 FROM upload_user WHERE user_id = ANY(?) ORDER BY user_id FOR NO KEY UPDATE",
                row -> true, sessions.stream().map(session -> session.userId).distinct().toList());
    }

    /**
     * Stores a declared session and answers the user's uploads in flight and the bytes the team's quota holds. The
     * caller refuses (and the transaction rolls back, the session with it) if either is over its limit. The user's
     * row is made on a first upload; the database itself keeps its count whoever opens or ends a session (V21).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    Admission admit(UploadSession session) {
        return sql.one("store the upload", """
                WITH mine AS (
                    INSERT INTO upload_user (user_id) VALUES (?) ON CONFLICT (user_id)
                        DO UPDATE SET open_uploads = upload_user.open_uploads RETURNING open_uploads),
                stored AS (
                    INSERT INTO upload_session (id, team_slug, user_id, bucket, object_key, original_filename, safe_filename,
                        declared_size, declared_content_type, declared_sha256_base64, sse_mode, kms_key_id, access_point_arn,
                        client_encryption, multipart, write_grant_id, linger_until, status, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))
                SELECT open_uploads, """ + TeamUsage.QUOTA_HELD + " FROM mine",
                row -> new Admission(row.getLong(1), row.getLong(2)),
                session.userId,
                session.id, session.teamSlug, session.userId, session.bucket, session.objectKey, session.originalFilename,
                session.safeFilename, session.declaredSize, session.declaredContentType, session.declaredSha256,
                session.sseMode.name(), session.kmsKeyId, session.accessPointArn, session.clientEncryption, session.multipart,
                session.writeGrantId == null ? Sql.NULL_BIGINT : session.writeGrantId, session.lingerUntil,
                session.status.name(), session.expiresAt,
                session.teamSlug).orElseThrow();
    }
}
