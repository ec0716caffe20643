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

    /** Bytes one team's quota holds (indexed: V5, V9). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public long bytes(String team) {
        return sql.one("read the team's usage", """
                SELECT (SELECT coalesce(sum(size_bytes), 0) FROM content_item WHERE owner_team = ?)
                     + (SELECT coalesce(sum(declared_size), 0) FROM upload_session WHERE team_slug = ? AND """ + RESERVING + ")",
                row -> row.getLong(1), team, team).orElse(0L);
    }

    /** Bytes each team's quota holds. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<String, Long> byTeam() {
        Map<String, Long> usage = new LinkedHashMap<>();
        sql.list("read team usage", """
                SELECT team, sum(bytes) FROM (
                    SELECT owner_team AS team, size_bytes AS bytes FROM content_item WHERE owner_team IS NOT NULL
                    UNION ALL
                    SELECT team_slug, declared_size FROM upload_session WHERE """ + RESERVING + """
                    ) used
                GROUP BY team""", row -> usage.put(row.getString(1), row.getLong(2)));
        return usage;
    }
}
