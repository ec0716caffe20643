package io.gatehouse.storage;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The KMS request budget: SSE-KMS objects cost a KMS request per write (and per read), against a per-region account
 * quota that AWS sets and changes (5,500 to tens of thousands per second, by region and key type): so it is
 * configuration, never a number in the code. Unset: no budget is enforced, and the posture page says so.
 */
@ConfigMapping(prefix = "gatehouse.kms")
public interface KmsConfig {

    /** KMS-backed URLs this replica may sign per {@link #budgetWindow()} (the account quota divided by the replicas). */
    Optional<Integer> budget();

    @WithDefault("PT1S")
    Duration budgetWindow();

    /**
     * Where Gatehouse asks KMS about the bucket's key before making it the default (DescribeKey): empty means AWS's
     * KMS for the region when the store is AWS S3 itself, and no check for S3-compatible stores (which have their own
     * key management).
     */
    Optional<java.net.URI> endpoint();

    /** The share of the budget past which a warning is logged and the posture page warns. */
    @WithDefault("0.8")
    double warnAt();
}
