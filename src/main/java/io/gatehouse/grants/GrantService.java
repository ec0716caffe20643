package io.gatehouse.grants;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import io.gatehouse.identity.CurrentUser;

/**
 * The one place that answers "may this user READ (or WRITE) this key now, and under which grant?". Every download
 * and every upload asks it; the catalog asks it for a whole page at once.
 */
@ApplicationScoped
public class GrantService {

    private final EntityManager em;

    GrantService(EntityManager em) {
        this.em = em;
    }

    /** Decides for one key with one indexed query: grants on the key itself or on one of its segment prefixes. */
    @Transactional(Transactional.TxType.MANDATORY)
    public AccessDecision decide(CurrentUser user, String bucket, String key, Grant.Permission permission, Instant now) {
        List<Grant> candidates = em.createQuery("""
                from Grant g
                where g.bucket = :bucket and g.permission = :permission and g.resource in :resources
                  and ((g.subjectType = USER and g.subject = :user)
                    or (g.subjectType = TEAM and g.subject in :teams)
                    or (g.subjectType = ROLE and g.subject in :roles))""", Grant.class)
                .setParameter("bucket", bucket)
                .setParameter("permission", permission)
                .setParameter("resources", resourcesCovering(key))
                .setParameter("user", user.id())
                .setParameter("teams", orNone(user.teams()))
                .setParameter("roles", orNone(user.roles()))
                .getResultList();
        return AccessDecision.decide(candidates, key, now);
    }

    /** Every grant of this user's subjects for a permission in a bucket, to decide many keys in memory. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Grant> grantsOf(CurrentUser user, String bucket, Grant.Permission permission) {
        return em.createQuery("""
                from Grant g
                where g.bucket = :bucket and g.permission = :permission
                  and ((g.subjectType = USER and g.subject = :user)
                    or (g.subjectType = TEAM and g.subject in :teams)
                    or (g.subjectType = ROLE and g.subject in :roles))""", Grant.class)
                .setParameter("bucket", bucket)
                .setParameter("permission", permission)
                .setParameter("user", user.id())
                .setParameter("teams", orNone(user.teams()))
                .setParameter("roles", orNone(user.roles()))
                .getResultList();
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
        int updated = em.createNativeQuery("""
                UPDATE access_grant SET use_count = use_count + 1
                WHERE id = ?1 AND use_count < max_uses AND revoked_at IS NULL AND valid_from <= ?2 AND valid_until > ?2""")
                .setParameter(1, grant.id)
                .setParameter(2, now)
                .executeUpdate();
        return updated == 1;
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

    /** An IN list may not be empty; no real subject is named "" (the table's CHECK requires length >= 1). */
    private static List<String> orNone(java.util.Set<String> values) {
        return values.isEmpty() ? List.of("") : List.copyOf(values);
    }
}
