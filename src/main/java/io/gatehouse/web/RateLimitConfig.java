package io.gatehouse.web;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How often one user, and one client address, may ask for each costly or audited thing, per minute and per replica
 * (each replica keeps its own counts: with N replicas behind a balancer a caller gets up to N times as much). A
 * caller past a limit gets 429 with Retry-After; the limits refill continuously, so a burst up to the limit is fine.
 */
@ConfigMapping(prefix = "gatehouse.rate-limits")
public interface RateLimitConfig {

    @WithDefault("true")
    boolean enabled();

    /** Pre-signed URLs asked for: downloads and upload parts. */
    Limit urls();

    /** Upload declarations (each opens a session, reserves quota and may open a multipart upload at the store). */
    Limit uploads();

    /**
     * Refusals: each writes an audit row, so an attacker who collects refusals must not grow the audit table without
     * bound. Past it, the request is answered 429 and nothing is written.
     */
    Limit denials();

    interface Limit {

        /** Per signed-in user, per minute. */
        int perUser();

        /** Per client address (behind a trusted proxy: the forwarded client), per minute. */
        int perAddress();
    }
}
