package io.gatehouse.teams;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;

/**
 * What a team's quota holds: its listed files, and the uploads that reserve their declared size — while they are
 * open, and after they ended for as long as a URL signed for them may still write (V9: linger_until). One query
 * for the upload check and the teams page alike.
 */
@ApplicationScoped
public class TeamUsage {

    /** The sessions that still reserve their size; the first condition is the "live" partial index's predicate. */
    private static final String RESERVING = """
            (status IN ('PENDING', 'VERIFYING') OR (status <> 'VERIFIED' AND (swept_at IS NULL OR swept_at <= linger_until)))
            AND (status IN ('PENDING', 'VERIFYING') OR linger_until > now())""";

    private final Sql sql;

    TeamUsage(Sql sql) {
        this.sql = sql;
    }

    /**
     * Bytes one team's quota holds: its stored files (kept on the team row by V15's trigger, so the cost does not grow
     * with the files) and the reserving uploads (indexed: V5, V9).
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long bytes(String team) {
        return sql.one("read the team's usage", """
                SELECT coalesce((SELECT stored_bytes FROM team WHERE slug = ?), 0)
                     + (SELECT coalesce(sum(declared_size), 0) FROM upload_session WHERE team_slug = ? AND """ + RESERVING + ")",
                row -> row.getLong(1), team, team).orElse(0L);
    }

    /** Bytes each team's quota holds. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<String, Long> byTeam() {
        Map<String, Long> usage = new LinkedHashMap<>();
        sql.list("read team usage", """
                SELECT team, sum(bytes) FROM (
                    SELECT slug AS team, stored_bytes AS bytes FROM team WHERE stored_bytes > 0
                    UNION ALL
                    SELECT team_slug, declared_size FROM upload_session WHERE """ + RESERVING + """
                    ) used
                GROUP BY team""", row -> usage.put(row.getString(1), row.getLong(2)));
        return usage;
    }
}
