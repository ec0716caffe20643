package io.gatehouse.accesspoints;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The documents Gatehouse attaches, parsed back: every Resource is the team's prefix through its access point. */
class AccessPointPoliciesTest {

    private static final String AP = "arn:aws:s3:eu-west-1:123456789012:accesspoint/gatehouse-finance";
    private static final List<String> ROLES = List.of("arn:aws:iam::123456789012:role/gatehouse",
            "arn:aws:iam::123456789012:role/finance-batch");

    @Test
    void aTeamsPolicyGrantsExactlyItsPrefixThroughItsAccessPointAndNothingWider() throws Exception {
        JsonNode policy = new ObjectMapper().readTree(AccessPointPolicies.teamPolicy(AP, "teams/finance/", ROLES));

        List<String> resources = new ArrayList<>();
        List<String> actions = new ArrayList<>();
        for (JsonNode statement : policy.get("Statement")) {
            assertThat(statement.get("Effect").asText()).isEqualTo("Allow");
            List<String> principals = new ArrayList<>();
            statement.get("Principal").get("AWS").forEach(p -> principals.add(p.asText()));
            assertThat(principals).containsExactlyElementsOf(ROLES);
            texts(statement.get("Resource"), resources);
            texts(statement.get("Action"), actions);
        }
        assertThat(resources).containsExactly(AP + "/object/teams/finance/*", AP);
        assertThat(actions).containsExactlyInAnyOrder("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts", "s3:ListBucket");
        // Listing the access point itself is limited to the prefix.
        JsonNode listing = policy.get("Statement").get(1);
        assertThat(listing.get("Condition").get("StringLike").get("s3:prefix").asText()).isEqualTo("teams/finance/*");
        // Never the bucket, never another team, never the whole access point's objects.
        assertThat(resources).noneMatch(r -> r.startsWith("arn:aws:s3:::") || r.endsWith("/object/*") || r.equals("*"));
    }

    @Test
    void namesFollowS3sRulesAndTeamSlugsAreMadeToFit() {
        assertThat(AccessPointPolicies.nameFor("finance")).isEqualTo("gatehouse-finance");
        assertThat(AccessPointPolicies.nameFor("Team_A.b")).isEqualTo("gatehouse-team-a-b");
        assertThat(AccessPointPolicies.nameFor("x".repeat(60))).hasSize(50);
        assertThat(AccessPointPolicies.nameProblem(AccessPointPolicies.nameFor("x".repeat(60)))).isNull();
        for (String bad : new String[] { "ab", "x".repeat(51), "Upper", "with.dot", "-leading", "trailing-", "under_score",
                "finance-s3alias", "finance--ol-s3", "", null }) {
            assertThat(AccessPointPolicies.nameProblem(bad)).as(bad).isNotNull();
        }
        assertThat(AccessPointPolicies.nameProblem("gatehouse-finance")).isNull();
    }

    @Test
    void vpcIdsRolesAndPrefixesAreCheckedForShape() {
        assertThat(AccessPointPolicies.isVpcId("vpc-1a2b3c4d")).isTrue();
        assertThat(AccessPointPolicies.isVpcId("vpc-0123456789abcdef0")).isTrue();
        assertThat(AccessPointPolicies.isVpcId("vpc-XYZ")).isFalse();
        assertThat(AccessPointPolicies.isVpcId("subnet-1a2b3c4d")).isFalse();
        assertThat(AccessPointPolicies.isRoleArn("arn:aws:iam::123456789012:role/finance-batch")).isTrue();
        assertThat(AccessPointPolicies.isRoleArn("arn:aws:iam::123456789012:user/alice")).isFalse();
        assertThat(AccessPointPolicies.prefixProblem("teams/finance/")).isNull();
        assertThat(AccessPointPolicies.prefixProblem("teams/*/")).contains("wildcard");
        assertThat(AccessPointPolicies.prefixProblem("teams/fin?nce/")).contains("wildcard");
        assertThat(AccessPointPolicies.prefixProblem("teams/../")).contains("wildcard");
        assertThat(AccessPointPolicies.prefixProblem("teams/finance")).isNotNull();
    }

    @Test
    void theDelegationAndTheVpcEndpointPolicyNameTheBucketAndTheAccessPoint() throws Exception {
        JsonNode delegation = AccessPointPolicies.delegation("shared-bucket", "123456789012");
        assertThat(delegation.get("Sid").asText()).startsWith("Gatehouse");
        assertThat(delegation.get("Condition").get("StringEquals").get("s3:DataAccessPointAccount").asText())
                .isEqualTo("123456789012");
        JsonNode endpoint = new ObjectMapper().readTree(AccessPointPolicies.vpcEndpointPolicy("shared-bucket", AP,
                "teams/finance/"));
        List<String> resources = new ArrayList<>();
        texts(endpoint.get("Statement").get(0).get("Resource"), resources);
        assertThat(resources).containsExactly(AP + "/object/teams/finance/*", "arn:aws:s3:::shared-bucket/teams/finance/*");
    }

    private static void texts(JsonNode node, List<String> into) {
        if (node.isArray()) {
            node.forEach(n -> into.add(n.asText()));
        } else {
            into.add(node.asText());
        }
    }
}
