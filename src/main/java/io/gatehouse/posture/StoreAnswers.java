package io.gatehouse.posture;

import java.util.UUID;
import java.util.function.Supplier;

import io.gatehouse.posture.Control.Probe;
import io.gatehouse.posture.Control.State;
import io.gatehouse.storage.StoreCapabilities;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Reading the store's answers as posture states, shared by every control. */
final class StoreAnswers {

    private StoreAnswers() {
    }

    /** A failed read as a state: the API missing, the setting absent ({@code absentCode}), or an error with its code. */
    static Control failed(String id, S3Exception e, String absentCode, String absentSummary, Object desired,
            Probe probe) {
        if (notImplemented(e)) {
            return new Control(id, State.NOT_SUPPORTED, "This store does not implement the API ("
                    + code(e) + ").", null, desired, probe, false);
        }
        if (absentCode != null && absentCode.equals(code(e))) {
            return new Control(id, State.MISSING, absentSummary, null, desired, probe, true);
        }
        return new Control(id, State.ERROR, "The store answered " + e.statusCode() + " " + code(e) + ".", null, desired,
                probe, false);
    }

    /** 501 NotImplemented (S3Proxy), or 405 on a bucket setting the store cannot take (Ceph RGW 16's PutBucketLogging). */
    static boolean notImplemented(S3Exception e) {
        return e.statusCode() == 501 || e.statusCode() == 405 || "NotImplemented".equals(code(e));
    }

    static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? "unknown" : e.awsErrorDetails().errorCode();
    }

    static String describe(SdkException e) {
        return e instanceof S3Exception s3e ? "HTTP " + s3e.statusCode() + " " + code(s3e) : "no answer (" + e.getClass().getSimpleName() + ")";
    }

    /** Runs a store call whose failure is part of the answer, not an error: the exception, or null. */
    static SdkException attempt(Supplier<?> call) {
        try {
            call.get();
            return null;
        } catch (SdkException e) {
            return e;
        }
    }

    /** Null when Gatehouse can still write, read and delete a probe object of its own; else what the store said. */
    static SdkException stillWorks(S3Client s3, String bucket) {
        String key = StoreCapabilities.PROBE_PREFIX + "after-apply-" + UUID.randomUUID();
        SdkException refused = attempt(() -> s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromString("ok")));
        if (refused == null) {
            refused = attempt(() -> s3.headObject(r -> r.bucket(bucket).key(key)));
            attempt(() -> s3.deleteObject(r -> r.bucket(bucket).key(key)));
        }
        return refused;
    }
}
