package io.gatehouse.posture;

import static io.gatehouse.posture.StoreAnswers.describe;
import static io.gatehouse.posture.StoreAnswers.notImplemented;
import static io.gatehouse.posture.StoreAnswers.stillWorks;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gatehouse.storage.S3Config;
import io.gatehouse.web.GatehouseException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The bucket policy as Gatehouse changes it, for every feature that adds statements of its own (the TLS-only policy,
 * the delegation to access points): read it, merge Gatehouse's statements into it (see {@link BucketPolicies}), put
 * the result, prove that Gatehouse still works with it, and put the previous policy back when it does not.
 */
@ApplicationScoped
public class BucketPolicyEditor {

    private final S3Client s3;
    private final S3Config config;

    BucketPolicyEditor(S3Client s3, S3Config config) {
        this.s3 = s3;
        this.config = config;
    }

    /** The bucket's policy, or null when it has none; 409 where the store has no bucket policies. */
    public String current() {
        try {
            return s3.getBucketPolicy(r -> r.bucket(config.bucket())).policy();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            if (notImplemented(e)) {
                throw notSupported();
            }
            throw e;
        }
    }

    /** {@code current} with Gatehouse's {@code statements} merged in, every other statement kept as it is. */
    public BucketPolicies.Merge merge(String current, List<ObjectNode> statements) {
        return BucketPolicies.merge(current, statements);
    }

    /**
     * Puts {@code after}; when the store then refuses Gatehouse's own writes, puts {@code before} back (none: deletes
     * the policy) and answers 409 {@code would_lock_out}. A store that says no answers 409 too: nothing changed.
     */
    public void put(String before, String after) {
        try {
            s3.putBucketPolicy(r -> r.bucket(config.bucket()).policy(after));
        } catch (S3Exception e) {
            if (notImplemented(e)) {
                throw notSupported();
            }
            if (e.statusCode() >= 400 && e.statusCode() < 500) {
                throw new GatehouseException(409, "store_refused", "The store refused the bucket policy: " + describe(e)
                        + ". Nothing was changed.");
            }
            throw e;
        }
        SdkException lockedOut = stillWorks(s3, config.bucket());
        if (lockedOut != null) {
            if (before == null) {
                s3.deleteBucketPolicy(r -> r.bucket(config.bucket()));
            } else {
                s3.putBucketPolicy(r -> r.bucket(config.bucket()).policy(before));
            }
            throw new GatehouseException(409, "would_lock_out", "With the new policy the store refused Gatehouse itself ("
                    + describe(lockedOut) + "); the previous policy is back in place.");
        }
    }

    private static GatehouseException notSupported() {
        return new GatehouseException(409, "not_supported", "This store does not implement bucket policies.");
    }
}
