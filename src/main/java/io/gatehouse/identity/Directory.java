package io.gatehouse.identity;

import java.sql.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.gatehouse.teams.Team;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The users and teams Gatehouse has seen in accepted tokens. Grant imports check subjects against it, and the
 * teams page lists every team the IdP names, stored settings or not. Written at most once an hour per user and
 * JVM (an in-memory note keeps the hot paths free of writes).
 */
@ApplicationScoped
public class Directory {

    private static final Logger LOG = Logger.getLogger(Directory.class);
    private static final long REFRESH_MILLIS = 3_600_000;

    private final DataSource db;
    private final Map<CurrentUser, Long> recorded = new ConcurrentHashMap<>();

    Directory(DataSource db) {
        this.db = db;
    }

    /** Notes the user (and their teams) as seen; never fails the request it is called from. */
    void seen(CurrentUser user) {
        long now = System.currentTimeMillis();
        Long last = recorded.get(user);
        if (last != null && now - last < REFRESH_MILLIS) {
            return;
        }
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            return; // no JDBC on the event loop; the next blocking request records it
        }
        if (recorded.size() > 100_000) {
            recorded.clear();
        }
        recorded.put(user, now);
        try {
            QuarkusTransaction.requiringNew().run(() -> record(user));
        } catch (RuntimeException e) {
            recorded.remove(user);
            LOG.warnf("Could not note user %s as seen: %s", user.id(), e.getMessage());
        }
    }

    private void record(CurrentUser user) {
        try (var connection = db.getConnection();
                var upsertUser = connection.prepareStatement("""
                        INSERT INTO known_user (id, display_name, teams) VALUES (?, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, teams = excluded.teams,
                                                       last_seen_at = now()""");
                var upsertTeam = connection.prepareStatement("""
                        INSERT INTO team (slug, display_name, key_prefix, last_seen_at) VALUES (?, ?, ?, now())
                        ON CONFLICT (slug) DO UPDATE SET last_seen_at = now()""")) {
            Array teams = connection.createArrayOf("text", user.teams().toArray());
            upsertUser.setString(1, user.id());
            upsertUser.setString(2, user.displayName());
            upsertUser.setArray(3, teams);
            upsertUser.executeUpdate();
            for (String team : user.teams()) {
                if (Team.SLUG.matcher(team).matches()) {
                    upsertTeam.setString(1, team);
                    upsertTeam.setString(2, team);
                    upsertTeam.setString(3, Team.keyPrefixFor(team));
                    upsertTeam.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Which of these user ids have been seen. */
    public Set<String> knownUsers(List<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(strings("SELECT id FROM known_user WHERE id = ANY (?)",
                (connection, select) -> select.setArray(1, connection.createArrayOf("text", ids.toArray()))));
    }

    /** Up to {@code limit} user ids, most recently seen first (for pickers). */
    public List<String> recentUsers(int limit) {
        return strings("SELECT id FROM known_user ORDER BY last_seen_at DESC LIMIT ?", (connection, select) -> select.setInt(1, limit));
    }

    private interface Binder {
        void bind(java.sql.Connection connection, java.sql.PreparedStatement select) throws SQLException;
    }

    private List<String> strings(String sql, Binder binder) {
        try (var connection = db.getConnection(); var select = connection.prepareStatement(sql)) {
            binder.bind(connection, select);
            List<String> values = new ArrayList<>();
            try (var rows = select.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
            return values;
        } catch (SQLException e) {
            throw new io.gatehouse.db.StoreUnavailable("could not read the directory: " + e.getMessage(), e);
        }
    }
}
