package io.gatehouse.storage;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

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
    private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();
    /** RFC 3986's unreserved characters, by ASCII code. */
    private static final boolean[] UNRESERVED = new boolean[128];

    static {
        for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".toCharArray()) {
            UNRESERVED[c] = true;
        }
    }

    private record Scope(String secret, String day, String region, String service) {
        String credentialScope() {
            return day + "/" + region + "/" + service + "/aws4_request";
        }

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

    /**
     * The query string that authorises a request for {@code ttl} from {@code now}: its {@code parameters} (each one
     * value, or none when null) and the authorisation, encoded, in canonical order, signature last; to put after the
     * {@code ?} of the URL. The request binds {@code headers}; {@code host} is its Host header (with the port when it
     * is not the scheme's).
     */
    String signedQuery(String method, String host, String encodedPath, Map<String, String> parameters,
            Map<String, String> headers, AwsCredentialsIdentity identity, String service, String region, Duration ttl,
            Instant now) {
        String date = AMZ_DATE.format(now);
        Scope scope = new Scope(identity.secretAccessKey(), date.substring(0, 8), region, service);
        TreeMap<String, String> canonicalHeaders = new TreeMap<>();
        canonicalHeaders.put("host", host);
        headers.forEach((name, value) -> canonicalHeaders.put(name.toLowerCase(Locale.ROOT), canonicalValue(value)));
        String signedHeaders = String.join(";", canonicalHeaders.keySet());

        TreeMap<String, String> encoded = new TreeMap<>();
        StringBuilder scratch = new StringBuilder(256);
        BiConsumer<String, String> encodeParameter = (name, value) -> {
            if (value != null) {
                String encodedName = encode(name, false, scratch).toString();
                scratch.setLength(0);
                encoded.put(encodedName, encode(value, false, scratch).toString());
                scratch.setLength(0);
            }
        };
        parameters.forEach(encodeParameter);
        authorisation(identity, scope, date, signedHeaders, ttl).forEach(encodeParameter);
        StringBuilder query = new StringBuilder(512);
        encoded.forEach((name, value) -> append(query, name, value));

        String signature = signature(method, encodedPath, query, canonicalHeaders, signedHeaders, date, scope);
        return append(query, "X-Amz-Signature", signature).toString();
    }

    /** The parameters that carry the authorisation, in the order S3's presigner writes them. */
    private static Map<String, String> authorisation(AwsCredentialsIdentity identity, Scope scope, String date,
            String signedHeaders, Duration ttl) {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("X-Amz-Algorithm", ALGORITHM);
        parameters.put("X-Amz-Date", date);
        parameters.put("X-Amz-SignedHeaders", signedHeaders);
        parameters.put("X-Amz-Credential", identity.accessKeyId() + "/" + scope.credentialScope());
        parameters.put("X-Amz-Expires", Long.toString(ttl.getSeconds()));
        if (identity instanceof AwsSessionCredentialsIdentity session) {
            parameters.put("X-Amz-Security-Token", session.sessionToken());
        }
        return parameters;
    }

    private String signature(String method, String encodedPath, CharSequence canonicalQuery,
            TreeMap<String, String> headers, String signedHeaders, String date, Scope scope) {
        StringBuilder canonical = new StringBuilder(1024).append(method).append('\n')
                .append(encodedPath.isEmpty() ? "/" : encodedPath).append('\n')
                .append(canonicalQuery).append('\n');
        headers.forEach((name, value) -> canonical.append(name).append(':').append(value).append('\n'));
        canonical.append('\n').append(signedHeaders).append('\n').append("UNSIGNED-PAYLOAD");
        String stringToSign = ALGORITHM + "\n" + date + "\n" + scope.credentialScope() + "\n"
                + HEX.formatHex(sha256(canonical.toString()));
        return HEX.formatHex(hmac(signingKey(scope), stringToSign));
    }

    private static StringBuilder append(StringBuilder query, String encodedName, String encodedValue) {
        if (query.length() > 0) {
            query.append('&');
        }
        return query.append(encodedName).append('=').append(encodedValue);
    }

    /**
     * {@code value} encoded as SigV4 and S3 want it (RFC 3986: all but {@code A-Z a-z 0-9 - . _ ~} as UTF-8 bytes in
     * upper-case %XX; slashes too unless {@code keepSlashes}), appended to {@code out}: what the SDK's
     * {@code SdkHttpUtils.urlEncode} (and {@code urlEncodeIgnoreSlashes}) answer, without the JDK's form encoder and
     * its rewrites (QuerySigV4Test compares them).
     */
    static StringBuilder encode(String value, boolean keepSlashes, StringBuilder out) {
        int length = value.length();
        for (int i = 0; i < length;) {
            char c = value.charAt(i);
            if (c < 0x80) {
                if (UNRESERVED[c] || (keepSlashes && c == '/')) {
                    out.append(c);
                } else {
                    percent(out, c);
                }
                i++;
            } else {
                // A run of non-ASCII characters at once: a surrogate pair stays whole, and a lone surrogate becomes
                // '?' as in the JDK's encoder.
                int end = i + 1;
                while (end < length && value.charAt(end) >= 0x80) {
                    end++;
                }
                for (byte b : value.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    percent(out, b & 0xFF);
                }
                i = end;
            }
        }
        return out;
    }

    private static void percent(StringBuilder out, int octet) {
        out.append('%').append(UPPER_HEX[octet >> 4]).append(UPPER_HEX[octet & 0xF]);
    }

    /** Trimmed, runs of white space made one space. */
    private static String canonicalValue(String raw) {
        String trimmed = raw.strip();
        StringBuilder value = new StringBuilder(trimmed.length());
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
