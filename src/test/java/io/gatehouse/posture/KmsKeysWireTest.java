package io.gatehouse.posture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The KMS key check before a bucket's default becomes SSE-KMS, against a loopback stub (no local server implements
 * KMS) that checks the JSON-1.1 request the SDK sends and answers with AWS's documented DescribeKey shapes.
 */
class KmsKeysWireTest {

    private static final String ARN = "arn:aws:kms:eu-west-1:123456789012:key/0b7e8c1a-1111-2222-3333-444455556666";
    private static final ObjectMapper JSON = new ObjectMapper();

    record Seen(String method, String path, String target, String contentType, String authorization, String body) {
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = "{}";
    private HttpServer stub;
    private KmsClient kms;

    @BeforeEach
    void start() throws IOException {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.createContext("/", this::answer);
        stub.start();
        kms = KmsClient.builder().region(Region.EU_WEST_1)
                .endpointOverride(URI.create("http://127.0.0.1:" + stub.getAddress().getPort()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDWIRETEST", "secret")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterEach
    void stop() {
        kms.close();
        stub.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        var headers = exchange.getRequestHeaders();
        seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers.getFirst("X-Amz-Target"),
                headers.getFirst("Content-Type"), headers.getFirst("Authorization"),
                new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        byte[] reply = answer.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
        exchange.getResponseHeaders().add("x-amzn-RequestId", "WIRETEST");
        exchange.sendResponseHeaders(status, reply.length);
        exchange.getResponseBody().write(reply);
        exchange.close();
    }

    private static String key(String state, String usage, String spec) {
        return "{\"KeyMetadata\":{\"AWSAccountId\":\"123456789012\",\"Arn\":\"" + ARN + "\",\"CreationDate\":1.7E9,"
                + "\"CustomerMasterKeySpec\":\"" + spec + "\",\"Enabled\":" + "Enabled".equals(state) + ",\"KeyId\":"
                + "\"0b7e8c1a-1111-2222-3333-444455556666\",\"KeyManager\":\"CUSTOMER\",\"KeySpec\":\"" + spec + "\","
                + "\"KeyState\":\"" + state + "\",\"KeyUsage\":\"" + usage + "\",\"MultiRegion\":false,\"Origin\":\"AWS_KMS\"}}";
    }

    @Test
    void anEnabledSymmetricKeyPassesAndTheRequestIsDescribeKeyForThatKey() throws Exception {
        answer = key("Enabled", "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT");

        assertThat(new KmsKeys(kms).problem("alias/gatehouse")).isEmpty();

        Seen request = seen.get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.target()).isEqualTo("TrentService.DescribeKey");
        assertThat(request.contentType()).startsWith("application/x-amz-json-1.1");
        assertThat(request.authorization()).startsWith("AWS4-HMAC-SHA256 Credential=AKIDWIRETEST/")
                .contains("/eu-west-1/kms/aws4_request");
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("KeyId").asText()).isEqualTo("alias/gatehouse");
    }

    @Test
    void aDisabledOrAsymmetricKeyOrAnUnknownOneIsRefusedWithTheReason() {
        answer = key("Disabled", "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT");
        assertThat(new KmsKeys(kms).problem(ARN)).hasValueSatisfying(why -> assertThat(why).contains("is Disabled"));

        answer = key("Enabled", "SIGN_VERIFY", "RSA_2048");
        assertThat(new KmsKeys(kms).problem(ARN)).hasValueSatisfying(why -> assertThat(why).contains("RSA_2048 SIGN_VERIFY"));

        status = 400;
        answer = "{\"__type\":\"NotFoundException\",\"message\":\"Alias arn:aws:kms:eu-west-1:123456789012:alias/typo is not found.\"}";
        assertThat(new KmsKeys(kms).problem("alias/typo")).hasValue("KMS knows no key alias/typo.");

        status = 400;
        answer = "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform: kms:DescribeKey\"}";
        assertThat(new KmsKeys(kms).problem(ARN)).hasValueSatisfying(why -> assertThat(why).contains("AccessDeniedException"));
    }
}
