package io.gatehouse.storage;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

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
 * and never replace it). Probed once, on first need, with objects under {@value #PROBE_PREFIX} that are removed
 * again; a probe that fails is repeated on the next need, and uploads are read back meanwhile.
 */
@ApplicationScoped
public class StoreCapabilities {

    private static final Logger LOG = Logger.getLogger(StoreCapabilities.class);
    public static final String PROBE_PREFIX = ".gatehouse/probes/";

    /** How an upload's bytes are checked against its declared SHA-256. */
    public enum Integrity {
        /** The store refused other bytes on arrival and reports the checksum, which is compared. */
        STORE_CHECKSUM,
        /** Gatehouse reads the object back and hashes it (stores that do not check or do not report SHA-256). */
        READ_BACK
    }

    /**
     * What the probes found. {@code checksSha256}: a PUT whose body differs from its x-amz-checksum-sha256 is refused;
     * {@code reportsSha256}: HeadObject returns the checksum; {@code writeOnce}: a PUT with If-None-Match: * onto an
     * existing key is refused.
     */
    public record Capabilities(boolean checksSha256, boolean reportsSha256, boolean writeOnce, String source, Instant probedAt) {

        /** The single-PUT verification in force, and why, in words for the admin page and the item. */
        public Integrity integrity() {
            return checksSha256 && reportsSha256 ? Integrity.STORE_CHECKSUM : Integrity.READ_BACK;
        }

        public String integrityReason() {
            if (integrity() == Integrity.STORE_CHECKSUM) {
                return "The store refuses a body that does not match its x-amz-checksum-sha256 and reports the checksum on "
                        + "HeadObject: single-PUT uploads are checked by the store on arrival and compared on completion.";
            }
            return (checksSha256 ? "The store refuses a wrong x-amz-checksum-sha256 but does not report the checksum"
                    : "The store does not check SHA-256 checksums (it accepted a body that did not match its "
                            + "x-amz-checksum-sha256)")
                    + ", so Gatehouse reads every upload back and hashes it before listing it.";
        }
    }

    private final S3Client s3;
    private final S3Config config;
    private volatile Capabilities probed;

    StoreCapabilities(S3Client s3, S3Config config) {
        this.s3 = s3;
        this.config = config;
    }

    /** The store's capabilities for the configured bucket (probed once; configured verification overrides). */
    public Capabilities get() {
        Capabilities known = probed;
        if (known == null) {
            synchronized (this) {
                if (probed == null) {
                    probed = probe();
                }
                known = probed != null ? probed
                        : new Capabilities(false, false, false, "The store could not be probed just now; uploads are read "
                                + "back until it can be.", Instant.now());
            }
        }
        return switch (config.uploadVerification()) {
            case AUTO -> known;
            case READ_BACK -> new Capabilities(known.checksSha256(), false, known.writeOnce(),
                    "Configured: gatehouse.s3.upload-verification=read-back.", known.probedAt());
            case STORE_CHECKSUM -> new Capabilities(true, true, known.writeOnce(),
                    "Configured: gatehouse.s3.upload-verification=store-checksum.", known.probedAt());
        };
    }

    /** Forgets what was found, so the next upload probes again (the store was changed or upgraded). */
    public void forget() {
        probed = null;
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
            Capabilities found = new Capabilities(checks, reports, writeOnce, "Probed", Instant.now());
            LOG.infof("Store capabilities for bucket %s: checks SHA-256 %s, reports it %s, write-once PUTs %s -> %s", config.bucket(),
                    checks, reports, writeOnce, found.integrity());
            return found;
        } catch (SdkException e) {
            LOG.warnf("Could not probe the store's capabilities (%s); uploads are read back meanwhile", e.getMessage());
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

    public static String sha256Base64(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
