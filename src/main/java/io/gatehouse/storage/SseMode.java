package io.gatehouse.storage;

import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The server-side encryption an upload must carry: the bucket's default, SSE-S3 ({@code AES256}) or SSE-KMS
 * ({@code aws:kms}, with a key). Signed into every upload URL and checked on the stored object.
 */
public enum SseMode {
    DEFAULT(null), SSE_S3(ServerSideEncryption.AES256), SSE_KMS(ServerSideEncryption.AWS_KMS);

    /** A key ARN, an alias ARN, a key id (UUID) or {@code alias/name}: what S3 takes as {@code x-amz-server-side-encryption-aws-kms-key-id}. */
    private static final java.util.regex.Pattern KMS_KEY = java.util.regex.Pattern.compile(
            "(arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key|alias)/[A-Za-z0-9/_-]+)"
            + "|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|(alias/[A-Za-z0-9/_-]+)");

    private final ServerSideEncryption header;

    SseMode(ServerSideEncryption header) {
        this.header = header;
    }

    /** The {@code x-amz-server-side-encryption} value to sign and to find on the object; null for the bucket default. */
    public ServerSideEncryption header() {
        return header;
    }

    public static boolean isKmsKey(String id) {
        return id != null && id.length() <= 2048 && KMS_KEY.matcher(id).matches();
    }
}
