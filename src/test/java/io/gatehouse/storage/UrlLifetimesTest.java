package io.gatehouse.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Every URL, download or upload, dies no later than its cap, its deadlines and the credentials that signed it. */
class UrlLifetimesTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static final PresignConfig CONFIG = new PresignConfig() {
        public Duration downloadTtl() {
            return Duration.ofMinutes(5);
        }

        public Duration maxTtl() {
            return Duration.ofHours(1);
        }

        public Duration credentialsMargin() {
            return Duration.ofSeconds(30);
        }
    };

    @Test
    void longLivedKeysLeaveTheCapAndTheDeadlines() {
        UrlLifetimes lifetimes = new UrlLifetimes(CONFIG,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")));
        assertThat(lifetimes.bound(Duration.ofMinutes(5), NOW)).isEqualTo(Duration.ofMinutes(5));
        assertThat(lifetimes.bound(Duration.ofHours(3), NOW)).as("admin cap").isEqualTo(Duration.ofHours(1));
        assertThat(lifetimes.bound(Duration.ofMinutes(5), NOW, NOW.plusSeconds(100), NOW.plusSeconds(70)))
                .as("the earliest deadline").isEqualTo(Duration.ofSeconds(70));
        assertThat(lifetimes.bound(Duration.ofMinutes(5), NOW, NOW.plusMillis(2500))).as("whole seconds, down")
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void temporaryCredentialsEndTheUrlBeforeTheyExpire() {
        UrlLifetimes lifetimes = new UrlLifetimes(CONFIG, StaticCredentialsProvider.create(AwsSessionCredentials.builder()
                .accessKeyId("key").secretAccessKey("secret").sessionToken("token")
                .expirationTime(NOW.plusSeconds(120)).build()));
        assertThat(lifetimes.bound(Duration.ofMinutes(5), NOW)).isEqualTo(Duration.ofSeconds(90));
        assertThat(lifetimes.bound(Duration.ofMinutes(5), NOW.plusSeconds(119))).as("never below S3's one second")
                .isEqualTo(Duration.ofSeconds(1));
    }
}
