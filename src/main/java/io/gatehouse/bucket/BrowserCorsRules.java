package io.gatehouse.bucket;

import java.util.List;

/**
 * The CORS rules the browser flows need on the bucket, derived from Gatehouse's public origins: downloads (GET,
 * HEAD) and uploads (PUT) from those origins only, exactly the request headers Gatehouse signs, and {@code ETag}
 * exposed because multipart uploads read it from each part's response.
 */
public record BrowserCorsRules(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
        List<String> exposeHeaders, int maxAgeSeconds) {

    /** Headers a browser sends on a Gatehouse-signed PUT (and that the signature binds). */
    public static final List<String> SIGNED_UPLOAD_HEADERS = List.of(
            "content-type",
            "content-md5",
            "x-amz-checksum-sha256",
            "x-amz-sdk-checksum-algorithm",
            "x-amz-server-side-encryption",
            "x-amz-server-side-encryption-aws-kms-key-id",
            "x-amz-server-side-encryption-bucket-key-enabled",
            "x-amz-meta-upload-id",
            "x-amz-meta-gatehouse-encryption",
            // SSE-C: the browser sends its key with uploads and downloads (the algorithm and key MD5 are signed).
            "x-amz-server-side-encryption-customer-algorithm",
            "x-amz-server-side-encryption-customer-key",
            "x-amz-server-side-encryption-customer-key-md5",
            "if-none-match");

    public static BrowserCorsRules forOrigins(List<String> publicOrigins) {
        return new BrowserCorsRules(List.copyOf(publicOrigins), List.of("GET", "PUT", "HEAD"), SIGNED_UPLOAD_HEADERS,
                List.of("ETag"), 3000);
    }
}
