package io.gatehouse.uploads;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The mechanics of browser uploads (the policy defaults a team starts with are {@code teams.TeamDefaults}). */
@ConfigMapping(prefix = "gatehouse.uploads")
public interface UploadConfig {

    /** Files above this size go as S3 multipart uploads. */
    @WithDefault("67108864")
    long multipartThreshold();

    /** Size of each part but the last (S3 wants at least 5 MiB). */
    @WithDefault("16777216")
    long partSize();

    /** The longest a signed PUT (or part URL) lives, whatever its size. */
    @WithDefault("PT15M")
    Duration putTtl();

    /** Time to start sending after a URL is signed; a URL lives this long plus the transfer at {@link #assumedBytesPerSecond()}. */
    @WithDefault("PT1M")
    Duration putTtlBase();

    /** The upload speed URL lifetimes are sized for (1 MiB/s). */
    @WithDefault("1048576")
    long assumedBytesPerSecond();

    /**
     * The slowest transfer Gatehouse allows for: a request started just before its URL expired may still be writing
     * for its size at this speed, so a closed upload's key is watched (and its size reserved) that much longer.
     */
    @WithDefault("65536")
    long slowestBytesPerSecond();

    /** An upload not completed within this window is aborted and its object removed by the cleanup job. */
    @WithDefault("PT2H")
    Duration sessionWindow();

    /** How long a completion request waits for the verification; a longer one goes on and answers 202 meanwhile. */
    @WithDefault("PT20S")
    Duration verifyWait();

    /**
     * Verifications run at once per replica. They end on the team row's lock (the item's bytes and the session's
     * leave the quota together): on two cores, 50 completions into one team went 79/s with one each, 105–115/s two
     * at a time, 152/s eight, 134/s sixteen (issue 14).
     */
    @WithDefault("8")
    int verifications();

    /**
     * Declarations into one team decided at once per replica; the others wait their turn in the app, holding no
     * connection (a busy team does not hold up another's). Each ends on its team row's lock, so more at once only queue
     * there, and the queue's hand-offs cost more CPU than the work: 50 clients declaring into one team went 400–425/s
     * (p99 348–361 ms) unbounded, 634/s with 2 at a time, 592–612/s with 4, 644/s with 8 (p99 124 ms), 599/s with 16;
     * on a faster day 657/s (p99 262 ms) unbounded, 760–782/s (p99 92–95 ms) with 8 (issue 14).
     */
    @WithDefault("8")
    int declarations();
}
