package io.gatehouse.storage;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * SigV4 in the query string, as S3's presigner signs (UNSIGNED-PAYLOAD; the path as given: no double encoding, no
 * normalising), written out for the few requests Gatehouse signs on its hot paths. The SDK's signer spends most of
 * its time around the signature (property maps, checksum objects, a new MAC and digest per step); this one keeps a
 * MAC and a digest per thread and the day's signing key per scope. QuerySigV4Test checks it signs byte for byte what
 * the SDK's signer signs, and the stores accept what it signs (the download and upload tests on S3Proxy and Ceph).
 */
final class QuerySigV4 {

    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();
    /** Scopes are a day × the targets' region and service: a handful; the bound only stops a misuse growing it. */
    private static final int MAX_KEYS = 64;

    private record Scope(String secret, String day, String region, String service) {
        @Override
        public String toString() {
            return day + "/" + region + "/" + service; // never the secret
        }
    }

    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no HmacSHA256 in this JVM", e);
        }
    });
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
    });

    private final Map<Scope, byte[]> signingKeys = new ConcurrentHashMap<>();

    /** {@code request} with the query parameters that authorise it for {@code ttl} from {@code now}. */
    SdkHttpFullRequest sign(SdkHttpFullRequest request, AwsCredentialsIdentity identity, String service, String region,
            Duration ttl, Instant now) {
        String date = AMZ_DATE.format(now);
        Scope scope = new Scope(identity.secretAccessKey(), date.substring(0, 8), region, service);
        String credentialScope = scope.day() + "/" + region + "/" + service + "/aws4_request";

        TreeMap<String, String> headers = new TreeMap<>();
        headers.put("host", SdkHttpUtils.isUsingStandardPort(request.protocol(), request.port()) ? request.host()
                : request.host() + ":" + request.port());
        request.forEachHeader((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), canonicalValue(values)));
        String signedHeaders = String.join(";", headers.keySet());

        SdkHttpFullRequest.Builder signed = request.toBuilder()
                .putRawQueryParameter("X-Amz-Algorithm", ALGORITHM)
                .putRawQueryParameter("X-Amz-Date", date)
                .putRawQueryParameter("X-Amz-SignedHeaders", signedHeaders)
                .putRawQueryParameter("X-Amz-Credential", identity.accessKeyId() + "/" + credentialScope)
                .putRawQueryParameter("X-Amz-Expires", Long.toString(ttl.getSeconds()));
        if (identity instanceof AwsSessionCredentialsIdentity session) {
            signed.putRawQueryParameter("X-Amz-Security-Token", session.sessionToken());
        }

        StringBuilder canonical = new StringBuilder(1024).append(request.method().name()).append('\n')
                .append(request.encodedPath().isEmpty() ? "/" : request.encodedPath()).append('\n');
        appendCanonicalQuery(canonical, signed.rawQueryParameters());
        canonical.append('\n');
        headers.forEach((name, value) -> canonical.append(name).append(':').append(value).append('\n'));
        canonical.append('\n').append(signedHeaders).append('\n').append("UNSIGNED-PAYLOAD");

        String stringToSign = ALGORITHM + "\n" + date + "\n" + credentialScope + "\n"
                + HEX.formatHex(sha256(canonical.toString()));
        String signature = HEX.formatHex(hmac(signingKey(scope), stringToSign));
        return signed.putRawQueryParameter("X-Amz-Signature", signature).build();
    }

    /** Names and values encoded (RFC 3986), sorted by name, then value. */
    private static void appendCanonicalQuery(StringBuilder canonical, Map<String, List<String>> parameters) {
        TreeMap<String, List<String>> encoded = new TreeMap<>();
        parameters.forEach((name, values) -> {
            List<String> encodedValues = new ArrayList<>(values.size());
            for (String value : values) {
                encodedValues.add(value == null ? "" : SdkHttpUtils.urlEncode(value));
            }
            encodedValues.sort(null);
            encoded.put(SdkHttpUtils.urlEncode(name), encodedValues);
        });
        boolean first = true;
        for (var parameter : encoded.entrySet()) {
            for (String value : parameter.getValue()) {
                if (!first) {
                    canonical.append('&');
                }
                first = false;
                canonical.append(parameter.getKey()).append('=').append(value);
            }
        }
    }

    /** Values joined by commas, each trimmed, runs of white space made one space. */
    private static String canonicalValue(List<String> values) {
        StringBuilder value = new StringBuilder();
        for (String one : values) {
            if (value.length() > 0) {
                value.append(',');
            }
            String trimmed = one.strip();
            boolean space = false;
            for (int i = 0; i < trimmed.length(); i++) {
                char c = trimmed.charAt(i);
                if (Character.isWhitespace(c)) {
                    if (!space) {
                        value.append(' ');
                    }
                    space = true;
                } else {
                    value.append(c);
                    space = false;
                }
            }
        }
        return value.toString();
    }

    private byte[] signingKey(Scope scope) {
        byte[] known = signingKeys.get(scope);
        if (known != null) {
            return known;
        }
        byte[] key = hmac(("AWS4" + scope.secret()).getBytes(StandardCharsets.UTF_8), scope.day());
        key = hmac(key, scope.region());
        key = hmac(key, scope.service());
        key = hmac(key, "aws4_request");
        if (signingKeys.size() >= MAX_KEYS) {
            signingKeys.clear(); // yesterday's keys, mostly
        }
        signingKeys.put(scope, key);
        return key;
    }

    private static byte[] hmac(byte[] key, String data) {
        Mac mac = MAC.get();
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 refused its key", e);
        }
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(String data) {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return digest.digest(data.getBytes(StandardCharsets.UTF_8));
    }
}
