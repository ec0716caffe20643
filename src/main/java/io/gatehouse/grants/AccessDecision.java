package io.gatehouse.grants;

import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;

/**
 * The answer to "may this user do this to this key now, and under which grant?": either the grant that allows it,
 * or the reason it is refused. {@link #decide} is pure, so it serves one download and a whole catalog page alike.
 */
public record AccessDecision(Grant grant, DenialReason denial) {

    /** Unlimited grants are used before counted ones (no use spent needlessly); then the longest-lived. */
    private static final Comparator<Grant> PREFERENCE = Comparator
            .comparing((Grant g) -> g.maxUses != null)
            .thenComparing(g -> g.validUntil, Comparator.reverseOrder())
            .thenComparing(g -> g.id);

    public static AccessDecision allow(Grant grant) {
        return new AccessDecision(grant, null);
    }

    public static AccessDecision deny(DenialReason reason) {
        return new AccessDecision(null, reason);
    }

    public boolean allowed() {
        return grant != null;
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
