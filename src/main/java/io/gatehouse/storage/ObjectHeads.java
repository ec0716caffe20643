package io.gatehouse.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * HeadObject for the upload verification, signed by {@link UrlSigner} for Gatehouse's own endpoint and sent with the
 * SDK's HTTP client, without the S3 client's per-request pipeline (interceptors, endpoint rules, auth-scheme
 * resolution, unmarshalling), which cost more CPU than the request itself. ObjectHeadsTest compares its answers with
 * the S3 client's on both stores. Failures are reported as the S3 client reports them ({@link S3Exception} with the
 * status, {@link SdkClientException} when the store cannot be reached), so callers treat both alike.
 */
public final class ObjectHeads implements AutoCloseable {

    /** What HeadObject reports of an object; header values as the store sent them, metadata names in lower case. */
    public record ObjectHead(long contentLength, String contentType, String eTag, String serverSideEncryption,
            String kmsKeyId, String checksumSha256, Map<String, String> metadata) {
    }

    private static final String META = "x-amz-meta-";
    /** Only as long as one request may take: the URL is used at once, by Gatehouse, and never leaves it. */
    private static final Duration TTL = Duration.ofMinutes(1);

    private final S3Presigner presigner;
    private final UrlSigner signer;
    private final SdkHttpClient http;

    /** {@code presigner} addresses Gatehouse's own endpoint for the store; both it and {@code http} are closed with this. */
    ObjectHeads(S3Presigner presigner, AwsCredentialsProvider credentials, SdkHttpClient http) {
        this.presigner = presigner;
        this.signer = new UrlSigner(presigner, credentials);
        this.http = http;
    }

    /** The object at {@code key}, with its SHA-256 where the store reports one; empty when there is none. */
    public Optional<ObjectHead> head(String bucket, String key) {
        var request = signer.signed(SdkHttpMethod.HEAD, bucket, key, TTL, Map.of("x-amz-checksum-mode", "ENABLED"));
        HttpExecuteResponse executed;
        try {
            executed = http.prepareRequest(HttpExecuteRequest.builder().request(request).build()).call();
        } catch (IOException e) {
            throw SdkClientException.create("HeadObject could not reach the store: " + e.getMessage(), e);
        }
        SdkHttpResponse response = executed.httpResponse();
        executed.responseBody().ifPresent(ObjectHeads::drain);
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (!response.isSuccessful()) {
            throw (S3Exception) S3Exception.builder().statusCode(response.statusCode())
                    .message("HeadObject answered " + response.statusCode()).build();
        }
        Map<String, String> metadata = new HashMap<>();
        response.headers().forEach((name, values) -> {
            if (name.regionMatches(true, 0, META, 0, META.length()) && !values.isEmpty()) {
                metadata.put(name.substring(META.length()).toLowerCase(Locale.ROOT), values.get(0));
            }
        });
        String length = header(response, "Content-Length");
        if (length == null) {
            throw SdkClientException.create("HeadObject's answer has no Content-Length");
        }
        return Optional.of(new ObjectHead(Long.parseLong(length.trim()), header(response, "Content-Type"),
                header(response, "ETag"), header(response, "x-amz-server-side-encryption"),
                header(response, "x-amz-server-side-encryption-aws-kms-key-id"),
                header(response, "x-amz-checksum-sha256"), Map.copyOf(metadata)));
    }

    private static String header(SdkHttpResponse response, String name) {
        return response.firstMatchingHeader(name).orElse(null);
    }

    /** A HEAD has no body, but the connection is reused only once whatever the client opened is read and closed. */
    private static void drain(InputStream body) {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the connection is not reused; nothing else depends on it
        }
    }

    @Override
    public void close() {
        http.close();
        presigner.close();
    }
}
