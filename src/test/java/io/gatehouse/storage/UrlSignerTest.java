package io.gatehouse.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * The download path's signer against the SDK's presigner, for every kind of target Gatehouse signs for: the same
 * host, path (key encoding), signed headers, scope and parameters, differing only in the time of signing. (That the
 * stores accept its signatures is proven by the download tests, which fetch the URLs from S3Proxy and Ceph RGW.)
 */
class UrlSignerTest {

    private static final StaticCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));

    record Case(String name, S3Presigner presigner, String target) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> targets() {
        S3Presigner pathStyle = S3Presigner.builder().region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
                .endpointOverride(URI.create("http://localhost:8900"))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build();
        S3Presigner aws = S3Presigner.builder().region(Region.EU_WEST_1).credentialsProvider(CREDENTIALS).build();
        S3Presigner awsEast = S3Presigner.builder().region(Region.US_EAST_1).credentialsProvider(CREDENTIALS).build();
        return List.of(
                new Case("S3-compatible store, path style", pathStyle, "gatehouse-demo"),
                new Case("AWS, virtual-hosted bucket", aws, "gatehouse-bucket"),
                new Case("AWS us-east-1 bucket", awsEast, "gatehouse-bucket"),
                new Case("access point ARN", awsEast, "arn:aws:s3:us-east-1:123456789012:accesspoint/gatehouse-team-a"),
                new Case("Object Lambda access point ARN", awsEast,
                        "arn:aws:s3-object-lambda:us-east-1:123456789012:accesspoint/redacted-view"));
    }

    static final List<String> KEYS = List.of("catalog/report.pdf", "teams/team-a/alice/3f2a/with space & ü €.pdf",
            "x+y=z?q#frag;semi,comma.bin", "a//double/slash", "~tilde*star'quote(paren)!.txt", "日本語/ファイル.txt");

    @ParameterizedTest
    @MethodSource("targets")
    void signsTheUrlThePresignerWouldSignForEveryKindOfTarget(Case target) {
        UrlSigner signer = new UrlSigner(target.presigner(), CREDENTIALS);
        for (String key : KEYS) {
            String disposition = "attachment; filename*=UTF-8''" + SdkHttpUtils.urlEncode(key.substring(key.lastIndexOf('/') + 1));
            Instant before = Instant.now().minusSeconds(1);
            UrlSigner.Signed ours = signer.get(target.target(), key, Duration.ofMinutes(5), disposition, "application/pdf");
            URI sdk = URI.create(target.presigner().presignGetObject(request -> request.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(get -> get.bucket(target.target()).key(key).responseContentDisposition(disposition)
                            .responseContentType("application/pdf"))).url().toString());
            URI mine = URI.create(ours.url());

            assertThat(mine.getScheme() + "://" + mine.getRawAuthority() + mine.getRawPath()).as(key)
                    .isEqualTo(sdk.getScheme() + "://" + sdk.getRawAuthority() + sdk.getRawPath());
            Map<String, String> myParameters = parameters(mine);
            Map<String, String> sdkParameters = parameters(sdk);
            assertThat(myParameters.keySet()).as(key).isEqualTo(sdkParameters.keySet());
            for (String name : sdkParameters.keySet()) {
                if (!name.equals("X-Amz-Date") && !name.equals("X-Amz-Signature") && !name.equals("X-Amz-Credential")) {
                    assertThat(myParameters.get(name)).as(key + " " + name).isEqualTo(sdkParameters.get(name));
                }
            }
            // The credential scope names the same key, region and service (its date is the day of signing).
            assertThat(scopeWithoutDate(myParameters.get("X-Amz-Credential"))).isEqualTo(scopeWithoutDate(sdkParameters.get("X-Amz-Credential")));
            // The expiry reported is the one S3 enforces: signing time plus X-Amz-Expires.
            Instant signedAt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                    .parse(myParameters.get("X-Amz-Date"), Instant::from);
            assertThat(ours.expiresAt()).isEqualTo(signedAt.plusSeconds(Long.parseLong(myParameters.get("X-Amz-Expires"))));
            assertThat(signedAt).isAfterOrEqualTo(before.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        }
    }

    /**
     * At one instant, the URLs written as strings carry exactly what the SDK's signer puts on the presigner's request
     * (host and port signed as the Host header, path, parameters, signature), for GETs and for PUTs that bind
     * headers.
     */
    @ParameterizedTest
    @MethodSource("targets")
    void signsAtAnInstantWhatSigningThePresignersRequestSigns(Case target) {
        UrlSigner signer = new UrlSigner(target.presigner(), CREDENTIALS);
        Instant at = Instant.parse("2026-12-03T12:34:56Z");
        Duration ttl = Duration.ofMinutes(5);
        Map<String, String> headers = Map.of("content-type", "application/pdf", "content-length", "42",
                "x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        for (String key : KEYS) {
            String disposition = "attachment; filename*=UTF-8''" + SdkHttpUtils.urlEncode(key.substring(key.lastIndexOf('/') + 1));
            URI sdk = URI.create(target.presigner().presignGetObject(request -> request.signatureDuration(ttl)
                    .getObjectRequest(get -> get.bucket(target.target()).key(key))).url().toString());
            URI address = URI.create(sdk.getScheme() + "://" + sdk.getRawAuthority() + sdk.getRawPath());
            String[] scope = parameters(sdk).get("X-Amz-Credential").split("%2F");

            URI expectedGet = QuerySigV4Test.sdkSigned(SdkHttpFullRequest.builder().method(SdkHttpMethod.GET).uri(address)
                    .putRawQueryParameter("response-content-disposition", disposition)
                    .putRawQueryParameter("response-content-type", "application/pdf").build(),
                    CREDENTIALS.resolveCredentials(), scope[3], scope[2], ttl, at).getUri();
            URI get = URI.create(signer.get(target.target(), key, ttl, disposition, "application/pdf", at).url());
            assertThat(withoutQuery(get)).as(key).isEqualTo(withoutQuery(expectedGet)).isEqualTo(address.toString());
            assertThat(parameters(get)).as(key).isEqualTo(parameters(expectedGet));

            SdkHttpFullRequest.Builder put = SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT).uri(address);
            headers.forEach(put::putHeader);
            URI expectedPut = QuerySigV4Test.sdkSigned(put.build(), CREDENTIALS.resolveCredentials(), scope[3], scope[2], ttl, at).getUri();
            UrlSigner.SignedPut signedPut = signer.put(target.target(), key, ttl, headers, at);
            URI ours = URI.create(signedPut.url());
            assertThat(withoutQuery(ours)).as(key).isEqualTo(withoutQuery(expectedPut));
            assertThat(parameters(ours)).as(key).isEqualTo(parameters(expectedPut));
            assertThat(signedPut.headers()).as("what the browser sends: all but Content-Length")
                    .doesNotContainKey("content-length").containsEntry("content-type", "application/pdf");
        }
    }

    private static String withoutQuery(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    }

    private static String scopeWithoutDate(String credential) {
        String[] parts = credential.replace("%2F", "/").split("/");
        return parts[0] + "/" + parts[2] + "/" + parts[3] + "/" + parts[4];
    }

    /** A URL's query parameters, raw (as encoded), by name. */
    static Map<String, String> parameters(URI uri) {
        Map<String, String> parameters = new TreeMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] nameValue = pair.split("=", 2);
            parameters.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
        }
        return parameters;
    }
}
