package io.gatehouse.storage;

import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The server-side encryption an upload must carry: the bucket's default, SSE-S3 ({@code AES256}), SSE-KMS
 * ({@code aws:kms}, with a key), or SSE-C (a key the team holds: the browser sends it with every request, Gatehouse
 * signs only its algorithm and MD5). Signed into every upload URL and checked on the stored object.
 */
public enum SseMode {
    DEFAULT(null), SSE_S3(ServerSideEncryption.AES256), SSE_KMS(ServerSideEncryption.AWS_KMS), SSE_C(null);

    /** SSE-C objects go in one PUT (S3's limit for it): a multipart upload would need the key at Gatehouse. */
    public static final long SSE_C_MAX_BYTES = 5L * 1024 * 1024 * 1024;

    /** A key ARN, an alias ARN, a key id (UUID) or {@code alias/name}: what S3 takes as {@code x-amz-server-side-encryption-aws-kms-key-id}. */
    private static final java.util.regex.Pattern KMS_KEY = java.util.regex.Pattern.compile(
            "(arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key|alias)/[A-Za-z0-9/_-]+)"
            + "|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|(alias/[A-Za-z0-9/_-]+)");

    private final ServerSideEncryption header;

    SseMode(ServerSideEncryption header) {
        this.header = header;
    }

    /** The {@code x-amz-server-side-encryption} value to sign and to find on the object; null for the default and SSE-C. */
    public ServerSideEncryption header() {
        return header;
    }

    public static boolean isKmsKey(String id) {
        return id != null && id.length() <= 2048 && KMS_KEY.matcher(id).matches();
    }
}
