package io.gatehouse.posture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.support.LoopbackStub;
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

    private LoopbackStub stub;
    private KmsClient kms;

    @BeforeEach
    void start() throws IOException {
        stub = LoopbackStub.start("application/x-amz-json-1.1");
        kms = KmsClient.builder().region(Region.EU_WEST_1).endpointOverride(stub.uri())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDWIRETEST", "secret")))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    @AfterEach
    void stop() {
        kms.close();
        stub.close();
    }

    private static String key(String state, String usage, String spec) {
        return "{\"KeyMetadata\":{\"AWSAccountId\":\"123456789012\",\"Arn\":\"" + ARN + "\",\"CreationDate\":1.7E9,"
                + "\"CustomerMasterKeySpec\":\"" + spec + "\",\"Enabled\":" + "Enabled".equals(state) + ",\"KeyId\":"
                + "\"0b7e8c1a-1111-2222-3333-444455556666\",\"KeyManager\":\"CUSTOMER\",\"KeySpec\":\"" + spec + "\","
                + "\"KeyState\":\"" + state + "\",\"KeyUsage\":\"" + usage + "\",\"MultiRegion\":false,\"Origin\":\"AWS_KMS\"}}";
    }

    @Test
    void anEnabledSymmetricKeyPassesAndTheRequestIsDescribeKeyForThatKey() throws Exception {
        stub.answer(200, key("Enabled", "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT"));

        assertThat(new KmsKeys(kms).problem("alias/gatehouse")).isEmpty();

        LoopbackStub.Request request = stub.request(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.header("X-Amz-Target")).isEqualTo("TrentService.DescribeKey");
        assertThat(request.header("Content-Type")).startsWith("application/x-amz-json-1.1");
        assertThat(request.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDWIRETEST/")
                .contains("/eu-west-1/kms/aws4_request");
        JsonNode body = JSON.readTree(request.body());
        assertThat(body.get("KeyId").asText()).isEqualTo("alias/gatehouse");
    }

    @Test
    void aDisabledOrAsymmetricKeyOrAnUnknownOneIsRefusedWithTheReason() {
        stub.answer(200, key("Disabled", "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT"));
        assertThat(new KmsKeys(kms).problem(ARN)).hasValueSatisfying(why -> assertThat(why).contains("is Disabled"));

        stub.answer(200, key("Enabled", "SIGN_VERIFY", "RSA_2048"));
        assertThat(new KmsKeys(kms).problem(ARN)).hasValueSatisfying(why -> assertThat(why).contains("RSA_2048 SIGN_VERIFY"));

        stub.answer(400, "{\"__type\":\"NotFoundException\",\"message\":\"Alias arn:aws:kms:eu-west-1:123456789012:alias/typo "
                + "is not found.\"}");
        assertThat(new KmsKeys(kms).problem("alias/typo")).hasValue("KMS knows no key alias/typo.");

        stub.answer(400, "{\"__type\":\"AccessDeniedException\",\"message\":\"not authorized to perform: kms:DescribeKey\"}");
        assertThat(new KmsKeys(kms).problem(ARN)).hasValueSatisfying(why -> assertThat(why).contains("AccessDeniedException"));
    }
}
