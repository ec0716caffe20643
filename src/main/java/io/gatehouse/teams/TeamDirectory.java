package io.gatehouse.teams;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;
import io.gatehouse.identity.UserSeen;

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

    /** Makes sure a team the IdP names has a row (the default policy) before something is stored under it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void ensure(String slug) {
        sql.update("store team " + slug, "INSERT INTO team (slug, display_name, key_prefix) VALUES (?, ?, ?) ON CONFLICT (slug) DO NOTHING",
                slug, slug, Team.keyPrefixFor(slug));
    }
}
