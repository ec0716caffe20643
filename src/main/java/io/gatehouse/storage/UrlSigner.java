package io.gatehouse.storage;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Signs the download path's GET URLs and the uploads' single PUTs ({@link QuerySigV4}), without the presigner's
 * per-request work (interceptors, endpoint rules, auth-scheme resolution, marshalling), which cost more than the
 * signature itself. Where a bucket or an access point ARN is reached, and under which signing name and
 * region, is asked of the SDK's presigner once per target and kept: the URL and the headers it binds are the ones the
 * presigner would sign (UrlSignerTest compares them, and the stores accept them and refuse other values: the upload
 * tests). Items with SSE-C headers still go through the presigner for their GETs.
 */
public final class UrlSigner {

    /** A signed URL and the instant it stops working. */
    public record Signed(String url, Instant expiresAt) {
    }

    /** A signed PUT: its URL, the headers to send exactly as signed (not Host or Content-Length), its end. */
    public record SignedPut(String url, Map<String, String> headers, Instant expiresAt) {
    }

    /**
     * Where a target's objects are addressed: scheme and authority as a URL writes them, the path up to the key, the
     * Host header (with the port unless it is the scheme's), and the signing scope.
     */
    private record Target(String origin, String basePath, String host, String signingName, String region) {
    }

    private static final String PROBE_KEY = "gatehouse-probe";
    /** Targets are the bucket and access point ARNs: a handful; the bound only keeps a misuse from growing it. */
    private static final int MAX_TARGETS = 10_000;

    private final S3Presigner presigner;
    private final AwsCredentialsProvider credentials;
    private final QuerySigV4 sigV4 = new QuerySigV4();
    private final Map<String, Target> targets = new ConcurrentHashMap<>();

    public UrlSigner(S3Presigner presigner, AwsCredentialsProvider credentials) {
        this.presigner = presigner;
        this.credentials = credentials;
    }

    /** A GET of {@code key} in {@code bucket} (a name or an access point ARN), answered with these response headers. */
    public Signed get(String bucket, String key, Duration ttl, String contentDisposition, String contentType) {
        return get(bucket, key, ttl, contentDisposition, contentType, now());
    }

    Signed get(String bucket, String key, Duration ttl, String contentDisposition, String contentType, Instant now) {
        Map<String, String> parameters = new HashMap<>(4);
        parameters.put("response-content-disposition", contentDisposition);
        parameters.put("response-content-type", contentType);
        return new Signed(signedUrl("GET", target(bucket), key, parameters, Map.of(), ttl, now), now.plus(ttl));
    }

    /**
     * A PUT of {@code key} in {@code bucket} that binds {@code headers} (lower-case names, as S3 names them:
     * {@code content-type}, {@code content-length}, {@code x-amz-checksum-sha256}, {@code x-amz-meta-*}…).
     */
    public SignedPut put(String bucket, String key, Duration ttl, Map<String, String> headers) {
        return put(bucket, key, ttl, headers, now());
    }

    SignedPut put(String bucket, String key, Duration ttl, Map<String, String> headers, Instant now) {
        // Content-Length is the browser's to send (it may not set it); it must equal the signed one.
        Map<String, String> toSend = new java.util.LinkedHashMap<>(headers);
        toSend.remove("content-length");
        return new SignedPut(signedUrl("PUT", target(bucket), key, Map.of(), headers, ttl, now), toSend, now.plus(ttl));
    }

    /** The URL, written out as a string: no request to build, encode and write again (most of a signing's CPU). */
    private String signedUrl(String method, Target target, String key, Map<String, String> parameters,
            Map<String, String> headers, Duration ttl, Instant now) {
        String path = QuerySigV4.encode(key, true, new StringBuilder(target.basePath)).toString();
        String query = sigV4.signedQuery(method, target.host, path, parameters, headers, credentials.resolveCredentials(),
                target.signingName, target.region, ttl, now);
        return new StringBuilder(target.origin.length() + path.length() + query.length() + 1)
                .append(target.origin).append(path).append('?').append(query).toString();
    }

    /** A request of {@code key} in {@code bucket}, signed in its query string, that binds {@code headers}. */
    SdkHttpRequest signed(SdkHttpMethod method, String bucket, String key, Duration ttl, Map<String, String> headers) {
        SdkHttpFullRequest.Builder request = SdkHttpFullRequest.builder().method(method)
                .uri(URI.create(signedUrl(method.name(), target(bucket), key, Map.of(), headers, ttl, now())));
        headers.forEach(request::putHeader);
        return request.build();
    }

    /** Whole seconds: X-Amz-Date has no more, so the expiry reported is exactly the one S3 enforces. */
    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private Target target(String bucket) {
        Target known = targets.get(bucket);
        if (known != null) {
            return known;
        }
        Target resolved = resolve(bucket);
        if (targets.size() < MAX_TARGETS) {
            targets.put(bucket, resolved);
        }
        return resolved;
    }

    /** Asks the presigner where {@code bucket}'s keys live: its URL for a probe key, cut before the key. */
    private Target resolve(String bucket) {
        URI probe = URI.create(presigner.presignGetObject(request -> request.signatureDuration(Duration.ofMinutes(1))
                .getObjectRequest(get -> get.bucket(bucket).key(PROBE_KEY))).url().toString());
        String path = probe.getRawPath();
        String basePath = path.substring(0, path.indexOf("/" + PROBE_KEY) + 1);
        int port = probe.getPort();
        String host = port == -1 || SdkHttpUtils.isUsingStandardPort(probe.getScheme(), port) ? probe.getHost()
                : probe.getHost() + ":" + port;
        // X-Amz-Credential=<key id>/<date>/<region>/<service>/aws4_request
        String credential = SdkHttpUtils.uriParams(probe).get("X-Amz-Credential").get(0).replace("%2F", "/");
        String[] scope = credential.split("/");
        return new Target(probe.getScheme() + "://" + host, basePath, host, scope[scope.length - 2], scope[scope.length - 3]);
    }
}
