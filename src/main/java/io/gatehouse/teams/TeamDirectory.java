package io.gatehouse.teams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;
import io.gatehouse.identity.UserSeen;
import io.gatehouse.storage.SseMode;

/**
 * The one writer of team rows for teams the IdP names: a team appears the first time a token names it (with the
 * default policy) and its last sighting is kept for the teams page. Admins change the rest ({@link TeamService}).
 */
@ApplicationScoped
public class TeamDirectory {

    private final Sql sql;

    TeamDirectory(Sql sql) {
        this.sql = sql;
    }

    /** A user was seen: note each of their teams (in the transaction that records the user). */
    void seen(@Observes UserSeen seen) {
        for (String team : seen.user().teams()) {
            if (Team.SLUG.matcher(team).matches()) {
                sql.update("note team " + team, """
                        INSERT INTO team (slug, display_name, key_prefix, last_seen_at) VALUES (?, ?, ?, now())
                        ON CONFLICT (slug) DO UPDATE SET last_seen_at = now()""", team, team, Team.keyPrefixFor(team));
            }
        }
    }

    /**
     * A team's settings in one indexed read, plain JDBC (the declaration's hot path, which runs without the ORM): a
     * detached {@link Team}, to read, not to change. Null if there is no such team.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Team read(String slug) {
        return sql.one("read team " + slug, "SELECT display_name, key_prefix, allowed_content_types, max_object_bytes, "
                + "quota_bytes, max_files_per_session, sse_mode, kms_key_id, client_side_encryption, members_read "
                + "FROM team WHERE slug = ?", row -> {
                    Team team = new Team();
                    team.slug = slug;
                    team.displayName = row.getString(1);
                    team.keyPrefix = row.getString(2);
                    java.sql.Array types = row.getArray(3);
                    team.allowedContentTypes = types == null ? null : java.util.List.of((String[]) types.getArray());
                    team.maxObjectBytes = Sql.longOrNull(row, "max_object_bytes");
                    team.quotaBytes = Sql.longOrNull(row, "quota_bytes");
                    int maxFiles = row.getInt(6);
                    team.maxFilesPerSession = row.wasNull() ? null : maxFiles;
                    team.sseMode = SseMode.valueOf(row.getString(7));
                    team.kmsKeyId = row.getString(8);
                    team.clientSideEncryption = row.getBoolean(9);
                    team.membersRead = row.getBoolean(10);
                    return team;
                }, slug).orElse(null);
    }

    /** Makes sure a team the IdP names has a row (the default policy) before something is stored under it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void ensure(String slug) {
        sql.update("store team " + slug, "INSERT INTO team (slug, display_name, key_prefix) VALUES (?, ?, ?) ON CONFLICT (slug) DO NOTHING",
                slug, slug, Team.keyPrefixFor(slug));
    }
}
