package io.gatehouse.accesspoints;

import java.net.URI;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** Per-team access points (AWS S3 only: S3-compatible stores have no S3 Control). */
@ConfigMapping(prefix = "gatehouse.access-points")
public interface AccessPointConfig {

    /** The AWS account that owns the bucket and its access points (12 digits); without it there are none. */
    Optional<String> accountId();

    /** The IAM role Gatehouse signs with (its IRSA role): every team's access point policy allows it. */
    Optional<String> gatehouseRoleArn();

    /**
     * Where S3 Control is called. Empty: AWS's own endpoint for the region (the account id is then put in front of
     * the host, as AWS wants). Set only for a local stub in tests, where no host prefix is added.
     */
    Optional<URI> controlEndpoint();
}
