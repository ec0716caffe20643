package io.gatehouse.uploads;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;

/**
 * A user's uploads in flight, read under the lock that makes the in-flight check and the insert that follows atomic
 * on every replica (the team's quota is {@code teams.TeamUsage#lockedBytes}, read under the team row's lock).
 */
@ApplicationScoped
class UploadUsage {

    private final Sql sql;

    UploadUsage(Sql sql) {
        this.sql = sql;
    }

    /** The user's open uploads, counted up to {@code limit} (indexed: V9; the count stops at the limit). */
    @Transactional(Transactional.TxType.MANDATORY)
    long openUploads(String user, int limit) {
        return sql.one("count the user's uploads", """
                SELECT count(*) FROM (SELECT 1 FROM upload_session WHERE user_id = ? AND status IN ('PENDING', 'VERIFYING')
                LIMIT ?) open""", row -> row.getLong(1), user, limit).orElse(0L);
    }

    /**
     * Serialises one user's declarations until the transaction ends (across teams and replicas), so that the
     * in-flight limit holds under concurrency.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void lockUser(String user) {
        sql.one("lock the user's uploads", "SELECT pg_advisory_xact_lock(hashtextextended('gatehouse-upload-user:' || ?, 0))",
                row -> true, user);
    }
}
