package io.gatehouse.uploads;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.gatehouse.storage.ObjectHeads;
import io.gatehouse.storage.ObjectHeads.ObjectHead;
import io.gatehouse.storage.SseMode;
import io.gatehouse.storage.StoreCapabilities;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Checks what the store holds against what was declared: size, type, upload id, encryption, and the SHA-256 —
 * compared with the checksum the store verified on arrival where the store does that, otherwise computed by reading
 * the object back. Talks only to S3; the caller holds no transaction meanwhile.
 */
@ApplicationScoped
class UploadVerifier {

    private static final Logger LOG = Logger.getLogger(UploadVerifier.class);
    private static final int BUFFER = 1 << 20;

    /**
     * The verdict: passed, or why not — a stable {@code code} for the audit trail and a sentence for the uploader;
     * how the SHA-256 was established either way.
     */
    record Check(boolean passed, String code, String reason, String verification, Long size) {

        static Check failed(String code, String reason, String verification) {
            return new Check(false, code, reason, verification, null);
        }

        static Check passed(String verification, long size) {
            return new Check(true, null, null, verification, size);
        }
    }

    /** Why the store's answer does not match the declaration. */
    private record Problem(String code, String message) {
    }

    private final S3Client s3;
    private final ObjectHeads heads;
    private final StoreCapabilities capabilities;

    UploadVerifier(S3Client s3, ObjectHeads heads, StoreCapabilities capabilities) {
        this.s3 = s3;
        this.heads = heads;
        this.capabilities = capabilities;
    }

    Check verify(UploadSession session, int expectedParts) {
        if (session.multipart()) {
            Problem problem = assemble(session, expectedParts);
            if (problem != null) {
                return Check.failed(problem.code(), problem.message(), null);
            }
        }
        if (session.sseMode == SseMode.SSE_C) {
            return verifyCustomerKeyed(session);
        }
        ObjectHead head = heads.head(session.bucket, session.objectKey).orElse(null);
        if (head == null) {
            return Check.failed("nothing_uploaded", "Nothing was uploaded.", null);
        }
        Problem mismatch = describedMismatch(session, head);
        if (mismatch != null) {
            return Check.failed(mismatch.code(), mismatch.message(), null);
        }
        StoreCapabilities.Capabilities store = capabilities.orAssumeNothing();
        if (!session.multipart() && store.integrity() == StoreCapabilities.Integrity.STORE_CHECKSUM
                && head.checksumSha256() != null) {
            String verification = "SHA-256 checked by the store on arrival (x-amz-checksum-sha256) and reported by HeadObject";
            return session.declaredSha256.equals(head.checksumSha256())
                    ? Check.passed(verification, head.contentLength())
                    : Check.failed("content_differs", "Content differs: the store reports SHA-256 " + head.checksumSha256() + "; "
                            + session.declaredSha256 + " was declared.", verification);
        }
        String why = session.multipart() ? "multipart upload: no store computes a whole-file SHA-256"
                : store.readBackCause() != null ? store.readBackCause()
                : "the store reported no checksum for this object";
        return readBack(session, head, "SHA-256 computed by Gatehouse reading the object back (" + why + ")");
    }

    /**
     * SSE-C: the store shows the object only to the key holder, so Gatehouse reads its size from the listing and
     * proves that it needs a key (HEAD without one is refused); the content was checked on arrival, against the
     * Content-MD5 signed into the PUT (every store checks that one), and type and upload id are signed too.
     */
    private Check verifyCustomerKeyed(UploadSession session) {
        var listed = s3.listObjectsV2(r -> r.bucket(session.bucket).prefix(session.objectKey).maxKeys(1)).contents();
        if (listed.isEmpty() || !listed.get(0).key().equals(session.objectKey)) {
            return Check.failed("nothing_uploaded", "Nothing was uploaded.", null);
        }
        long size = listed.get(0).size();
        if (size != session.declaredSize) {
            return Check.failed("size_mismatch", "The stored object has " + size + " bytes; " + session.declaredSize
                    + " were declared.", null);
        }
        try {
            s3.headObject(r -> r.bucket(session.bucket).key(session.objectKey));
            return Check.failed("encryption_mismatch", "The stored object can be read without the team's key: it is not "
                    + "encrypted with it (SSE-C).", null);
        } catch (S3Exception needsTheKey) {
            if (needsTheKey.statusCode() != 400 && needsTheKey.statusCode() != 403) {
                throw needsTheKey;
            }
        }
        return Check.passed("SSE-C: only the key holder can read the object; Gatehouse checked its size in the listing "
                + "and that it needs the key, and the store checked the content against the signed Content-MD5 on arrival",
                size);
    }

    /** Completes the store's multipart upload from the parts it holds. */
    private Problem assemble(UploadSession session, int expectedParts) {
        if (session.multipartUploadId == null) {
            return new Problem("nothing_uploaded", "Nothing was uploaded.");
        }
        try {
            List<UploadService.UploadedPart> parts = storedParts(session);
            if (parts.size() != expectedParts) {
                return new Problem("parts_missing", "The store holds " + parts.size() + " parts; " + expectedParts
                        + " were expected.");
            }
            List<CompletedPart> completed = parts.stream().sorted(Comparator.comparingInt(UploadService.UploadedPart::partNumber))
                    .map(p -> CompletedPart.builder().partNumber(p.partNumber()).eTag(p.etag()).build()).toList();
            s3.completeMultipartUpload(r -> r.bucket(session.bucket).key(session.objectKey)
                    .uploadId(session.multipartUploadId).multipartUpload(m -> m.parts(completed)));
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && assembledBefore(session)) {
                // An earlier completion assembled it and then could not finish verifying (the store failed): go on.
                return null;
            }
            if (e.statusCode() >= 500) {
                throw e;
            }
            return new Problem("assembly_refused", "The store refused to assemble the parts (" + (e.awsErrorDetails() == null
                    ? e.statusCode() : e.awsErrorDetails().errorCode()) + ").");
        }
    }

    /** The parts the store holds for a session's open multipart upload. */
    List<UploadService.UploadedPart> storedParts(UploadSession session) {
        return s3.listPartsPaginator(r -> r.bucket(session.bucket).key(session.objectKey).uploadId(session.multipartUploadId))
                .parts().stream().map(p -> new UploadService.UploadedPart(p.partNumber(), p.eTag(), p.size())).toList();
    }

    private boolean assembledBefore(UploadSession session) {
        return heads.head(session.bucket, session.objectKey)
                .map(head -> session.id.toString().equals(head.metadata().get(UploadService.META_UPLOAD_ID)))
                .orElse(false);
    }

    private static Problem describedMismatch(UploadSession session, ObjectHead head) {
        if (head.contentLength() != session.declaredSize) {
            return new Problem("size_mismatch", "The stored object has " + head.contentLength() + " bytes; "
                    + session.declaredSize + " were declared.");
        }
        if (head.contentType() == null || !head.contentType().equalsIgnoreCase(session.declaredContentType)) {
            return new Problem("type_mismatch", "The stored object's type is " + head.contentType() + "; "
                    + session.declaredContentType + " was declared.");
        }
        if (!session.id.toString().equals(head.metadata().get(UploadService.META_UPLOAD_ID))) {
            return new Problem("not_this_upload", "The stored object does not carry this upload's id.");
        }
        if (session.sseMode.header() != null && !session.sseMode.header().toString().equals(head.serverSideEncryption())) {
            return new Problem("encryption_mismatch", "The stored object is not encrypted as team policy requires ("
                    + session.sseMode + ").");
        }
        if (!java.util.Objects.equals(session.clientEncryption, head.metadata().get(UploadService.META_ENCRYPTION))) {
            return new Problem("encryption_mismatch", "The stored object does not carry the client-side encryption "
                    + "declared (" + session.clientEncryption + ").");
        }
        if (session.sseMode == SseMode.SSE_KMS && !sameKmsKey(session.kmsKeyId, head.kmsKeyId())) {
            return new Problem("encryption_mismatch", "The stored object is encrypted under KMS key " + head.kmsKeyId()
                    + ", not the team's key " + session.kmsKeyId + ".");
        }
        return null;
    }

    /**
     * Whether the key the store reports is the team's: the same id, or the ARN of that key id (AWS reports the key's
     * ARN whatever the request named). An alias names a key only KMS can resolve, so it is taken as given.
     */
    static boolean sameKmsKey(String teamKey, String reported) {
        if (teamKey == null) {
            return true;
        }
        if (reported == null) {
            return false;
        }
        return reported.equals(teamKey) || reported.endsWith(":key/" + teamKey) || teamKey.startsWith("alias/")
                || teamKey.contains(":alias/");
    }

    /**
     * Streams the object (the version HeadObject saw: If-Match on its ETag) through SHA-256, in constant memory.
     */
    private Check readBack(UploadSession session, ObjectHead head, String verification) {
        long started = System.nanoTime();
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long bytes = 0;
        try (InputStream object = s3.getObject(r -> r.bucket(session.bucket).key(session.objectKey).ifMatch(head.eTag()));
                DigestInputStream digesting = new DigestInputStream(object, sha256)) {
            byte[] buffer = new byte[BUFFER];
            for (int read; (read = digesting.read(buffer)) >= 0;) {
                bytes += read;
            }
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                return Check.failed("changed_while_verifying", "The object changed while it was being verified.", verification);
            }
            throw e;
        } catch (IOException e) {
            throw SdkClientException.create("reading the object back failed: " + e.getMessage(), e);
        }
        double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
        LOG.debugf("Read back %d bytes of upload %s in %.3f s (%.1f MiB/s)", bytes, session.id, seconds, bytes / seconds / (1 << 20));
        String actual = Base64.getEncoder().encodeToString(sha256.digest());
        if (bytes != session.declaredSize) {
            return Check.failed("size_mismatch", "The object read back has " + bytes + " bytes; " + session.declaredSize
                    + " were declared.", verification);
        }
        if (!actual.equals(session.declaredSha256)) {
            return Check.failed("content_differs", "Content differs: reading the object back gave SHA-256 " + actual + "; " + session.declaredSha256
                    + " was declared.", verification);
        }
        return Check.passed(verification, bytes);
    }
}
