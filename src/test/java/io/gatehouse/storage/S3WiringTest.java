package io.gatehouse.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The clients built from config reach the embedded S3 server, which really checks signatures. */
@QuarkusTest
class S3WiringTest {

    @Inject
    S3Client s3;

    @Inject
    S3Presigner presigner;

    @Inject
    S3Config config;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void putThenGetAnObject() {
        byte[] body = "hello from the wiring test".getBytes(StandardCharsets.UTF_8);
        s3.putObject(r -> r.bucket(config.bucket()).key("tests/wiring.txt").contentType("text/plain"),
                RequestBody.fromBytes(body));

        assertThat(s3.getObjectAsBytes(r -> r.bucket(config.bucket()).key("tests/wiring.txt")).asByteArray())
                .isEqualTo(body);
    }

    @Test
    void presignedGetWorksAndAnUnsignedRequestIsRefused() throws Exception {
        byte[] body = "signed bytes".getBytes(StandardCharsets.UTF_8);
        s3.putObject(r -> r.bucket(config.bucket()).key("tests/presigned.txt"), RequestBody.fromBytes(body));
        URI signed = presigner.presignGetObject(r -> r.signatureDuration(Duration.ofMinutes(1))
                .getObjectRequest(g -> g.bucket(config.bucket()).key("tests/presigned.txt"))).url().toURI();

        HttpResponse<byte[]> ok = http.send(HttpRequest.newBuilder(signed).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(body);

        URI unsigned = URI.create(signed.toString().substring(0, signed.toString().indexOf('?')));
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(unsigned).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
    }
}
