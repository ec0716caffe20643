package io.gatehouse.storage;

import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The server-side encryption an upload must carry: the bucket's default, SSE-S3 ({@code AES256}) or SSE-KMS
 * ({@code aws:kms}, with a key). Signed into every upload URL and checked on the stored object.
 */
public enum SseMode {
    DEFAULT(null), SSE_S3(ServerSideEncryption.AES256), SSE_KMS(ServerSideEncryption.AWS_KMS);

    private final ServerSideEncryption header;

    SseMode(ServerSideEncryption header) {
        this.header = header;
    }

    /** The {@code x-amz-server-side-encryption} value to sign and to find on the object; null for the bucket default. */
    public ServerSideEncryption header() {
        return header;
    }
}
