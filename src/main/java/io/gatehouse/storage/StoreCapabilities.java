package io.gatehouse.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What the store really does, found out by harmless probes rather than assumed: S3-compatible stores differ in what
 * they implement and in what they enforce. Whether it checks {@code x-amz-checksum-sha256} on a PUT and reports the
 * checksum on HeadObject (AWS S3 and S3Proxy do; Ceph RGW before Squid neither checks nor stores it), and whether it
 * refuses a PUT with {@code If-None-Match: *} onto an existing object (so a signed PUT can create its object once
 * and never replace it). Probed once, on first need, with an object under {@value #PROBE_PREFIX} that is removed
 * again; one request probes while the others go on without waiting, and a failed probe is retried after a pause.
 */
@ApplicationScoped
public class StoreCapabilities {

    private static final Logger LOG = Logger.getLogger(StoreCapabilities.class);
    public static final String PROBE_PREFIX = ".gatehouse/probes/";
    private static final Duration RETRY_AFTER = Duration.ofSeconds(30);
    /** How long a caller waits for a probe another one is making. */
    private static final Duration PROBE_WAIT = Duration.ofSeconds(20);

    /** How an upload's bytes are checked against its declared SHA-256. */
    public enum Integrity {
        /** The store refused other bytes on arrival and reports the checksum, which is compared. */
        STORE_CHECKSUM,
        /** Gatehouse reads the object back and hashes it. */
        READ_BACK
    }

    /**
     * What is known of the store. {@code checksSha256}: a PUT whose body differs from its x-amz-checksum-sha256 is
     * refused; {@code reportsSha256}: HeadObject returns the checksum; {@code writeOnce}: a PUT with If-None-Match: *
     * onto an existing key is refused. {@code readBackCause} says, when uploads are read back, why.
     */
    public record Capabilities(boolean checksSha256, boolean reportsSha256, boolean writeOnce, String readBackCause,
            Instant probedAt) {

        public Integrity integrity() {
            return readBackCause == null ? Integrity.STORE_CHECKSUM : Integrity.READ_BACK;
        }

        /** The verification in force and why, in words for the admin page. */
        public String integrityReason() {
            if (integrity() == Integrity.STORE_CHECKSUM) {
                return "The store refuses a body that does not match its x-amz-checksum-sha256 and reports the checksum on "
                        + "HeadObject: single-PUT uploads are checked by the store on arrival and compared on completion.";
            }
            return "Gatehouse reads every upload back and hashes it before listing it: " + readBackCause + ".";
        }
    }

    private final S3Client s3;
    private final S3Config config;
    private final ReentrantLock probing = new ReentrantLock();
    private volatile Capabilities probed;
    private volatile Instant failedAt;

    StoreCapabilities(S3Client s3, S3Config config) {
        this.s3 = s3;
        this.config = config;
    }

    /**
     * The store's capabilities, with the configured overrides applied. Fails (SdkClientException, a 503) while they
     * are not known: an upload must not be signed on a guess about what the store enforces.
     */
    public Capabilities get() {
        Capabilities known = probed;
        if (known == null) {
            known = probeOnce();
        }
        if (known == null) {
            // Answered as the store being unavailable (503): it did not answer the probe.
            throw SdkClientException.create("the store's capabilities are not known yet (its probe failed); no upload is signed");
        }
        return withOverrides(known);
    }

    /** The capabilities if known, else those that assume nothing (for checks that must work in any case). */
    public Capabilities orAssumeNothing() {
        try {
            return get();
        } catch (SdkClientException unknown) {
            return new Capabilities(false, false, false, "what this store does could not be found out just now", null);
        }
    }

    /** Forgets what was found, so the next need probes again (the store was changed or upgraded). */
    public void forget() {
        probed = null;
        failedAt = null;
    }

    private Capabilities withOverrides(Capabilities found) {
        boolean writeOnce = found.writeOnce() && config.conditionalWrites() != S3Config.ConditionalWrites.OFF;
        String cause = config.uploadVerification() == S3Config.UploadVerification.READ_BACK
                ? "configured (gatehouse.s3.upload-verification=read-back)" : found.readBackCause();
        return new Capabilities(found.checksSha256(), found.reportsSha256(), writeOnce, cause, found.probedAt());
    }

    /**
     * One caller probes; the others wait for its answer (the first uploads after a start, declared together, all
     * get it rather than a 503), at most {@link #PROBE_WAIT}. During the pause after a failure everyone gets null
     * at once.
     */
    private Capabilities probeOnce() {
        Instant failed = failedAt;
        if (failed != null && failed.plus(RETRY_AFTER).isAfter(Instant.now())) {
            return probed;
        }
        try {
            if (!probing.tryLock(PROBE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                return probed;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return probed;
        }
        try {
            // Probed meanwhile by the caller this one waited for (or it failed just now: its pause applies).
            if (probed == null && Objects.equals(failedAt, failed)) {
                probed = probe();
                failedAt = probed == null ? Instant.now() : null;
            }
            return probed;
        } finally {
            probing.unlock();
        }
    }

    private Capabilities probe() {
        String key = PROBE_PREFIX + UUID.randomUUID();
        byte[] body = ("gatehouse capability probe " + key).getBytes(StandardCharsets.UTF_8);
        String right = sha256Base64(body);
        String wrong = sha256Base64("not the body".getBytes(StandardCharsets.UTF_8));
        try {
            boolean checks = refused(() -> s3.putObject(r -> r.bucket(config.bucket()).key(key).checksumSHA256(wrong),
                    RequestBody.fromBytes(body)), 400);
            s3.putObject(r -> r.bucket(config.bucket()).key(key).checksumSHA256(right), RequestBody.fromBytes(body));
            boolean reports = right.equals(s3.headObject(r -> r.bucket(config.bucket()).key(key)
                    .checksumMode(ChecksumMode.ENABLED)).checksumSHA256());
            boolean writeOnce = refused(() -> s3.putObject(r -> r.bucket(config.bucket()).key(key).ifNoneMatch("*"),
                    RequestBody.fromBytes(body)), 412);
            String cause = !checks ? "this store does not check SHA-256 checksums (it accepted a body that did not match "
                    + "its x-amz-checksum-sha256)" : !reports ? "this store does not report SHA-256 checksums on HeadObject" : null;
            Capabilities found = new Capabilities(checks, reports, writeOnce, cause, Instant.now());
            LOG.infof("Store capabilities for bucket %s: checks SHA-256 %s, reports it %s, write-once PUTs %s -> %s", config.bucket(),
                    checks, reports, writeOnce, found.integrity());
            return found;
        } catch (SdkException e) {
            LOG.warnf("Could not probe the store's capabilities (%s); no upload is signed until a probe succeeds", e.getMessage());
            return null;
        } finally {
            try {
                s3.deleteObject(r -> r.bucket(config.bucket()).key(key));
            } catch (SdkException e) {
                LOG.warnf("Could not remove the probe object %s: %s", key, e.getMessage());
            }
        }
    }

    /** Whether the store refused the request with this status (any other refusal is an error, not an answer). */
    private static boolean refused(Runnable request, int status) {
        try {
            request.run();
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == status) {
                return true;
            }
            throw e;
        }
    }

    private static String sha256Base64(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
