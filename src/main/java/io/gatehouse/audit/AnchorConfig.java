package io.gatehouse.audit;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Anchors of the audit chain outside the database: its head (sequence, hash, time), signed with a key the database
 * never sees, written to the store. Whoever holds the database owner's login can rewrite rows and re-seal the chain,
 * but cannot sign an anchor, and where the bucket has Object Lock cannot remove or overwrite one.
 */
@ConfigMapping(prefix = "gatehouse.audit.anchors")
public interface AnchorConfig {

    /** The HMAC-SHA256 secret anchors are signed with (GATEHOUSE_AUDIT_ANCHOR_KEY); unset: no anchors, and verify says so. */
    Optional<String> key();

    /** Where anchors are written: a bucket of their own (best with Object Lock), else the monitored bucket. */
    Optional<String> bucket();

    /** How often the chain head is anchored (a scheduler interval such as 5m); also read by the scheduled job. */
    @WithDefault("5m")
    String every();

    @WithDefault(".gatehouse/audit-anchors/")
    String prefix();

    /** How long each anchor is kept under Object Lock (compliance mode); unset: the bucket has no Object Lock. */
    Optional<Duration> retention();
}
