package io.gatehouse.teams;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;

/**
 * What a team's quota holds: its listed files and its open uploads, both kept on the team row by the database (V15,
 * V18), and the ended uploads that still reserve their declared size for as long as a URL signed for them may write
 * (V9: linger_until). One place for the upload check and the teams page alike.
 */
@ApplicationScoped
public class TeamUsage {

    /** Ended, unverified sessions that still reserve their size; the first two conditions are V18's index predicate. */
    private static final String LINGERING = "status IN ('REJECTED', 'ABORTED', 'EXPIRED')"
            + " AND (swept_at IS NULL OR swept_at <= linger_until) AND linger_until > now()";

    /**
     * Bytes one team's quota holds: its row's counters and its lingering sessions, a scalar subquery with one parameter
     * (the team). For the declaration, in a statement that runs after {@link #lock}. Its cost does not grow with the
     * team's files or its uploads in flight.
     */
    public static final String QUOTA_HELD = "(SELECT stored_bytes + open_reserved_bytes + (SELECT coalesce(sum(declared_size), 0)"
            + " FROM upload_session WHERE team_slug = t.slug AND " + LINGERING + ") FROM team t WHERE slug = ?)";

    private final Sql sql;

    TeamUsage(Sql sql) {
        this.sql = sql;
    }

    /** Bytes one team's quota holds (for display: nothing locked). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long bytes(String team) {
        return sql.one("read the team's usage", "SELECT " + QUOTA_HELD, row -> row.getLong(1), team).orElse(0L); // no team: 0
    }

    /**
     * Locks the team row to the end of the transaction: declarations into one team are serialised there (on every
     * replica), and while it is held nothing the team's quota holds can change (every change to it moves the row's
     * counters: V15, V18, V19). A statement after this one that reads {@link #QUOTA_HELD} therefore sees what the
     * quota holds, and cannot interleave with another's check and insert. The lock and that read are two statements:
     * a statement that waited for the lock would see the row as the other transaction left it but its uploads as they
     * were before (its snapshot), and miss an upload that ended meanwhile and still reserves its size.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lock(String team) {
        sql.one("lock the team", "SELECT 1 FROM team WHERE slug = ? FOR NO KEY UPDATE", row -> true, team);
    }

    /** Locks several team rows to the end of the transaction, in one order (by slug): see {@code uploads.UploadUsage#lockToEnd}. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lockAll(Collection<String> teams) {
        sql.list("lock the teams", "SELECT 1 FROM team WHERE slug = ANY(?) ORDER BY slug FOR NO KEY UPDATE", row -> true, teams);
    }

    /** Bytes each team's quota holds. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<String, Long> byTeam() {
        Map<String, Long> usage = new LinkedHashMap<>();
        sql.list("read team usage", """
                SELECT team, sum(bytes) FROM (
                    SELECT slug AS team, stored_bytes + open_reserved_bytes AS bytes FROM team
                    WHERE stored_bytes + open_reserved_bytes > 0
                    UNION ALL
                    SELECT team_slug, declared_size FROM upload_session WHERE\s""" + LINGERING + """
                    ) used
                GROUP BY team""", row -> usage.put(row.getString(1), row.getLong(2)));
        return usage;
    }
}
