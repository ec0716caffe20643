package io.gatehouse.accesspoints;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The names and policy documents of per-team access points, as pure functions (tested without a store): a team's
 * access point lets the given principals reach exactly the team's prefix and nothing wider; the bucket delegates to
 * the account's access points; a VPC endpoint lets through both the bucket and the access point.
 */
public final class AccessPointPolicies {

    /** S3's rules for access point names: 3 to 50 lower-case letters, digits and hyphens, not starting or ending with a hyphen. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{1,48}[a-z0-9]");
    private static final Pattern VPC_ID = Pattern.compile("vpc-[0-9a-f]{8}([0-9a-f]{9})?");
    private static final Pattern ROLE_ARN = Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}");
    static final List<String> OBJECT_ACTIONS = List.of("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload",
            "s3:ListMultipartUploadParts");
    private static final ObjectMapper JSON = new ObjectMapper();

    private AccessPointPolicies() {
    }

    /** The name Gatehouse proposes for a team's access point: {@code gatehouse-<slug>}, made to fit S3's rules. */
    public static String nameFor(String teamSlug) {
        String name = ("gatehouse-" + teamSlug.toLowerCase(Locale.ROOT)).replaceAll("[^a-z0-9-]+", "-").replaceAll("-{2,}", "-");
        if (name.length() > 50) {
            name = name.substring(0, 50);
        }
        return name.replaceAll("-+$", "");
    }

    /** Why a name is not a valid access point name, or null. */
    public static String nameProblem(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            return "An access point name has 3 to 50 characters: lower-case letters, digits and hyphens, starting and "
                    + "ending with a letter or digit (no dots, no upper case).";
        }
        if (name.endsWith("-s3alias") || name.endsWith("--ol-s3")) {
            return "An access point name must not end with -s3alias or --ol-s3 (S3 reserves those for aliases).";
        }
        return null;
    }

    public static boolean isVpcId(String vpcId) {
        return vpcId != null && VPC_ID.matcher(vpcId).matches();
    }

    public static boolean isRoleArn(String arn) {
        return arn != null && ROLE_ARN.matcher(arn).matches();
    }

    /** Why a team prefix cannot be an access point's scope (a wildcard would widen it), or null. */
    public static String prefixProblem(String prefix) {
        if (prefix == null || prefix.isEmpty() || !prefix.endsWith("/") || prefix.startsWith("/")) {
            return "The team's prefix must be a folder such as teams/finance/.";
        }
        if (prefix.contains("*") || prefix.contains("?") || prefix.contains("$") || prefix.contains("..")) {
            return "The team's prefix " + prefix + " contains a wildcard or a parent reference: an access point policy for "
                    + "it would reach further than the team's space.";
        }
        return null;
    }

    public static String accessPointArn(String region, String account, String name) {
        return "arn:aws:s3:" + region + ":" + account + ":accesspoint/" + name;
    }

    /**
     * The access point's policy: the principals may read, write and abort uploads only under the team's prefix through
     * this access point, and list only that prefix.
     */
    public static String teamPolicy(String accessPointArn, String teamPrefix, List<String> principals) {
        ObjectNode policy = JSON.createObjectNode();
        policy.put("Version", "2012-10-17");
        ArrayNode statements = policy.putArray("Statement");
        ObjectNode objects = statements.addObject();
        objects.put("Sid", "GatehouseTeamObjects");
        objects.put("Effect", "Allow");
        principals(objects, principals);
        ArrayNode actions = objects.putArray("Action");
        OBJECT_ACTIONS.forEach(actions::add);
        objects.put("Resource", accessPointArn + "/object/" + teamPrefix + "*");
        ObjectNode listing = statements.addObject();
        listing.put("Sid", "GatehouseTeamListing");
        listing.put("Effect", "Allow");
        principals(listing, principals);
        listing.put("Action", "s3:ListBucket");
        listing.put("Resource", accessPointArn);
        listing.putObject("Condition").putObject("StringLike").put("s3:prefix", teamPrefix + "*");
        return policy.toPrettyString();
    }

    private static void principals(ObjectNode statement, List<String> principals) {
        ArrayNode aws = statement.putObject("Principal").putArray("AWS");
        principals.forEach(aws::add);
    }

    /**
     * The bucket policy statement that hands access control to the account's access points: any request that comes
     * through an access point of this account is allowed by the bucket, and the access point's own policy decides.
     */
    public static ObjectNode delegation(String bucket, String account) {
        ObjectNode statement = JSON.createObjectNode();
        statement.put("Sid", "GatehouseDelegateToAccessPoints");
        statement.put("Effect", "Allow");
        statement.putObject("Principal").put("AWS", "*");
        statement.put("Action", "*");
        statement.putArray("Resource").add("arn:aws:s3:::" + bucket).add("arn:aws:s3:::" + bucket + "/*");
        statement.putObject("Condition").putObject("StringEquals").put("s3:DataAccessPointAccount", account);
        return statement;
    }

    /**
     * The policy the VPC endpoint needs for a VPC-origin access point: requests through the endpoint must be allowed
     * on both the access point and the bucket behind it.
     */
    public static String vpcEndpointPolicy(String bucket, String accessPointArn, String teamPrefix) {
        ObjectNode policy = JSON.createObjectNode();
        policy.put("Version", "2012-10-17");
        ObjectNode statement = policy.putArray("Statement").addObject();
        statement.put("Sid", "GatehouseBucketAndAccessPoint");
        statement.put("Effect", "Allow");
        statement.put("Principal", "*");
        ArrayNode actions = statement.putArray("Action");
        OBJECT_ACTIONS.forEach(actions::add);
        statement.putArray("Resource").add(accessPointArn + "/object/" + teamPrefix + "*")
                .add("arn:aws:s3:::" + bucket + "/" + teamPrefix + "*");
        return policy.toPrettyString();
    }
}
