package io.gatehouse.support;

import java.sql.SQLException;

import javax.sql.DataSource;

/** Reads the audit trail straight from PostgreSQL, to count what the app really wrote. */
public final class Audit {

    private Audit() {
    }

    public static long count(DataSource db, String actor, String action, String outcome) {
        try (var connection = db.getConnection();
                var query = connection.prepareStatement(
                        "SELECT count(*) FROM audit_event WHERE actor = ? AND action = ? AND outcome = ?")) {
            query.setString(1, actor);
            query.setString(2, action);
            query.setString(3, outcome);
            var rows = query.executeQuery();
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One detail of the newest row for an actor and action. */
    public static String lastDetail(DataSource db, String actor, String action, String detail) {
        try (var connection = db.getConnection();
                var query = connection.prepareStatement(
                        "SELECT details ->> ? FROM audit_event WHERE actor = ? AND action = ? ORDER BY id DESC LIMIT 1")) {
            query.setString(1, detail);
            query.setString(2, actor);
            query.setString(3, action);
            var rows = query.executeQuery();
            return rows.next() ? rows.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reason of the newest row for an actor and action. */
    public static String lastReason(DataSource db, String actor, String action) {
        try (var connection = db.getConnection();
                var query = connection.prepareStatement(
                        "SELECT reason FROM audit_event WHERE actor = ? AND action = ? ORDER BY id DESC LIMIT 1")) {
            query.setString(1, actor);
            query.setString(2, action);
            var rows = query.executeQuery();
            return rows.next() ? rows.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
