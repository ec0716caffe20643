package io.gatehouse.accesspoints;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;


import io.gatehouse.support.LoopbackStub;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3control.S3ControlClient;
import software.amazon.awssdk.services.s3control.model.S3ControlException;

/**
 * S3 Control against a loopback stub (no local server implements it): the stub checks the path, the account header
 * and the XML the SDK sends, and answers with the response and error shapes AWS documents.
 */
class AccessPointControlWireTest {

    static final String ACCOUNT = "123456789012";
    static final String ARN = "arn:aws:s3:eu-west-1:" + ACCOUNT + ":accesspoint/gatehouse-finance";

    private LoopbackStub stub;
    private S3ControlClient client;
    private AccessPointControl control;

    @BeforeEach
    void start() throws IOException {
        stub = LoopbackStub.start("application/xml");
        client = AccessPointControl.client("eu-west-1",
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDWIRETEST", "secret")), Optional.of(stub.uri()));
        control = new AccessPointControl(client, ACCOUNT);
    }

    @AfterEach
    void stop() {
        client.close();
        stub.close();
    }

    /** S3 Control's documented error body: the Error wrapped in an ErrorResponse. */
    static String error(String code, String message) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ErrorResponse><Error><Code>" + code + "</Code><Message>"
                + message + "</Message></Error><RequestId>WIRETEST</RequestId><HostId>stub</HostId></ErrorResponse>";
    }

    @Test
    void aVpcAccessPointIsCreatedWithBlockPublicAccessOnForTheBucket() {
        stub.answer(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CreateAccessPointResult><AccessPointArn>" + ARN
                + "</AccessPointArn><Alias>gatehouse-finance-abcdefghijklmnopqrstuvwxyz-s3alias</Alias></CreateAccessPointResult>");

        var created = control.create("gatehouse-finance", "shared-bucket", "vpc-1a2b3c4d");

        assertThat(created.arn()).isEqualTo(ARN);
        assertThat(created.alias()).endsWith("-s3alias");
        LoopbackStub.Request put = stub.request(0);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.path()).isEqualTo("/v20180820/accesspoint/gatehouse-finance");
        assertThat(put.header("x-amz-account-id")).isEqualTo(ACCOUNT);
        assertThat(put.header("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDWIRETEST/")
                .contains("/eu-west-1/s3/aws4_request");
        String xml = put.body().replaceAll(">\\s+<", "><");
        assertThat(xml).contains("<CreateAccessPointRequest xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\">")
                .contains("<Bucket>shared-bucket</Bucket>")
                .contains("<VpcConfiguration><VpcId>vpc-1a2b3c4d</VpcId></VpcConfiguration>")
                .contains("<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>"
                        + "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy>"
                        + "<RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>");
    }

    @Test
    void anInternetAccessPointHasNoVpcConfigurationAndThePolicyIsSentAsJsonInTheXml() {
        stub.answer(200, "<CreateAccessPointResult><AccessPointArn>" + ARN + "</AccessPointArn></CreateAccessPointResult>");
        control.create("gatehouse-finance", "shared-bucket", null);
        assertThat(stub.request(0).body()).doesNotContain("VpcConfiguration");

        stub.answer(200, "");
        String policy = AccessPointPolicies.teamPolicy(ARN, "teams/finance/", List.of("arn:aws:iam::" + ACCOUNT + ":role/gatehouse"));
        control.putPolicy("gatehouse-finance", policy);
        LoopbackStub.Request put = stub.request(1);
        assertThat(put.method()).isEqualTo("PUT");
        assertThat(put.path()).isEqualTo("/v20180820/accesspoint/gatehouse-finance/policy");
        assertThat(put.header("x-amz-account-id")).isEqualTo(ACCOUNT);
        assertThat(put.body()).contains("<PutAccessPointPolicyRequest xmlns=\"http://awss3control.amazonaws.com/doc/2018-08-20/\">")
                .contains("<Policy>").contains("GatehouseTeamObjects").contains(ARN + "/object/teams/finance/*");
    }

    @Test
    void theAccessPointIsDescribedFromGetAccessPointAndItsPolicy() {
        String point = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><GetAccessPointResult><Name>gatehouse-finance</Name>"
                + "<Bucket>shared-bucket</Bucket><NetworkOrigin>VPC</NetworkOrigin><VpcConfiguration><VpcId>vpc-1a2b3c4d"
                + "</VpcId></VpcConfiguration><PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls>"
                + "<IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>"
                + "true</RestrictPublicBuckets></PublicAccessBlockConfiguration><CreationDate>2026-12-01T10:00:00Z"
                + "</CreationDate><Alias>gatehouse-finance-abc-s3alias</Alias><AccessPointArn>" + ARN + "</AccessPointArn>"
                + "</GetAccessPointResult>";
        // The access point and its policy are two calls: each gets its own answer.
        stub.answerWith(request -> request.path().endsWith("/policy")
                ? "<GetAccessPointPolicyResult><Policy>{\"Version\":\"2012-10-17\"}</Policy></GetAccessPointPolicyResult>"
                : point);

        var described = control.describe("gatehouse-finance").orElseThrow();

        assertThat(stub.request(0).method()).isEqualTo("GET");
        assertThat(stub.request(0).path()).isEqualTo("/v20180820/accesspoint/gatehouse-finance");
        assertThat(stub.request(1).path()).isEqualTo("/v20180820/accesspoint/gatehouse-finance/policy");
        assertThat(described.networkOrigin()).isEqualTo("VPC");
        assertThat(described.vpcId()).isEqualTo("vpc-1a2b3c4d");
        assertThat(described.bucket()).isEqualTo("shared-bucket");
        assertThat(described.blocksPublicAccess()).isTrue();
        assertThat(described.policy()).isEqualTo("{\"Version\":\"2012-10-17\"}");
    }

    @Test
    void s3ControlErrorsArriveWithTheirCodes() {
        stub.answer(404, error("NoSuchAccessPoint", "The specified accesspoint does not exist"));
        assertThat(control.describe("gatehouse-gone")).isEmpty();
        control.delete("gatehouse-gone"); // already gone: fine

        stub.answer(409, error("AccessPointAlreadyOwnedByYou", "Your previous request to create the named accesspoint succeeded"));
        assertThatThrownBy(() -> control.create("gatehouse-finance", "shared-bucket", null))
                .isInstanceOfSatisfying(S3ControlException.class,
                        e -> assertThat(AccessPointControl.code(e)).isEqualTo("AccessPointAlreadyOwnedByYou"));

        stub.answer(400, error("InvalidRequest", "Invalid VPC ID"));
        assertThatThrownBy(() -> control.create("gatehouse-finance", "shared-bucket", "vpc-00000000"))
                .isInstanceOfSatisfying(S3ControlException.class,
                        e -> assertThat(AccessPointControl.code(e)).isEqualTo("InvalidRequest"));

        stub.answer(204, "");
        control.delete("gatehouse-finance");
        LoopbackStub.Request delete = stub.last();
        assertThat(delete.method()).isEqualTo("DELETE");
        assertThat(delete.path()).isEqualTo("/v20180820/accesspoint/gatehouse-finance");
        assertThat(delete.header("x-amz-account-id")).isEqualTo(ACCOUNT);
    }
}
