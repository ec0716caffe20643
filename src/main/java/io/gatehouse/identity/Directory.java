package io.gatehouse.identity;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import io.gatehouse.db.Sql;
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

    private final Sql sql;
    private final Event<UserSeen> seenEvents;
    private final Map<CurrentUser, Long> recorded = new ConcurrentHashMap<>();

    Directory(Sql sql, Event<UserSeen> seenEvents) {
        this.sql = sql;
        this.seenEvents = seenEvents;
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
        sql.update("note user " + user.id(), """
                INSERT INTO known_user (id, display_name, teams) VALUES (?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, teams = excluded.teams,
                                               last_seen_at = now()""", user.id(), user.displayName(), user.teams());
        // The teams the user belongs to are noted by their owner (teams.TeamDirectory), in this transaction.
        seenEvents.fire(new UserSeen(user));
    }

    /** Which of these user ids have been seen. */
    public Set<String> knownUsers(List<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return Set.copyOf(sql.list("read the directory", "SELECT id FROM known_user WHERE id = ANY (?)", row -> row.getString(1), ids));
    }

    /** Up to {@code limit} user ids, most recently seen first (for pickers). */
    public List<String> recentUsers(int limit) {
        return sql.list("read the directory", "SELECT id FROM known_user ORDER BY last_seen_at DESC LIMIT ?", row -> row.getString(1),
                limit);
    }

    /** Display names of these user ids, where the directory knows them (for the audit viewer). */
    public Map<String, String> displayNames(Collection<String> ids) {
        Map<String, String> names = new HashMap<>();
        if (!ids.isEmpty()) {
            sql.list("read the directory", "SELECT id, display_name FROM known_user WHERE id = ANY (?)",
                    row -> names.put(row.getString(1), row.getString(2)), ids);
        }
        return names;
    }
}
