package io.gatehouse.grants;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;

/**
 * The answer to "may this user do this to this key now, and under which rule?": the grant that allows it, or the
 * team whose space it is (members read their team's space unless the team turned that off), or the reason it is
 * refused. {@link #decide} is pure, so it serves one download and a whole catalog page alike.
 */
public record AccessDecision(Grant grant, String memberOf, DenialReason denial) {

    /** Unlimited grants are used before counted ones (no use spent needlessly); then the longest-lived. */
    private static final Comparator<Grant> PREFERENCE = Comparator
            .comparing((Grant g) -> g.maxUses != null)
            .thenComparing(g -> g.validUntil, Comparator.reverseOrder())
            .thenComparing(g -> g.id);

    public static AccessDecision allow(Grant grant) {
        return new AccessDecision(grant, null, null);
    }

    public static AccessDecision allowMember(String team) {
        return new AccessDecision(null, team, null);
    }

    public static AccessDecision deny(DenialReason reason) {
        return new AccessDecision(null, null, reason);
    }

    public boolean allowed() {
        return grant != null || memberOf != null;
    }

    /** The rule that allowed it, as the audit trail records it: {@code grant} or {@code team-member}. */
    public String rule() {
        return grant != null ? "grant" : memberOf != null ? "team-member" : null;
    }

    /**
     * Decides from the team spaces the user reads as a member (team to key prefix) and the subject's candidate grants
     * (already narrowed to the right subject, bucket and permission). Membership comes first: it spends no use.
     */
    public static AccessDecision decide(Map<String, String> memberSpaces, Collection<Grant> candidates, String key, Instant now) {
        for (Map.Entry<String, String> space : memberSpaces.entrySet()) {
            if (key.startsWith(space.getValue())) {
                return allowMember(space.getKey());
            }
        }
        return decide(candidates, key, now);
    }

    /**
     * Decides from the subject's candidate grants (already narrowed to the right subject, bucket and permission).
     */
    public static AccessDecision decide(Collection<Grant> candidates, String key, Instant now) {
        Grant best = null;
        DenialReason strongest = null;
        for (Grant grant : candidates) {
            if (!grant.covers(key)) {
                continue;
            }
            DenialReason blocked = grant.blocksUseAt(now);
            if (blocked == null) {
                if (best == null || PREFERENCE.compare(grant, best) < 0) {
                    best = grant;
                }
            } else if (strongest == null || blocked.precedence() > strongest.precedence()) {
                strongest = blocked;
            }
        }
        if (best != null) {
            return allow(best);
        }
        return deny(strongest != null ? strongest : DenialReason.NO_GRANT);
    }
}
