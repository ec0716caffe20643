package io.gatehouse.grants;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.db.Sql;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.S3Config;

/**
 * The grants and team spaces that may allow a user something: the data every access decision is made from (see
 * {@code catalog.ContentAccess}, the one policy), and the race-free use counter. Plain JDBC: it runs on every
 * download.
 */
@ApplicationScoped
public class GrantService {

    private static final String SUBJECTS = """
            ((subject_type = 'USER' AND subject = ?) OR (subject_type = 'TEAM' AND subject = ANY (?))
              OR (subject_type = 'ROLE' AND subject = ANY (?)))""";

    /** Grants on the key itself or on one of its segment prefixes: an index probe per candidate resource. */
    private static final String FOR_KEY = "SELECT " + Grant.COLUMNS + " FROM access_grant"
            + " WHERE bucket = ? AND permission = ? AND resource = ANY (?) AND " + SUBJECTS;

    private static final String SPEND_USE = """
            UPDATE access_grant SET use_count = use_count + 1
            WHERE id = ? AND use_count < max_uses AND revoked_at IS NULL AND valid_from <= ? AND valid_until > ?""";

    /** The spaces of the user's teams that let members read them. */
    private static final String MEMBER_SPACES = "SELECT slug, key_prefix FROM team WHERE slug = ANY (?) AND members_read";

    private final Sql sql;
    private final S3Config s3;

    GrantService(Sql sql, S3Config s3) {
        this.sql = sql;
        this.s3 = s3;
    }

    /** The subject's grants that could cover this key (the key itself or one of its segment prefixes). */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Grant> grantsFor(CurrentUser user, String bucket, String key, Grant.Permission permission) {
        return grantsFor(user, bucket, List.of(key), permission);
    }

    /**
     * The subject's grants that could cover any of these keys, to decide them all in memory (a catalog page): one
     * index probe per key and per distinct prefix, however many grants the user holds elsewhere.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Grant> grantsFor(CurrentUser user, String bucket, List<String> keys, Grant.Permission permission) {
        Set<String> resources = new LinkedHashSet<>();
        keys.forEach(key -> resources.addAll(resourcesCovering(key)));
        return sql.list("read grants", FOR_KEY, Grant::fromRow, bucket, permission.name(), resources, user.id(),
                user.teams(), user.roles());
    }

    /**
     * Team spaces the user reads as a member, team to key prefix: the user's teams (from the token) that have not
     * turned member reading off. Only in the bucket Gatehouse serves, where team spaces live.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Map<String, String> memberSpaces(CurrentUser user, String bucket) {
        if (user.teams().isEmpty() || !bucket.equals(s3.bucket())) {
            return Map.of();
        }
        Map<String, String> spaces = new LinkedHashMap<>();
        sql.list("read team spaces", MEMBER_SPACES, row -> spaces.put(row.getString(1), row.getString(2)), user.teams());
        return spaces;
    }

    /** One grant, if it exists. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<Grant> find(long grantId) {
        return sql.one("read grant " + grantId, "SELECT " + Grant.COLUMNS + " FROM access_grant WHERE id = ?", Grant::fromRow,
                grantId);
    }

    /**
     * Spends one use of a counted grant. The conditional update takes the row lock, so concurrent requests can
     * never push the counter past the limit (and the table's CHECK refuses it anyway). Returns false when the grant
     * was used up, revoked or expired in the meantime.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean spendUse(Grant grant, Instant now) {
        return grant.maxUses == null || sql.update("count a grant use", SPEND_USE, grant.id, now, now) == 1;
    }

    /** Gives back a use spent on something that then did not happen (the store refused the upload it opened). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void giveBackUse(long grantId) {
        sql.update("give back a grant use",
                "UPDATE access_grant SET use_count = use_count - 1 WHERE id = ? AND max_uses IS NOT NULL AND use_count > 0",
                grantId);
    }

    /** The key itself and each of its segment prefixes: "a/b/c.txt" gives "a/b/c.txt", "a/", "a/b/". */
    static List<String> resourcesCovering(String key) {
        List<String> resources = new ArrayList<>();
        resources.add(key);
        for (int slash = key.indexOf('/'); slash >= 0; slash = key.indexOf('/', slash + 1)) {
            resources.add(key.substring(0, slash + 1));
        }
        return resources;
    }
}
