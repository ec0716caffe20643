package io.gatehouse.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Per-user and per-address token buckets, in this replica's memory (see {@link RateLimitConfig}): each bucket holds
 * up to a minute's allowance and refills continuously. {@link #take} spends one request or refuses with 429 and the
 * seconds until the next one is allowed.
 */
@ApplicationScoped
public class RateLimits {

    public enum Kind {
        URLS("pre-signed URLs", "url_rate_limited"),
        UPLOADS("upload declarations", "upload_rate_limited"),
        DENIALS("refused requests", "denial_rate_limited");

        private final String words;
        private final String code;

        Kind(String words, String code) {
            this.words = words;
            this.code = code;
        }
    }

    /** Buckets past this count are pruned of the full ones (idle callers) so that many addresses cannot fill memory. */
    private static final int PRUNE_AT = 100_000;

    private final RateLimitConfig config;
    private final MeterRegistry registry;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimits(RateLimitConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    /** Spends one of {@code kind} for this user and this address (either may be null: not counted by it). */
    public void take(Kind kind, String user, String address) {
        if (!config.enabled()) {
            return;
        }
        RateLimitConfig.Limit limit = switch (kind) {
            case URLS -> config.urls();
            case UPLOADS -> config.uploads();
            case DENIALS -> config.denials();
        };
        long now = System.nanoTime();
        Bucket byAddress = spend(kind, "address", address, limit.perAddress(), now);
        try {
            spend(kind, "user", user, limit.perUser(), now);
        } catch (RetryLater refused) {
            // Refused for the user: the address keeps what it would have spent (and the other way round, as the
            // user's bucket is only reached once the address had one to give).
            if (byAddress != null) {
                byAddress.refund(limit.perAddress());
            }
            throw refused;
        }
    }

    private Bucket spend(Kind kind, String by, String who, int perMinute, long now) {
        if (who == null) {
            return null;
        }
        if (buckets.size() > PRUNE_AT) {
            buckets.values().removeIf(bucket -> bucket.idleAt(now));
        }
        Bucket bucket = buckets.computeIfAbsent(kind + " " + by + " " + who, ignored -> new Bucket(perMinute, now));
        long waitSeconds = bucket.take(perMinute, now);
        if (waitSeconds > 0) {
            registry.counter("gatehouse.rate.limited", "kind", kind.name().toLowerCase(java.util.Locale.ROOT), "by", by)
                    .increment();
            throw new RetryLater(waitSeconds, kind.code, "Too many " + kind.words + " from this " + by + " (at most "
                    + perMinute + " a minute): try again in " + waitSeconds + " s.");
        }
        return bucket;
    }

    /** A token bucket of one minute's allowance. */
    static final class Bucket {

        private static final double NANOS_PER_MINUTE = 60e9;
        private double tokens;
        private long updated;

        Bucket(int perMinute, long now) {
            this.tokens = perMinute;
            this.updated = now;
        }

        /** Takes a token: 0, or the whole seconds until one is there. */
        synchronized long take(int perMinute, long now) {
            tokens = Math.min(perMinute, tokens + (now - updated) * perMinute / NANOS_PER_MINUTE);
            updated = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - tokens) * 60 / perMinute));
        }

        synchronized void refund(int perMinute) {
            tokens = Math.min(perMinute, tokens + 1);
        }

        /** Untouched for a minute: full again, so forgetting it changes nothing. */
        synchronized boolean idleAt(long now) {
            return now - updated > NANOS_PER_MINUTE;
        }
    }
}
