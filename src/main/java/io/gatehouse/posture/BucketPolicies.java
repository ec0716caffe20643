package io.gatehouse.posture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.gatehouse.web.GatehouseException;

/**
 * Bucket policies as Gatehouse edits them: it owns the statements whose {@code Sid} starts with {@link #OWN_SID} and
 * nothing else. Merging replaces or adds only those, keeps every other statement as it was, in its place. Pure
 * functions over JSON text, so the merge can be tested on real-world documents without a store.
 */
public final class BucketPolicies {

    /** The Sid prefix of every statement Gatehouse writes. */
    public static final String OWN_SID = "Gatehouse";
    /** AWS's limit for a bucket policy document. */
    static final int MAX_BYTES = 20 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a merge would change: the statements added and replaced (by Sid), how many others stay, the result. */
    public record Merge(List<String> added, List<String> replaced, int kept, String policy) {
        public boolean changes() {
            return !added.isEmpty() || !replaced.isEmpty();
        }
    }

    private BucketPolicies() {
    }

    /** The statement denying every request that does not come over TLS. */
    static ObjectNode denyInsecureTransport(String bucket) {
        ObjectNode statement = JSON.createObjectNode();
        statement.put("Sid", OWN_SID + "DenyInsecureTransport");
        statement.put("Effect", "Deny");
        statement.put("Principal", "*");
        statement.put("Action", "s3:*");
        statement.putArray("Resource").add("arn:aws:s3:::" + bucket).add("arn:aws:s3:::" + bucket + "/*");
        statement.putObject("Condition").putObject("Bool").put("aws:SecureTransport", "false");
        return statement;
    }

    /**
     * Merges Gatehouse's statements into {@code existing} (null: the bucket has no policy). A document that is not a
     * policy (not JSON, no object, a Statement that is neither an object nor a list of them) or is too large is
     * refused with a 422 naming the problem: Gatehouse never overwrites what it cannot read.
     */
    public static Merge merge(String existing, List<ObjectNode> ours) {
        ObjectNode policy = existing == null || existing.isBlank() ? JSON.createObjectNode() : parse(existing);
        if (!policy.has("Version")) {
            policy.put("Version", "2012-10-17");
        }
        List<JsonNode> statements = statements(policy);
        Map<String, ObjectNode> wanted = new LinkedHashMap<>();
        ours.forEach(statement -> wanted.put(statement.get("Sid").asText(), statement));
        List<String> added = new ArrayList<>(wanted.keySet());
        List<String> replaced = new ArrayList<>();
        ArrayNode merged = JSON.createArrayNode();
        int kept = 0;
        for (JsonNode statement : statements) {
            String sid = statement.path("Sid").asText("");
            if (wanted.containsKey(sid)) {
                added.remove(sid);
                if (!statement.equals(wanted.get(sid))) {
                    replaced.add(sid);
                }
                merged.add(wanted.get(sid));
            } else {
                merged.add(statement);
                kept++;
            }
        }
        added.forEach(sid -> merged.add(wanted.get(sid)));
        policy.set("Statement", merged);
        String text = policy.toPrettyString();
        if (text.length() > MAX_BYTES) {
            throw new GatehouseException(422, "policy_too_large", "The merged bucket policy would be " + text.length()
                    + " bytes; S3 accepts at most " + MAX_BYTES + ". Remove statements Gatehouse did not write first.");
        }
        return new Merge(List.copyOf(added), List.copyOf(replaced), kept, text);
    }

    /**
     * The statements that let anyone in: Allow, to the principal {@code *} (or {@code {"AWS": "*"}}), with no
     * condition to narrow it — each described in a line. A conditioned one (a VPC endpoint, an address range) is not
     * counted: whether it is public depends on the condition.
     */
    static List<String> publicStatements(String policy) {
        List<String> found = new ArrayList<>();
        if (policy == null || policy.isBlank()) {
            return found;
        }
        for (JsonNode statement : statements(parse(policy))) {
            if ("Allow".equals(statement.path("Effect").asText()) && everyone(statement.path("Principal"))
                    && statement.path("Condition").isMissingNode()) {
                found.add("the bucket policy's statement " + statement.path("Sid").asText("(without a Sid)")
                        + " allows everyone " + statement.path("Action") + " on " + statement.path("Resource"));
            }
        }
        return found;
    }

    private static boolean everyone(JsonNode principal) {
        if (principal.isTextual()) {
            return "*".equals(principal.asText());
        }
        JsonNode aws = principal.path("AWS");
        if (aws.isTextual()) {
            return "*".equals(aws.asText());
        }
        if (aws.isArray()) {
            for (JsonNode one : aws) {
                if ("*".equals(one.asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the policy holds exactly this statement (by Sid and content). */
    static boolean holds(String policy, ObjectNode statement) {
        if (policy == null || policy.isBlank()) {
            return false;
        }
        return statements(parse(policy)).stream().anyMatch(statement::equals);
    }

    /** Whether the policy holds a statement with this statement's Sid (possibly changed by someone since). */
    static boolean holdsSid(String policy, ObjectNode statement) {
        if (policy == null || policy.isBlank()) {
            return false;
        }
        String sid = statement.get("Sid").asText();
        return statements(parse(policy)).stream().anyMatch(s -> sid.equals(s.path("Sid").asText()));
    }

    private static ObjectNode parse(String text) {
        if (text.length() > MAX_BYTES) {
            throw new GatehouseException(422, "policy_unreadable", "The bucket's policy is " + text.length()
                    + " bytes, more than S3 allows (" + MAX_BYTES + "): Gatehouse leaves it alone.");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new GatehouseException(422, "policy_unreadable",
                    "The bucket's current policy is not valid JSON (at line " + e.getLocation().getLineNr()
                            + "): Gatehouse will not overwrite a policy it cannot read. Fix it in the store first.");
        }
        if (!(node instanceof ObjectNode object)) {
            throw new GatehouseException(422, "policy_unreadable", "The bucket's current policy is not a JSON object.");
        }
        return object;
    }

    private static List<JsonNode> statements(ObjectNode policy) {
        JsonNode statement = policy.get("Statement");
        List<JsonNode> statements = new ArrayList<>();
        if (statement == null) {
            return statements;
        }
        if (statement.isObject()) {
            statements.add(statement); // a single statement need not be wrapped in a list
        } else if (statement.isArray() && allObjects(statement)) {
            statement.forEach(statements::add);
        } else {
            throw new GatehouseException(422, "policy_unreadable",
                    "The bucket's current policy has a Statement that is neither a statement nor a list of them.");
        }
        return statements;
    }

    private static boolean allObjects(JsonNode array) {
        for (JsonNode element : array) {
            if (!element.isObject()) {
                return false;
            }
        }
        return true;
    }
}
