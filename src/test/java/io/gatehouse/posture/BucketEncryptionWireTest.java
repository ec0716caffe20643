package io.gatehouse.posture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import io.gatehouse.support.LoopbackStub;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Bucket default encryption with the S3 Bucket Key and the SSE-C blocking setting, as no local store implements them
 * (Ceph RGW 16 refuses PutBucketEncryption without a SSE-S3 backend, S3Proxy has none): against a loopback stub that
 * checks what the SDK puts on the wire and answers with AWS's documented shapes.
 */
class BucketEncryptionWireTest {

    private static final String BUCKET = "gatehouse-wire";

    private LoopbackStub stub;
    private S3Client s3;

    @BeforeEach
    void start() throws IOException {
        stub = LoopbackStub.start("application/xml");
        s3 = S3Client.builder().region(Region.EU_WEST_1).endpointOverride(stub.uri()).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDWIRETEST", "secret")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED).build();
    }

    @AfterEach
    void stop() {
        s3.close();
        stub.close();
    }

    @Test
    void sseKmsIsPutWithTheBucketKeyOnAndSseCBlocked() {
        var rule = new BucketEncryption.Rule("aws:kms", "arn:aws:kms:eu-west-1:123456789012:key/0b7e8c1a-1111-2222-3333-444455556666",
                true, List.of(BucketEncryption.SSE_C));

        BucketEncryption.put(s3, BUCKET, rule);

        LoopbackStub.Request put = stub.request(0);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.path()).isEqualTo("/" + BUCKET);
        assertThat(put.query()).isEqualTo("encryption");
        assertThat(put.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDWIRETEST/")
                .contains("/eu-west-1/s3/aws4_request");
        // The operation requires an integrity header: S3 refuses the configuration without one.
        assertThat(put.headers().keySet().stream().map(String::toLowerCase))
                .anyMatch(name -> name.equals("content-md5") || name.startsWith("x-amz-checksum-"));
        String xml = put.body().replaceAll(">\\s+<", "><");
        assertThat(xml).contains("<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">")
                .contains("<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
                        + "<KMSMasterKeyID>" + rule.kmsKeyId() + "</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>")
                .contains("<BucketKeyEnabled>true</BucketKeyEnabled>")
                .contains("<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>");
    }

    @Test
    void sseS3IsPutWithoutAKeyAndWithoutTheBlockedTypesWhereTheStoreHasNone() {
        BucketEncryption.put(s3, BUCKET, new BucketEncryption.Rule("AES256", null, null, null));

        String xml = stub.request(0).body();
        assertThat(xml).contains("<SSEAlgorithm>AES256</SSEAlgorithm>").doesNotContain("KMSMasterKeyID")
                .doesNotContain("BucketKeyEnabled").doesNotContain("BlockedEncryptionTypes");
    }

    @Test
    void theRuleIsReadFromAwsDocumentedAnswerIncludingTheBlockedTypes() {
        stub.answer(200, """
                <?xml version="1.0" encoding="UTF-8"?>
                <ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Rule>
                    <ApplyServerSideEncryptionByDefault>
                      <SSEAlgorithm>aws:kms</SSEAlgorithm>
                      <KMSMasterKeyID>arn:aws:kms:eu-west-1:123456789012:key/0b7e8c1a-1111-2222-3333-444455556666</KMSMasterKeyID>
                    </ApplyServerSideEncryptionByDefault>
                    <BucketKeyEnabled>true</BucketKeyEnabled>
                    <BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>
                  </Rule>
                </ServerSideEncryptionConfiguration>""");

        var rule = BucketEncryption.read(s3, BUCKET).orElseThrow();

        assertThat(stub.request(0).method()).isEqualTo("GET");
        assertThat(stub.request(0).query()).isEqualTo("encryption");
        assertThat(rule.algorithm()).isEqualTo("aws:kms");
        assertThat(rule.bucketKey()).isTrue();
        assertThat(rule.blocksSseC()).isTrue();
        assertThat(rule.blockingSseC(false).blocked()).containsExactly(BucketEncryption.NOTHING);
    }

    @Test
    void noConfigurationIsAnEmptyRuleAndOtherErrorsAreTheStoresAnswer() {
        stub.answer(404, error("ServerSideEncryptionConfigurationNotFoundError",
                "The server side encryption configuration was not found"));
        assertThat(BucketEncryption.read(s3, BUCKET)).isEmpty();

        stub.answer(400, error("KMS.NotFoundException", "Invalid keyId alias/none"));
        try {
            BucketEncryption.put(s3, BUCKET, new BucketEncryption.Rule("aws:kms", "alias/none", true, null));
            throw new AssertionError("the store's refusal must reach the caller");
        } catch (S3Exception refused) {
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.awsErrorDetails().errorCode()).isEqualTo("KMS.NotFoundException");
        }
    }

    private static String error(String code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message><BucketName>" + BUCKET + "</BucketName><RequestId>WIRETEST</RequestId></Error>";
    }
}
