package io.gatehouse.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.gatehouse.support.Ports;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** With the store gone, readiness says DOWN and why, instead of throwing. */
class BucketReadinessCheckTest {

    @Test
    void unreachableStoreMakesReadinessDownWithAReason() throws Exception {
        int closedPort = Ports.free();
        S3Config config = new S3Config() {
            public String bucket() { return "gone"; }
            public String region() { return "us-east-1"; }
            public Optional<URI> endpoint() { return Optional.of(URI.create("http://127.0.0.1:" + closedPort)); }
            public Optional<URI> publicEndpoint() { return Optional.empty(); }
            public boolean pathStyle() { return true; }
            public Optional<String> accessKeyId() { return Optional.of("k"); }
            public Optional<String> secretAccessKey() { return Optional.of("s"); }
            public boolean requireHttps() { return false; }
            public SseMode defaultEncryption() { return SseMode.SSE_S3; }
            public Optional<String> kmsKeyId() { return Optional.empty(); }
            public Optional<java.nio.file.Path> caCertificate() { return Optional.empty(); }
            public UploadVerification uploadVerification() { return UploadVerification.AUTO; }
            public ConditionalWrites conditionalWrites() { return ConditionalWrites.AUTO; }
        };
        try (var client = new S3Clients().s3Client(config, StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")))) {
            HealthCheckResponse response = new BucketReadinessCheck(client, config).call();

            assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(response.getData().orElseThrow().get("reason").toString()).startsWith("S3 unreachable");
        }
    }
}
