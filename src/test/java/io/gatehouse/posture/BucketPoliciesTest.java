package io.gatehouse.posture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.web.GatehouseException;

/** The merge never drops, reorders or rewrites a statement Gatehouse did not write. */
class BucketPoliciesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BUCKET = "media";

    /** A CloudFront origin access policy, a cross-account reader with conditions, and a NotPrincipal deny. */
    private static final String REAL_WORLD = """
            {
              "Version": "2012-10-17",
              "Id": "PolicyForCloudFrontPrivateContent",
              "Statement": [
                {
                  "Sid": "AllowCloudFrontServicePrincipal",
                  "Effect": "Allow",
                  "Principal": { "Service": "cloudfront.amazonaws.com" },
                  "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::media/*",
                  "Condition": { "StringEquals": { "AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE" } }
                },
                {
                  "Sid": "PartnerReadsReports",
                  "Effect": "Allow",
                  "Principal": { "AWS": "arn:aws:iam::444455556666:root" },
                  "Action": [ "s3:GetObject", "s3:ListBucket" ],
                  "Resource": [ "arn:aws:s3:::media", "arn:aws:s3:::media/reports/*" ],
                  "Condition": { "IpAddress": { "aws:SourceIp": "203.0.113.0/24" }, "StringLike": { "s3:prefix": "reports/*" } }
                },
                {
                  "Sid": "OnlyTheAppRoleDeletes",
                  "Effect": "Deny",
                  "NotPrincipal": { "AWS": [ "arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:root" ] },
                  "Action": "s3:DeleteObject",
                  "Resource": "arn:aws:s3:::media/*"
                }
              ]
            }""";

    @Test
    void addingTheTlsStatementKeepsEveryOtherStatementAsItWasAndInItsPlace() throws Exception {
        var merge = BucketPolicies.merge(REAL_WORLD, List.of(BucketPolicies.denyInsecureTransport(BUCKET)));

        assertThat(merge.added()).containsExactly("GatehouseDenyInsecureTransport");
        assertThat(merge.replaced()).isEmpty();
        assertThat(merge.kept()).isEqualTo(3);
        JsonNode before = JSON.readTree(REAL_WORLD);
        JsonNode after = JSON.readTree(merge.policy());
        assertThat(after.get("Id")).isEqualTo(before.get("Id"));
        for (int i = 0; i < 3; i++) {
            assertThat(after.get("Statement").get(i)).isEqualTo(before.get("Statement").get(i));
        }
        assertThat(after.get("Statement").get(3).get("Condition").get("Bool").get("aws:SecureTransport").asText()).isEqualTo("false");
    }

    @Test
    void mergingAgainChangesNothingAndAChangedOwnStatementIsReplacedInPlace() throws Exception {
        String once = BucketPolicies.merge(REAL_WORLD, List.of(BucketPolicies.denyInsecureTransport(BUCKET))).policy();
        var again = BucketPolicies.merge(once, List.of(BucketPolicies.denyInsecureTransport(BUCKET)));
        assertThat(again.changes()).isFalse();
        assertThat(JSON.readTree(again.policy())).isEqualTo(JSON.readTree(once));

        String tampered = once.replace("\"aws:SecureTransport\" : \"false\"", "\"aws:SecureTransport\" : \"true\"");
        assertThat(tampered).isNotEqualTo(once);
        var repaired = BucketPolicies.merge(tampered, List.of(BucketPolicies.denyInsecureTransport(BUCKET)));
        assertThat(repaired.replaced()).containsExactly("GatehouseDenyInsecureTransport");
        assertThat(repaired.kept()).isEqualTo(3);
        assertThat(JSON.readTree(repaired.policy())).isEqualTo(JSON.readTree(once));
    }

    @Test
    void aSingleStatementObjectAndNoPolicyAtAllAreMergedToo() throws Exception {
        String single = """
                {"Version":"2008-10-17","Statement":{"Sid":"Legacy","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::media/public/*"}}""";
        var merged = BucketPolicies.merge(single, List.of(BucketPolicies.denyInsecureTransport(BUCKET)));
        JsonNode policy = JSON.readTree(merged.policy());
        assertThat(policy.get("Version").asText()).isEqualTo("2008-10-17");
        assertThat(policy.get("Statement")).hasSize(2);
        assertThat(policy.get("Statement").get(0).get("Sid").asText()).isEqualTo("Legacy");

        var fresh = BucketPolicies.merge(null, List.of(BucketPolicies.denyInsecureTransport(BUCKET)));
        assertThat(JSON.readTree(fresh.policy()).get("Version").asText()).isEqualTo("2012-10-17");
        assertThat(fresh.kept()).isZero();
    }

    @Test
    void aPolicyGatehouseCannotReadIsNeverOverwritten() {
        for (String unreadable : List.of("{\"Statement\": [", "[1, 2]", "{\"Statement\": \"all\"}",
                "{\"Statement\": [\"s3:*\"]}", "{\"Statement\": [" + "{\"Sid\":\"x\"},".repeat(3000) + "{}]}")) {
            assertThatThrownBy(() -> BucketPolicies.merge(unreadable, List.of(BucketPolicies.denyInsecureTransport(BUCKET))))
                    .isInstanceOf(GatehouseException.class).hasMessageContaining("olicy");
        }
    }

    @Test
    void holdsTellsTheExactStatementFromOneWithOurSidButChanged() {
        String once = BucketPolicies.merge(REAL_WORLD, List.of(BucketPolicies.denyInsecureTransport(BUCKET))).policy();
        assertThat(BucketPolicies.holds(once, BucketPolicies.denyInsecureTransport(BUCKET))).isTrue();
        assertThat(BucketPolicies.holds(REAL_WORLD, BucketPolicies.denyInsecureTransport(BUCKET))).isFalse();
        String changed = once.replace("\"s3:*\"", "\"s3:GetObject\"");
        assertThat(BucketPolicies.holds(changed, BucketPolicies.denyInsecureTransport(BUCKET))).isFalse();
        assertThat(BucketPolicies.holdsSid(changed, BucketPolicies.denyInsecureTransport(BUCKET))).isTrue();
    }
}
