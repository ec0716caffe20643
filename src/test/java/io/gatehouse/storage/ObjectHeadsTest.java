package io.gatehouse.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The verification's HeadObject answers what the S3 client's HeadObject answers, for the same object on the same
 * store: size, type, ETag, encryption, checksum and metadata; nothing for a missing key; and the store's refusal, not
 * "nothing there", when the signature is wrong.
 */
@QuarkusTest
class ObjectHeadsTest {

    @Inject
    S3Client s3;

    @Inject
    ObjectHeads heads;

    @Inject
    S3Config config;

    @ParameterizedTest
    @ValueSource(strings = {"tests/heads/plain.txt", "tests/heads/with space & ü €+plus.txt", "tests/heads/日本語.bin"})
    void itReportsWhatTheS3ClientReports(String key) throws Exception {
        byte[] body = ("object at " + key).getBytes(StandardCharsets.UTF_8);
        String sha256 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        s3.putObject(r -> r.bucket(config.bucket()).key(key).contentType("text/plain; charset=utf-8")
                .checksumSHA256(sha256).metadata(Map.of("upload-id", "u-1", "gatehouse-encryption", "AES-GCM")),
                RequestBody.fromBytes(body));

        var sdk = s3.headObject(r -> r.bucket(config.bucket()).key(key).checksumMode(ChecksumMode.ENABLED));
        var ours = heads.head(config.bucket(), key).orElseThrow();

        assertThat(ours.contentLength()).isEqualTo(sdk.contentLength()).isEqualTo(body.length);
        assertThat(ours.contentType()).isEqualTo(sdk.contentType());
        assertThat(ours.eTag()).isEqualTo(sdk.eTag());
        assertThat(ours.serverSideEncryption()).isEqualTo(sdk.serverSideEncryptionAsString());
        assertThat(ours.checksumSha256()).isEqualTo(sdk.checksumSHA256());
        assertThat(ours.metadata()).isEqualTo(sdk.metadata())
                .containsEntry("upload-id", "u-1").containsEntry("gatehouse-encryption", "AES-GCM");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tests/heads/never-written.txt"})
    void aMissingObjectIsNothingAndAWrongSignatureIsTheStoresRefusal(String key) {
        assertThat(heads.head(config.bucket(), key)).isEmpty();

        var forged = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                config.accessKeyId().orElseThrow(), "not-the-secret-key-at-all"));
        var presigner = S3Presigner.builder().region(Region.of(config.region())).credentialsProvider(forged)
                .endpointOverride(S3Clients.endpoint(config).orElseThrow())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build()).build();
        s3.putObject(r -> r.bucket(config.bucket()).key(key + ".there"), RequestBody.fromString("there"));
        try (var wrong = new ObjectHeads(presigner, forged, UrlConnectionHttpClient.create())) {
            assertThatThrownBy(() -> wrong.head(config.bucket(), key + ".there"))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }
}
