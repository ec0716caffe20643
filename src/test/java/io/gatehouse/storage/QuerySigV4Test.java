package io.gatehouse.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Gatehouse's SigV4 against the SDK's signer, configured as S3's presigner signs, at the same instant: the same
 * parameters, signature included, for GETs with response headers, PUTs binding headers, a HEAD, session credentials,
 * other ports, keys that need encoding, and across a day's end (the cached signing key must be the new day's).
 */
class QuerySigV4Test {

    private static final AwsBasicCredentials KEYS = AwsBasicCredentials.create("AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    private static final AwsSessionCredentials SESSION = AwsSessionCredentials.create("ASIAEXAMPLE",
            "c2VjcmV0LWtleS1vZi1hLXNlc3Npb24", "IQoJb3JpZ2luX2VjE+session/token==");

    record Case(String name, SdkHttpFullRequest request, AwsCredentialsIdentity identity, String service, String region) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> requests() {
        SdkHttpFullRequest get = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET)
                .uri(URI.create("http://localhost:8900/gatehouse-demo/teams/team-a/with%20space%20%26%20%C3%BC%20%E2%82%AC.pdf"))
                .putRawQueryParameter("response-content-disposition", "attachment; filename*=UTF-8''with%20space.pdf")
                .putRawQueryParameter("response-content-type", "application/pdf").build();
        SdkHttpFullRequest put = SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT)
                .uri(URI.create("https://gatehouse-bucket.s3.eu-west-1.amazonaws.com/teams/team-b/x%2By%3Dz/~tilde%2Astar.bin"))
                .putHeader("content-type", "text/plain;  charset=utf-8 ")
                .putHeader("content-length", "1234")
                .putHeader("x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
                .putHeader("x-amz-meta-upload-id", "3f2a-upload")
                .putHeader("x-amz-server-side-encryption", "aws:kms")
                .putHeader("x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:eu-west-1:123456789012:key/abc").build();
        SdkHttpFullRequest head = SdkHttpFullRequest.builder().method(SdkHttpMethod.HEAD)
                .uri(URI.create("https://store.example:9443/bucket/%E6%97%A5%E6%9C%AC%E8%AA%9E/a//b"))
                .putHeader("x-amz-checksum-mode", "ENABLED").build();
        SdkHttpFullRequest accessPoint = SdkHttpFullRequest.builder().method(SdkHttpMethod.GET)
                .uri(URI.create("https://redacted-view-123456789012.s3-object-lambda.us-east-1.amazonaws.com/report.pdf"))
                .putRawQueryParameter("response-content-type", "application/pdf").build();
        return List.of(
                new Case("GET with response headers, S3-compatible store", get, KEYS, "s3", "us-east-1"),
                new Case("PUT binding headers, AWS", put, KEYS, "s3", "eu-west-1"),
                new Case("HEAD on another port, unicode key", head, KEYS, "s3", "us-east-1"),
                new Case("GET with session credentials", get, SESSION, "s3", "us-east-1"),
                new Case("Object Lambda access point", accessPoint, KEYS, "s3-object-lambda", "us-east-1"));
    }

    @ParameterizedTest
    @MethodSource("requests")
    void signsWhatTheSdksSignerSigns(Case c) {
        QuerySigV4 ours = new QuerySigV4();
        SdkHttpFullRequest request = c.request();
        Map<String, String> parameters = new LinkedHashMap<>();
        request.rawQueryParameters().forEach((name, values) -> parameters.put(name, values.get(0)));
        Map<String, String> headers = new LinkedHashMap<>();
        request.forEachHeader((name, values) -> headers.put(name, values.get(0)));
        String host = request.port() == 443 || request.port() == 80 ? request.host() : request.host() + ":" + request.port();
        for (Instant at : List.of(Instant.parse("2026-12-03T23:59:59Z"), Instant.parse("2026-12-04T00:00:00Z"))) {
            Duration ttl = Duration.ofMinutes(5);
            URI sdkUri = sdkSigned(request, c.identity(), c.service(), c.region(), ttl, at).getUri();
            String query = ours.signedQuery(request.method().name(), host, request.encodedPath(), parameters, headers,
                    c.identity(), c.service(), c.region(), ttl, at);
            URI myUri = URI.create(sdkUri.getScheme() + "://" + sdkUri.getRawAuthority() + request.encodedPath() + "?" + query);

            assertThat(myUri.getRawPath()).isEqualTo(sdkUri.getRawPath());
            assertThat(UrlSignerTest.parameters(myUri)).as(c.name() + " at " + at).isEqualTo(UrlSignerTest.parameters(sdkUri));
            assertThat(UrlSignerTest.parameters(myUri).get("X-Amz-Signature")).hasSize(64);
        }
    }

    /** {@code request} signed by the SDK's signer at {@code at}, configured as S3's presigner signs. */
    static SdkHttpRequest sdkSigned(SdkHttpFullRequest request, AwsCredentialsIdentity identity, String service, String region,
            Duration ttl, Instant at) {
        return AwsV4HttpSigner.create().sign(sign -> sign
                .identity(identity)
                .request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.AUTH_LOCATION, AwsV4FamilyHttpSigner.AuthLocation.QUERY_STRING)
                .putProperty(AwsV4FamilyHttpSigner.EXPIRATION_DURATION, ttl)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC))).request();
    }

    /** Gatehouse's encoder answers what the SDK's answers, for every character up to U+07FF, surrogates and all. */
    @Test
    void encodesAsTheSdkEncodes() {
        List<String> values = new ArrayList<>(List.of("", "plain", "with space & ü €+plus=", "a/b//c/", "~tilde*star'quote(paren)!",
                "日本語/ファイル.txt", "emoji 😀 pair", "lone \uD83D high", "lone \uDE00 low", "reversed \uDE00\uD83D", "end \uD83D",
                "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"));
        for (char c = 0; c < 0x800; c++) {
            values.add("x" + c + "y");
        }
        for (String value : values) {
            assertThat(QuerySigV4.encode(value, false, new StringBuilder()).toString()).as(value)
                    .isEqualTo(SdkHttpUtils.urlEncode(value));
            assertThat(QuerySigV4.encode(value, true, new StringBuilder()).toString()).as(value)
                    .isEqualTo(SdkHttpUtils.urlEncodeIgnoreSlashes(value));
        }
    }
}
