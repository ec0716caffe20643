package io.gatehouse.storage;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long pre-signed URLs live. */
@ConfigMapping(prefix = "gatehouse.presign")
public interface PresignConfig {

    /** Lifetime of a download URL when the caller asks for nothing else. */
    @WithDefault("PT5M")
    Duration downloadTtl();

    /** The admin's cap: no URL lives longer, whatever is asked. */
    @WithDefault("PT1H")
    Duration maxTtl();

    /**
     * With temporary credentials (IRSA, STS), URLs die with the credentials: keep this much before their expiry.
     */
    @WithDefault("PT30S")
    Duration credentialsMargin();
}
