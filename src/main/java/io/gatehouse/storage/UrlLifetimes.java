package io.gatehouse.storage;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * How long a pre-signed URL may live: what is wanted, but never past the admin's cap, never past any deadline the
 * caller names (a grant's end, an upload session's window) and never past the signing credentials' own expiry
 * (temporary credentials: IRSA, STS), when a URL signed with them stops working anyway.
 */
@ApplicationScoped
public class UrlLifetimes {

    /** S3's smallest lifetime: no URL is signed for less, so nothing is allowed that would end sooner. */
    public static final Duration SHORTEST = Duration.ofSeconds(1);

    private final PresignConfig config;
    private final AwsCredentialsProvider credentials;

    UrlLifetimes(PresignConfig config, AwsCredentialsProvider credentials) {
        this.config = config;
        this.credentials = credentials;
    }

    /** Whole seconds (S3 counts them; rounding down keeps every bound), at least one. */
    public Duration bound(Duration wanted, Instant now, Instant... deadlines) {
        Duration ttl = min(wanted, config.maxTtl());
        for (Instant deadline : deadlines) {
            ttl = min(ttl, Duration.between(now, deadline));
        }
        var expiry = credentials.resolveCredentials().expirationTime();
        if (expiry.isPresent()) {
            ttl = min(ttl, Duration.between(now, expiry.get()).minus(config.credentialsMargin()));
        }
        return ttl.compareTo(SHORTEST) < 0 ? SHORTEST : ttl.withNanos(0);
    }

    public Duration downloadTtl() {
        return config.downloadTtl();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
