package io.gatehouse.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimitBucketTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aFullMinuteMayBeSpentAtOnceThenItRefillsSteadily() {
        RateLimits.Bucket bucket = new RateLimits.Bucket(60, 0);
        for (int i = 0; i < 60; i++) {
            assertThat(bucket.take(60, 0)).isZero();
        }
        assertThat(bucket.take(60, 0)).as("seconds to wait for the next").isEqualTo(1);
        assertThat(bucket.take(60, SECOND)).as("one a second comes back").isZero();
        assertThat(bucket.take(60, SECOND)).isEqualTo(1);
        // Idle for ten minutes: full again, never more.
        for (int i = 0; i < 60; i++) {
            assertThat(bucket.take(60, 600 * SECOND)).isZero();
        }
        assertThat(bucket.take(60, 600 * SECOND)).isEqualTo(1);
    }

    @Test
    void aSlowLimitSaysHowLongTheWaitIs() {
        RateLimits.Bucket bucket = new RateLimits.Bucket(3, 0);
        bucket.take(3, 0);
        bucket.take(3, 0);
        bucket.take(3, 0);
        assertThat(bucket.take(3, 0)).isEqualTo(20);
        assertThat(bucket.take(3, 15 * SECOND)).isEqualTo(5);
    }
}
