package io.gatehouse.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * deploy/iam-policy.json is exactly what the production code calls: every AWS SDK operation found in src/main (the
 * embedded default in io.gatehouse.dev never runs in production) maps to the IAM actions and resources it needs; the
 * policy must grant those and nothing more. A new S3, S3 Control or KMS call without an entry here fails this test,
 * and so does a policy line that no code needs.
 */
class IamPolicyTest {

    private static final String BUCKET = "arn:aws:s3:::YOUR-BUCKET";
    private static final String ANY_OBJECT = BUCKET + "/*";
    private static final String TEAM_OBJECTS = BUCKET + "/teams/*";
    private static final String PROBE_OBJECTS = BUCKET + "/.gatehouse/probes/*";
    private static final String ANCHOR_OBJECTS = BUCKET + "/.gatehouse/audit-anchors/*";
    private static final String LOG_BUCKET = "arn:aws:s3:::YOUR-LOG-BUCKET";
    private static final String KMS_KEY = "arn:aws:kms:YOUR-REGION:YOUR-ACCOUNT:key/YOUR-KEY-ID";
    private static final String ACCESS_POINTS = "arn:aws:s3:YOUR-REGION:YOUR-ACCOUNT:accesspoint/gatehouse-*";
    private static final String ACCESS_POINT_OBJECTS = ACCESS_POINTS + "/object/teams/*";

    /** Operation (SDK method) -> IAM action and the resource it is needed on, as the code uses it. */
    private static final Map<String, List<Grant>> NEEDS = Map.ofEntries(
            // The readiness check; and the access-log target, checked before logging is pointed there.
            Map.entry("headBucket", List.of(new Grant("s3:ListBucket", BUCKET), new Grant("s3:ListBucket", LOG_BUCKET))),
            Map.entry("getBucketLocation", List.of(new Grant("s3:GetBucketLocation", LOG_BUCKET),
                    new Grant("s3:GetBucketLocation", BUCKET))),
            Map.entry("putBucketLogging", List.of(new Grant("s3:PutBucketLogging", BUCKET))),
            // SSE-C uploads are verified from the listing: only the key holder can HEAD them.
            Map.entry("listObjectsV2", List.of(new Grant("s3:ListBucket", BUCKET))),
            Map.entry("listMultipartUploads", List.of(new Grant("s3:ListBucketMultipartUploads", BUCKET))),
            Map.entry("getBucketCors", List.of(new Grant("s3:GetBucketCORS", BUCKET))),
            Map.entry("putBucketCors", List.of(new Grant("s3:PutBucketCORS", BUCKET))),
            // Catalog items may live anywhere in the bucket: downloads, the item form's HEAD, verification read-back.
            Map.entry("getObject", List.of(new Grant("s3:GetObject", ANY_OBJECT))),
            Map.entry("headObject", List.of(new Grant("s3:GetObject", ANY_OBJECT))),
            // The posture page reads the first bytes of the newest client-side encrypted file (its format header).
            Map.entry("getObjectAsBytes", List.of(new Grant("s3:GetObject", ANY_OBJECT))),
            Map.entry("presignGetObject", List.of(new Grant("s3:GetObject", ANY_OBJECT))),
            // Deleting a catalog item deletes its object, wherever it is.
            Map.entry("deleteObject", List.of(new Grant("s3:DeleteObject", ANY_OBJECT))),
            // Gatehouse itself writes only the store probe; uploads write only into the team spaces.
            // Store probes; audit anchors, kept under Object Lock where it is configured.
            Map.entry("putObject", List.of(new Grant("s3:PutObject", PROBE_OBJECTS), new Grant("s3:PutObject", ANCHOR_OBJECTS),
                    new Grant("s3:PutObjectRetention", ANCHOR_OBJECTS))),
            Map.entry("presignPutObject", List.of(new Grant("s3:PutObject", TEAM_OBJECTS))),
            Map.entry("createMultipartUpload", List.of(new Grant("s3:PutObject", TEAM_OBJECTS))),
            Map.entry("presignUploadPart", List.of(new Grant("s3:PutObject", TEAM_OBJECTS))),
            Map.entry("completeMultipartUpload", List.of(new Grant("s3:PutObject", TEAM_OBJECTS))),
            Map.entry("abortMultipartUpload", List.of(new Grant("s3:AbortMultipartUpload", TEAM_OBJECTS))),
            Map.entry("listParts", List.of(new Grant("s3:ListMultipartUploadParts", TEAM_OBJECTS))),
            // The posture page: read every control; apply encryption, versioning, public access block, TLS-only policy.
            Map.entry("getBucketEncryption", List.of(new Grant("s3:GetEncryptionConfiguration", BUCKET))),
            Map.entry("putBucketEncryption", List.of(new Grant("s3:PutEncryptionConfiguration", BUCKET))),
            // Rolling back an encryption rule that locked Gatehouse out, where there was none before.
            Map.entry("deleteBucketEncryption", List.of(new Grant("s3:PutEncryptionConfiguration", BUCKET))),
            Map.entry("getBucketPolicy", List.of(new Grant("s3:GetBucketPolicy", BUCKET))),
            Map.entry("putBucketPolicy", List.of(new Grant("s3:PutBucketPolicy", BUCKET))),
            Map.entry("deleteBucketPolicy", List.of(new Grant("s3:DeleteBucketPolicy", BUCKET))),
            Map.entry("getBucketAcl", List.of(new Grant("s3:GetBucketAcl", BUCKET))),
            Map.entry("getPublicAccessBlock", List.of(new Grant("s3:GetBucketPublicAccessBlock", BUCKET))),
            Map.entry("putPublicAccessBlock", List.of(new Grant("s3:PutBucketPublicAccessBlock", BUCKET))),
            Map.entry("deletePublicAccessBlock", List.of(new Grant("s3:PutBucketPublicAccessBlock", BUCKET))),
            Map.entry("getBucketVersioning", List.of(new Grant("s3:GetBucketVersioning", BUCKET))),
            Map.entry("putBucketVersioning", List.of(new Grant("s3:PutBucketVersioning", BUCKET))),
            Map.entry("listObjectVersions", List.of(new Grant("s3:ListBucketVersions", BUCKET))),
            // The bucket's SSE-KMS key is described before it becomes the default (called directly, not via S3).
            Map.entry("describeKey", List.of(new Grant("kms:DescribeKey", KMS_KEY))),
            // Per-team access points (S3 Control), all named gatehouse-<team>.
            Map.entry("createAccessPoint", List.of(new Grant("s3:CreateAccessPoint", ACCESS_POINTS))),
            Map.entry("putAccessPointPolicy", List.of(new Grant("s3:PutAccessPointPolicy", ACCESS_POINTS))),
            Map.entry("getAccessPoint", List.of(new Grant("s3:GetAccessPoint", ACCESS_POINTS))),
            Map.entry("getAccessPointPolicy", List.of(new Grant("s3:GetAccessPointPolicy", ACCESS_POINTS))),
            Map.entry("deleteAccessPoint", List.of(new Grant("s3:DeleteAccessPoint", ACCESS_POINTS))),
            // The account's existing Object Lambda access points, to pick one for an item (a list action: no resource).
            Map.entry("listAccessPointsForObjectLambda", List.of(new Grant("s3:ListAccessPointsForObjectLambda", "*"))),
            Map.entry("getBucketLogging", List.of(new Grant("s3:GetBucketLogging", BUCKET))));

    /** Deleting one version of an object (the posture probe cleans up after itself) is an action of its own. */
    private static final Grant DELETE_VERSION = new Grant("s3:DeleteObjectVersion", PROBE_OBJECTS);

    /** Signing an SSE-KMS upload: S3 asks KMS for a data key on write and to decrypt it on every read. */
    private static final Set<Grant> SSE_KMS = Set.of(new Grant("kms:GenerateDataKey", KMS_KEY),
            new Grant("kms:Decrypt", KMS_KEY));

    /** URLs signed through a team's access point: the role needs the object actions there too. */
    private static final Set<Grant> THROUGH_ACCESS_POINTS = Set.of(new Grant("s3:GetObject", ACCESS_POINT_OBJECTS),
            new Grant("s3:PutObject", ACCESS_POINT_OBJECTS), new Grant("s3:AbortMultipartUpload", ACCESS_POINT_OBJECTS),
            new Grant("s3:ListMultipartUploadParts", ACCESS_POINT_OBJECTS));

    /** Downloads through an Object Lambda access point: its own service prefix, and the role's right to use it. */
    private static final Set<Grant> THROUGH_OBJECT_LAMBDA = Set.of(new Grant("s3-object-lambda:GetObject",
            "arn:aws:s3-object-lambda:YOUR-REGION:YOUR-ACCOUNT:accesspoint/*"));

    private static final Pattern CALL = Pattern.compile("(?:\\.|::)([a-z][A-Za-z0-9]*)\\b");

    record Grant(String action, String resource) {
    }

    @Test
    void thePolicyGrantsExactlyWhatTheProductionCodeCalls() throws IOException {
        Set<String> called = new TreeSet<>();
        boolean signsSseKms = false;
        boolean deletesVersions = false;
        boolean signsThroughAccessPoints = false;
        boolean signsThroughObjectLambda = false;
        for (Path source : productionSources()) {
            String code = Files.readString(source);
            Set<String> operations = sdkOperations(code);
            Matcher call = CALL.matcher(code);
            while (call.find()) {
                String name = call.group(1).replaceFirst("Paginator$", "");
                if (operations.contains(name)) {
                    called.add(name);
                }
            }
            signsSseKms |= code.contains("ssekmsKeyId");
            signsThroughAccessPoints |= code.contains("accessPoints.route(");
            signsThroughObjectLambda |= code.contains("item.objectLambdaArn != null ? item.objectLambdaArn");
            deletesVersions |= code.contains("deleteObject(") && code.contains(".versionId(");
        }
        assertThat(called).as("SDK operations the production code calls").isNotEmpty();
        assertThat(called).as("operations without an entry in NEEDS (add the IAM action it needs, and the policy line)")
                .allMatch(NEEDS::containsKey);

        Set<Grant> needed = new HashSet<>();
        called.forEach(operation -> needed.addAll(NEEDS.get(operation)));
        if (signsSseKms) {
            needed.addAll(SSE_KMS);
        }
        if (signsThroughObjectLambda) {
            needed.addAll(THROUGH_OBJECT_LAMBDA);
        }
        if (signsThroughAccessPoints) {
            needed.addAll(THROUGH_ACCESS_POINTS);
        }
        if (deletesVersions) {
            needed.add(DELETE_VERSION);
        }
        assertThat(grantedBy(Path.of("deploy/iam-policy.json"))).as("deploy/iam-policy.json")
                .containsExactlyInAnyOrderElementsOf(needed);
    }

    /**
     * The names of every request-taking operation of the SDK clients a source file uses: a client counts only in the
     * files that import its package (KMS has a {@code verify}, which is also a common method name elsewhere).
     */
    private static Set<String> sdkOperations(String code) {
        Set<String> names = new TreeSet<>();
        for (String type : new String[] { S3Client.class.getName(), S3Presigner.class.getName(),
                "software.amazon.awssdk.services.s3control.S3ControlClient", "software.amazon.awssdk.services.kms.KmsClient" }) {
            String servicePackage = type.substring(0, type.lastIndexOf('.')).replace(".presigner", "") + ".";
            if (!code.contains(servicePackage)) {
                continue;
            }
            Class<?> client;
            try {
                client = Class.forName(type);
            } catch (ClassNotFoundException notADependencyYet) {
                continue;
            }
            Arrays.stream(client.getMethods()).filter(IamPolicyTest::takesARequest).map(Method::getName)
                    .map(name -> name.replaceFirst("Paginator$", "")).forEach(names::add);
        }
        return names;
    }

    private static boolean takesARequest(Method method) {
        return method.getParameterCount() >= 1 && (SdkRequest.class.isAssignableFrom(method.getParameterTypes()[0])
                || Consumer.class.isAssignableFrom(method.getParameterTypes()[0]));
    }

    private static List<Path> productionSources() throws IOException {
        return ConfigurationNames.sources().stream().filter(file -> !file.toString().contains("/io/gatehouse/dev/")).toList();
    }

    private static Set<Grant> grantedBy(Path policy) throws IOException {
        JsonNode document = new ObjectMapper().readTree(policy.toFile());
        Map<String, Grant> granted = new TreeMap<>();
        for (JsonNode statement : document.get("Statement")) {
            assertThat(statement.get("Effect").asText()).as("statement %s", statement.get("Sid")).isEqualTo("Allow");
            for (String action : texts(statement.get("Action"))) {
                for (String resource : texts(statement.get("Resource"))) {
                    granted.put(action + " " + resource, new Grant(action, resource));
                }
            }
        }
        return Set.copyOf(granted.values());
    }

    private static Set<String> texts(JsonNode node) {
        Set<String> values = new TreeSet<>();
        if (node.isArray()) {
            node.forEach(value -> values.add(value.asText()));
        } else {
            values.add(node.asText());
        }
        return values;
    }
}
