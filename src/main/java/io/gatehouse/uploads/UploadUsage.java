package io.gatehouse.uploads;

import java.sql.SQLException;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.teams.Team;
import io.gatehouse.db.StoreUnavailable;

/**
 * What a team's quota and a user's in-flight limit already hold, read under the locks that make the check and the
 * insert that follows atomic on every replica. Plain JDBC on the transaction's connection: every declaration runs it.
 */
@ApplicationScoped
class UploadUsage {

    /**
     * A session reserves its declared size while it is open, and after it closed while a URL signed for it may still
     * write (V9: linger_until); the predicate is the "live" index's.
     */
    private static final String USAGE = """
            SELECT (SELECT coalesce(sum(size_bytes), 0) FROM content_item WHERE owner_team = ?)
                 + (SELECT coalesce(sum(declared_size), 0) FROM upload_session
                    WHERE team_slug = ?
                      AND (status IN ('PENDING', 'VERIFYING') OR (status <> 'VERIFIED' AND (swept_at IS NULL OR swept_at <= linger_until)))
                      AND (status IN ('PENDING', 'VERIFYING') OR linger_until > now())),
                   (SELECT count(*) FROM upload_session WHERE user_id = ? AND status IN ('PENDING', 'VERIFYING'))""";

    /** What the team's quota holds (listed items plus reserved uploads) and the user's open uploads. */
    record Usage(long teamBytes, long userOpen) {
    }

    private final DataSource db;

    UploadUsage(DataSource db) {
        this.db = db;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    Usage of(String team, String user) {
        try (var connection = db.getConnection(); var select = connection.prepareStatement(USAGE)) {
            select.setString(1, team);
            select.setString(2, team);
            select.setString(3, user);
            try (var rows = select.executeQuery()) {
                rows.next();
                return new Usage(rows.getLong(1), rows.getLong(2));
            }
        } catch (SQLException e) {
            throw new StoreUnavailable("could not read the team's usage: " + e.getMessage(), e);
        }
    }

    /**
     * Serialises one user's declarations until the transaction ends (across teams and replicas), so that the
     * in-flight limit holds under concurrency.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void lockUser(String user) {
        try (var connection = db.getConnection();
                var lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended('gatehouse-upload-user:' || ?, 0))")) {
            lock.setString(1, user);
            lock.execute();
        } catch (SQLException e) {
            throw new StoreUnavailable("could not lock the user's uploads: " + e.getMessage(), e);
        }
    }

    /** Stores a team the IdP names but Gatehouse has not seen yet (default policy); concurrent callers are fine. */
    @Transactional(Transactional.TxType.MANDATORY)
    void ensureTeam(String slug) {
        try (var connection = db.getConnection(); var insert = connection.prepareStatement(
                "INSERT INTO team (slug, display_name, key_prefix) VALUES (?, ?, ?) ON CONFLICT (slug) DO NOTHING")) {
            insert.setString(1, slug);
            insert.setString(2, slug);
            insert.setString(3, Team.keyPrefixFor(slug));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailable("could not store team " + slug + ": " + e.getMessage(), e);
        }
    }
}
