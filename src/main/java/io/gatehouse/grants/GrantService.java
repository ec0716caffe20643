package io.gatehouse.grants;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.S3Config;
import io.gatehouse.web.StoreUnavailable;

/**
 * The one place that answers "may this user READ (or WRITE) this key now, and under which grant?". Every download
 * and every upload asks it; the catalog asks it for a whole page at once. Plain JDBC: it runs on every download.
 */
@ApplicationScoped
public class GrantService {

    private static final String COLUMNS = """
            id, subject_type, subject, bucket, resource_type, resource, permission, valid_from, valid_until, max_uses,
            use_count, revoked_at""";

    private static final String SUBJECTS = """
            ((subject_type = 'USER' AND subject = ?) OR (subject_type = 'TEAM' AND subject = ANY (?))
              OR (subject_type = 'ROLE' AND subject = ANY (?)))""";

    /** Grants on the key itself or on one of its segment prefixes: an index probe per candidate resource. */
    private static final String FOR_KEY = "SELECT " + COLUMNS + " FROM access_grant"
            + " WHERE bucket = ? AND permission = ? AND resource = ANY (?) AND " + SUBJECTS;

    private static final String OF_SUBJECTS = "SELECT " + COLUMNS + " FROM access_grant"
            + " WHERE bucket = ? AND permission = ? AND " + SUBJECTS;

    private static final String SPEND_USE = """
            UPDATE access_grant SET use_count = use_count + 1
            WHERE id = ? AND use_count < max_uses AND revoked_at IS NULL AND valid_from <= ? AND valid_until > ?""";

    /** The spaces of the user's teams that let members read them. */
    private static final String MEMBER_SPACES = "SELECT slug, key_prefix FROM team WHERE slug = ANY (?) AND members_read";

    private static final String ONE = "SELECT " + COLUMNS + " FROM access_grant WHERE id = ?";

    private final DataSource dataSource;
    private final S3Config s3;

    GrantService(DataSource dataSource, S3Config s3) {
        this.dataSource = dataSource;
        this.s3 = s3;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public AccessDecision decide(CurrentUser user, String bucket, String key, Grant.Permission permission, Instant now) {
        List<Grant> candidates = query(FOR_KEY, user, bucket, permission, resourcesCovering(key));
        Map<String, String> spaces = permission == Grant.Permission.READ ? memberSpaces(user, bucket) : Map.of();
        return AccessDecision.decide(spaces, candidates, key, now);
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
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(MEMBER_SPACES)) {
            select.setArray(1, textArray(connection, user.teams()));
            Map<String, String> spaces = new LinkedHashMap<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    spaces.put(rows.getString(1), rows.getString(2));
                }
            }
            return spaces;
        } catch (SQLException e) {
            throw new StoreUnavailable("could not read team spaces: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a grant still stands (not revoked, inside its window), whatever its use count: an upload that spent the
     * grant's last use goes on only while the grant itself stands. Null when it does, else why not.
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public DenialReason standing(long grantId, Instant now) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(ONE)) {
            select.setLong(1, grantId);
            try (ResultSet rows = select.executeQuery()) {
                if (!rows.next()) {
                    return DenialReason.GRANT_REVOKED;
                }
                Grant grant = read(rows);
                grant.maxUses = null;
                return grant.blocksUseAt(now);
            }
        } catch (SQLException e) {
            throw new StoreUnavailable("could not read grant " + grantId + ": " + e.getMessage(), e);
        }
    }

    /** Every grant of this user's subjects for a permission in a bucket, to decide many keys in memory. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Grant> grantsOf(CurrentUser user, String bucket, Grant.Permission permission) {
        return query(OF_SUBJECTS, user, bucket, permission, null);
    }

    /**
     * Spends one use of a counted grant. The conditional update takes the row lock, so concurrent requests can
     * never push the counter past the limit (and the table's CHECK refuses it anyway). Returns false when the grant
     * was used up, revoked or expired in the meantime.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean spendUse(Grant grant, Instant now) {
        if (grant.maxUses == null) {
            return true;
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(SPEND_USE)) {
            update.setLong(1, grant.id);
            update.setTimestamp(2, Timestamp.from(now));
            update.setTimestamp(3, Timestamp.from(now));
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreUnavailable("could not count a grant use: " + e.getMessage(), e);
        }
    }

    /** Gives back a use spent on something that then did not happen (the store refused the upload it opened). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void giveBackUse(long grantId) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(
                "UPDATE access_grant SET use_count = use_count - 1 WHERE id = ? AND max_uses IS NOT NULL AND use_count > 0")) {
            update.setLong(1, grantId);
            update.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailable("could not give back a grant use: " + e.getMessage(), e);
        }
    }

    private List<Grant> query(String sql, CurrentUser user, String bucket, Grant.Permission permission, List<String> resources) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(sql)) {
            int i = 1;
            select.setString(i++, bucket);
            select.setString(i++, permission.name());
            if (resources != null) {
                select.setArray(i++, textArray(connection, resources));
            }
            select.setString(i++, user.id());
            select.setArray(i++, textArray(connection, user.teams()));
            select.setArray(i, textArray(connection, user.roles()));
            List<Grant> grants = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    grants.add(read(rows));
                }
            }
            return grants;
        } catch (SQLException e) {
            throw new StoreUnavailable("could not read grants: " + e.getMessage(), e);
        }
    }

    private static Grant read(ResultSet rows) throws SQLException {
        Grant grant = new Grant();
        grant.id = rows.getLong("id");
        grant.subjectType = Grant.SubjectType.valueOf(rows.getString("subject_type"));
        grant.subject = rows.getString("subject");
        grant.bucket = rows.getString("bucket");
        grant.resourceType = Grant.ResourceType.valueOf(rows.getString("resource_type"));
        grant.resource = rows.getString("resource");
        grant.permission = Grant.Permission.valueOf(rows.getString("permission"));
        grant.validFrom = rows.getTimestamp("valid_from").toInstant();
        grant.validUntil = rows.getTimestamp("valid_until").toInstant();
        int maxUses = rows.getInt("max_uses");
        grant.maxUses = rows.wasNull() ? null : maxUses;
        grant.useCount = rows.getInt("use_count");
        Timestamp revoked = rows.getTimestamp("revoked_at");
        grant.revokedAt = revoked == null ? null : revoked.toInstant();
        return grant;
    }

    private static Array textArray(Connection connection, java.util.Collection<String> values) throws SQLException {
        return connection.createArrayOf("text", values.toArray());
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
