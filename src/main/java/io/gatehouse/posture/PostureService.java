package io.gatehouse.posture;

import static io.gatehouse.posture.StoreAnswers.attempt;
import static io.gatehouse.posture.StoreAnswers.code;
import static io.gatehouse.posture.StoreAnswers.describe;
import static io.gatehouse.posture.StoreAnswers.failed;
import static io.gatehouse.posture.StoreAnswers.notImplemented;
import static io.gatehouse.posture.StoreAnswers.stillWorks;

import io.gatehouse.posture.Control.Probe;
import io.gatehouse.posture.Control.State;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.bucket.BucketCorsService;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.KmsBudget;
import io.gatehouse.storage.S3Clients;
import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.SseMode;
import io.gatehouse.storage.StoreCapabilities;
import io.gatehouse.teams.TeamService;
import io.gatehouse.web.GatehouseException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.GetBucketVersioningResponse;
import software.amazon.awssdk.services.s3.model.PublicAccessBlockConfiguration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The bucket's security controls, each read from the store and then tried with a harmless probe request against a
 * probe key of Gatehouse's own: a control is OK only when the store enforces it. States say what the store did:
 * a missing API is NOT_SUPPORTED, a configuration that does not bite is NOT_ENFORCED, an error names its S3 code.
 */
@ApplicationScoped
public class PostureService {

    public record Posture(String bucket, String endpoint, Instant checkedAt, List<Control> controls) {
    }

    /**
     * What an admin gives for a control that needs it: where access logs go; the MFA device and a current code of the
     * bucket owner's root account for MFA Delete (passed to the store once, never stored or audited).
     */
    public record Choice(String targetBucket, String targetPrefix, String mfaSerial, String mfaCode) {
        static final Choice NONE = new Choice(null, null, null, null);

        @Override
        public String toString() {
            return "Choice[targetBucket=" + targetBucket + ", targetPrefix=" + targetPrefix + ", mfaSerial=" + mfaSerial + "]";
        }
    }

    private static final java.util.regex.Pattern MFA_SERIAL = java.util.regex.Pattern.compile("[A-Za-z0-9:/+=,.@_-]{1,256}");

    private static final String OTHER_ORIGIN = "https://not-an-allowed-origin.example";
    private static final java.util.regex.Pattern BUCKET_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private final S3Client s3;
    private final S3Presigner presigner;
    private final S3Config config;
    private final BucketCorsService cors;
    private final AuditService audit;
    private final KmsBudget budget;
    private final TeamService teams;
    private final EncryptionControls encryption;
    private final BucketPolicyEditor policies;
    /** For the probes that are plain HTTP requests (no signature, another scheme, a preflight), trusting the store's CA. */
    private final HttpClient http;

    PostureService(S3Client s3, S3Presigner presigner, S3Config config, BucketCorsService cors, AuditService audit,
            KmsBudget budget, TeamService teams, EncryptionControls encryption, BucketPolicyEditor policies) {
        this.encryption = encryption;
        this.policies = policies;
        this.s3 = s3;
        this.presigner = presigner;
        this.config = config;
        this.cors = cors;
        this.audit = audit;
        this.budget = budget;
        this.teams = teams;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(S3Clients.sslContext(config)).build();
    }

    public Posture check() {
        String probeKey = StoreCapabilities.PROBE_PREFIX + "posture-" + UUID.randomUUID();
        List<Control> controls = new ArrayList<>();
        SdkException refused = attempt(() -> s3.putObject(r -> r.bucket(bucket()).key(probeKey).contentType("text/plain"),
                RequestBody.fromString("Gatehouse posture probe")));
        // Without a probe object the probes that need one say why instead of answering.
        Probe noProbe = refused == null ? null : new Probe("PUT " + probeKey, "the probe object could not be written: "
                + describe(refused));
        String probe = refused == null ? probeKey : null;
        try {
            controls.addAll(encryption.check(probe, noProbe));
            controls.add(encryption.clientSideEncryption());
            // Read once: the TLS-only row and the public-grants check both look at it.
            PolicyRead policy = readPolicy();
            controls.add(tlsOnlyPolicy(probe, policy));
            controls.add(blockPublicAccess(probe, noProbe, policy));
            controls.addAll(versioning());
            controls.add(accessLogging());
            controls.add(corsControl(probeKey));
            controls.add(kmsBudget());
        } finally {
            if (refused == null) {
                attempt(() -> s3.deleteObject(r -> r.bucket(bucket()).key(probeKey)));
            }
        }
        return new Posture(bucket(), S3Clients.endpoint(config).map(URI::toString).orElse("AWS S3 (" + config.region() + ")"),
                Instant.now(), controls);
    }

    // ---- the controls ------------------------------------------------------------------------------------------

    /** The bucket policy as the store answered: its text (null: none), or the store's refusal to say. */
    private record PolicyRead(String text, S3Exception failure) {
    }

    private PolicyRead readPolicy() {
        try {
            return new PolicyRead(s3.getBucketPolicy(r -> r.bucket(bucket())).policy(), null);
        } catch (S3Exception e) {
            return new PolicyRead(null, e);
        }
    }

    private Control tlsOnlyPolicy(String probeKey, PolicyRead read) {
        String id = "tls-only-policy";
        var ours = BucketPolicies.denyInsecureTransport(bucket());
        if (read.failure() != null) {
            S3Exception e = read.failure();
            // AWS and RGW say NoSuchBucketPolicy; S3Proxy, which has no policies at all, says NoSuchPolicy.
            return failed(id, e, e.statusCode() == 404 ? code(e) : null,
                    "No bucket policy: the store answers plain-http requests too.", ours, null)
                    .withApplicable(lockOut() == null);
        }
        String policy = read.text();
        boolean holds;
        try {
            holds = BucketPolicies.holds(policy, ours);
        } catch (GatehouseException unreadable) {
            return new Control(id, State.ERROR, unreadable.getMessage(), policy, ours, null, false);
        }
        if (!holds) {
            boolean changed = BucketPolicies.holdsSid(policy, ours);
            return new Control(id, changed ? State.DRIFT : State.MISSING, changed
                    ? "Gatehouse's TLS-only statement is in the policy but was changed: it no longer denies what it should."
                    : "The bucket policy does not deny plain-http requests.", policy, ours, null, lockOut() == null);
        }
        Probe probe = plainHttpProbe(probeKey);
        boolean refused = probe != null && probe.answer().startsWith("HTTP 403");
        return new Control(id, refused ? State.OK : State.NOT_ENFORCED, refused
                ? "The store refuses requests that do not come over TLS, and proved it on a plain-http request."
                : "The TLS-only statement is in the policy, but a plain-http request was not refused.", policy, ours, probe,
                false);
    }

    private Probe plainHttpProbe(String probeKey) {
        if (probeKey == null) {
            return null;
        }
        URI signed = signedGet(probeKey);
        if (!"https".equals(signed.getScheme())) {
            return new Probe("GET " + probeKey + " over http", "not tried: the store is reached over plain http already");
        }
        URI plain = URI.create("http" + signed.toString().substring("https".length()));
        return send("GET " + probeKey + " over plain http (signed)", HttpRequest.newBuilder(plain).GET());
    }

    /** A one-minute signed GET of a probe object: the address the probes vary (scheme, no signature). */
    private URI signedGet(String probeKey) {
        return URI.create(presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(1))
                .getObjectRequest(r -> r.bucket(bucket()).key(probeKey))).url().toString());
    }

    private Control blockPublicAccess(String probeKey, Probe noProbe, PolicyRead policy) {
        String id = "block-public-access";
        Map<String, Boolean> desired = Map.of("BlockPublicAcls", true, "IgnorePublicAcls", true, "BlockPublicPolicy", true,
                "RestrictPublicBuckets", true);
        Probe probe = probeKey == null ? noProbe : anonymousProbe(probeKey);
        boolean publicRead = probe != null && probe.answer().startsWith("HTTP 200");
        List<String> grants = publicGrants(policy);
        PublicAccessBlockConfiguration block;
        try {
            block = s3.getPublicAccessBlock(r -> r.bucket(bucket())).publicAccessBlockConfiguration();
        } catch (S3Exception e) {
            Control read = failed(id, e, "NoSuchPublicAccessBlockConfiguration",
                    "The bucket has no public access block: a policy or ACL could make objects public.", desired, probe);
            Map<String, Object> shown = Map.of("publicGrants", grants);
            if (publicRead) {
                return new Control(id, State.NOT_ENFORCED, "Objects are readable WITHOUT credentials: an anonymous GET of "
                        + "the probe object succeeded" + (grants.isEmpty() ? "." : ", because of: " + String.join("; ", grants)
                        + "."), shown, desired, probe, read.applicable());
            }
            if (!grants.isEmpty()) {
                return new Control(id, read.state() == State.NOT_SUPPORTED ? State.DRIFT : read.state(), "The bucket is "
                        + "made public by: " + String.join("; ", grants) + (read.state() == State.NOT_SUPPORTED
                        ? " (this store has no public access block to override it)." : "."), shown, desired, probe,
                        read.applicable());
            }
            return new Control(id, read.state(), read.summary(), shown, desired, probe, read.applicable());
        }
        Map<String, Boolean> current = new LinkedHashMap<>();
        current.put("BlockPublicAcls", block.blockPublicAcls());
        current.put("IgnorePublicAcls", block.ignorePublicAcls());
        current.put("BlockPublicPolicy", block.blockPublicPolicy());
        current.put("RestrictPublicBuckets", block.restrictPublicBuckets());
        Map<String, Object> shown = new LinkedHashMap<>(current);
        shown.put("publicGrants", grants);
        if (publicRead) {
            return new Control(id, State.NOT_ENFORCED, "Objects are readable WITHOUT credentials although the block is set.",
                    shown, desired, probe, true);
        }
        boolean all = current.values().stream().allMatch(Boolean.TRUE::equals);
        if (!grants.isEmpty()) {
            return new Control(id, all ? State.OK : State.DRIFT, (all ? "The block overrides what would make the bucket "
                    + "public: " : "The bucket is made public by: ") + String.join("; ", grants) + ".", shown, desired,
                    probe, !all);
        }
        return new Control(id, all ? State.OK : State.DRIFT, all
                ? "All four public-access settings are on, and an anonymous request for the probe object was refused."
                : "Some public-access settings are off (compare below).", shown, desired, probe, !all);
    }

    /**
     * What makes objects public whatever the block or the store: bucket policy statements that allow everyone, ACL
     * grants to all users or to every AWS account. A store without policies or ACLs simply contributes nothing.
     */
    private List<String> publicGrants(PolicyRead policy) {
        List<String> found = new ArrayList<>();
        try {
            // A failed read is no policy, or no policies at all on this store.
            found.addAll(BucketPolicies.publicStatements(policy.text()));
        } catch (GatehouseException unreadable) {
            found.add("a bucket policy Gatehouse cannot read (" + unreadable.getMessage() + ")");
        }
        try {
            for (var grant : s3.getBucketAcl(r -> r.bucket(bucket())).grants()) {
                String uri = grant.grantee() == null ? null : grant.grantee().uri();
                if (uri != null && (uri.endsWith("/global/AllUsers") || uri.endsWith("/global/AuthenticatedUsers"))) {
                    found.add("the bucket ACL grants " + grant.permissionAsString() + " to "
                            + (uri.endsWith("AllUsers") ? "everyone" : "every AWS account"));
                }
            }
        } catch (S3Exception noAcl) {
            // no ACL API on this store
        }
        return found;
    }

    private Probe anonymousProbe(String probeKey) {
        if (probeKey == null) {
            return null;
        }
        // The object's plain address: a signed URL without its signature.
        URI signed = signedGet(probeKey);
        URI anonymous = URI.create(signed.getScheme() + "://" + signed.getRawAuthority() + signed.getRawPath());
        return send("GET " + probeKey + " without credentials", HttpRequest.newBuilder(anonymous).GET());
    }

    private List<Control> versioning() {
        GetBucketVersioningResponse versioning;
        try {
            versioning = s3.getBucketVersioning(r -> r.bucket(bucket()));
        } catch (S3Exception e) {
            Control failed = failed("versioning", e, null, null, Map.of("Status", "Enabled"), null);
            return List.of(failed, new Control("mfa-delete", failed.state(), failed.summary(), null,
                    Map.of("MFADelete", "Enabled"), null, false));
        }
        String status = versioning.statusAsString();
        Control control;
        if (!"Enabled".equals(status)) {
            control = new Control("versioning", State.MISSING, "Versioning is " + (status == null ? "off" : status)
                    + ": an overwrite or delete loses the previous content for good.", Map.of("Status", String.valueOf(status)),
                    Map.of("Status", "Enabled"), null, true);
        } else {
            Probe probe = versionProbe();
            boolean kept = probe.answer().startsWith("2 versions");
            control = new Control("versioning", kept ? State.OK : State.NOT_ENFORCED, kept
                    ? "Versioning is on: the store kept both versions of a probe object written twice."
                    : "Versioning is configured, but writing a probe object twice did not leave two versions.",
                    Map.of("Status", status), Map.of("Status", "Enabled"), probe, false);
        }
        String mfa = versioning.mfaDeleteAsString();
        Control mfaDelete;
        if ("Enabled".equals(mfa)) {
            Probe probe = mfaDeleteProbe();
            boolean refused = probe.answer().startsWith("refused");
            mfaDelete = new Control("mfa-delete", refused ? State.OK : State.NOT_ENFORCED, refused
                    ? "Deleting a version or suspending versioning needs the root account's MFA code, and the store "
                            + "refused a version delete without one."
                    : "MFA Delete is configured, but the store deleted a version without an MFA code.",
                    Map.of("MFADelete", mfa), Map.of("MFADelete", "Enabled"), probe, false);
        } else {
            mfaDelete = new Control("mfa-delete", State.MISSING, "MFA Delete is off. Only the bucket owner's root account "
                    + "can turn it on, with its MFA device: run " + mfaDeleteCommand() + " — or give the device's serial "
                    + "and a current code here, and Gatehouse passes them to the store once.",
                    Map.of("MFADelete", String.valueOf(mfa)), Map.of("MFADelete", "Enabled", "command", mfaDeleteCommand()),
                    null, true);
        }
        return List.of(control, mfaDelete);
    }

    /** The exact command for the bucket owner (MFA Delete cannot be set by any role, only by root with its MFA). */
    String mfaDeleteCommand() {
        return "aws s3api put-bucket-versioning --bucket " + bucket()
                + " --versioning-configuration Status=Enabled,MFADelete=Enabled"
                + " --mfa \"arn:aws:iam::ACCOUNT-ID:mfa/root-account-mfa-device 123456\" --profile root-mfa";
    }

    private Probe versionProbe() {
        String key = StoreCapabilities.PROBE_PREFIX + "versions-" + UUID.randomUUID();
        try {
            for (String body : new String[] { "first", "second" }) {
                s3.putObject(r -> r.bucket(bucket()).key(key), RequestBody.fromString(body));
            }
            var versions = s3.listObjectVersions(r -> r.bucket(bucket()).prefix(key)).versions();
            long count = versions.stream().filter(v -> v.key().equals(key)).count();
            // The probe's own versions only; with MFA Delete on the store refuses, and says so below.
            for (var version : versions) {
                if (version.key().equals(key)) {
                    attempt(() -> s3.deleteObject(r -> r.bucket(bucket()).key(key).versionId(version.versionId())));
                }
            }
            return new Probe("PUT " + key + " twice, then list its versions", count + " versions kept");
        } catch (SdkException e) {
            return new Probe("PUT " + key + " twice, then list its versions", describe(e));
        }
    }

    /**
     * A version deleted without an MFA code must be refused. When it is, the probe's version stays: only the owner's
     * code can remove it (a few bytes per refresh, under the probe prefix).
     */
    private Probe mfaDeleteProbe() {
        String key = StoreCapabilities.PROBE_PREFIX + "mfa-delete-" + UUID.randomUUID();
        String request = "PUT " + key + ", then DELETE that version without an MFA code";
        try {
            String version = s3.putObject(r -> r.bucket(bucket()).key(key), RequestBody.fromString("MFA Delete probe"))
                    .versionId();
            SdkException refused = attempt(() -> s3.deleteObject(r -> r.bucket(bucket()).key(key).versionId(version)));
            return new Probe(request, refused == null ? "ACCEPTED: the version was deleted without MFA"
                    : "refused: " + describe(refused) + " (the probe's version stays; only an MFA code removes it)");
        } catch (SdkException e) {
            return new Probe(request, "the probe object could not be written: " + describe(e));
        }
    }

    private Control accessLogging() {
        String id = "access-logging";
        Map<String, Object> desired = Map.of("targetBucket", "another bucket in the same region", "targetPrefix", bucket() + "/");
        try {
            var enabled = s3.getBucketLogging(r -> r.bucket(bucket())).loggingEnabled();
            if (enabled == null) {
                return new Control(id, State.MISSING, "Server access logging is off: requests to the bucket leave no "
                        + "record outside Gatehouse's own audit trail.", Map.of(), desired, null, true);
            }
            Map<String, Object> current = Map.of("targetBucket", enabled.targetBucket(), "targetPrefix",
                    Optional.ofNullable(enabled.targetPrefix()).orElse(""));
            if (bucket().equals(enabled.targetBucket())) {
                return new Control(id, State.DRIFT, "Access logs go INTO the monitored bucket: every log write is logged "
                        + "again, and the bucket grows without end.", current, desired, null, true);
            }
            return new Control(id, State.OK, "Access logs go to " + enabled.targetBucket() + "/" + current.get("targetPrefix")
                    + ".", current, desired, null, false);
        } catch (S3Exception e) {
            return failed(id, e, null, null, desired, null);
        }
    }

    private Control corsControl(String probeKey) {
        String id = "cors";
        BucketCorsService.CorsState state;
        try {
            state = cors.state();
        } catch (SdkException e) {
            return new Control(id, State.ERROR, describe(e), null, null, null, false);
        }
        State mapped = switch (state.state()) {
            case "ok" -> State.OK;
            case "missing" -> State.MISSING;
            case "drift" -> State.DRIFT;
            default -> State.NOT_SUPPORTED;
        };
        String allowed = state.desired().allowedOrigins().isEmpty() ? null : state.desired().allowedOrigins().get(0);
        Probe probe = allowed == null ? null : corsProbe(probeKey, allowed);
        if (probe != null && (mapped == State.OK || mapped == State.NOT_SUPPORTED)) {
            boolean enforced = probe.answer().startsWith("allowed origin answered, other origin refused");
            if (!enforced) {
                return new Control(id, mapped == State.OK ? State.NOT_ENFORCED : mapped, state.message() + " Preflight: "
                        + probe.answer(), state.current(), state.desired(), probe, false);
            }
        }
        return new Control(id, mapped, state.message(), state.current(), state.desired(), probe, false);
    }

    private Probe corsProbe(String probeKey, String allowedOrigin) {
        URI signed = signedGet(probeKey);
        URI object = URI.create(signed.getScheme() + "://" + signed.getRawAuthority() + signed.getRawPath());
        String allowed = preflight(object, allowedOrigin);
        String other = preflight(object, OTHER_ORIGIN);
        String request = "OPTIONS (preflight for PUT) from " + allowedOrigin + " and from " + OTHER_ORIGIN;
        if (allowedOrigin.equals(allowed) && other == null) {
            return new Probe(request, "allowed origin answered, other origin refused");
        }
        return new Probe(request, "allowed origin: " + (allowed == null ? "refused" : "answered " + allowed)
                + "; other origin: " + (other == null ? "refused" : "ANSWERED " + other));
    }

    private String preflight(URI object, String origin) {
        try {
            var answer = http.send(HttpRequest.newBuilder(object).method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                    .header("Origin", origin).header("Access-Control-Request-Method", "PUT")
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
            return answer.headers().firstValue("Access-Control-Allow-Origin").orElse(null);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private Control kmsBudget() {
        String id = "kms-budget";
        List<String> kmsTeams = teams.using(SseMode.SSE_KMS);
        KmsBudget.Use use = budget.use();
        Map<String, Object> current = new LinkedHashMap<>();
        current.put("budget", use.budget());
        current.put("window", use.window().toString());
        current.put("usedThisWindow", use.used());
        current.put("peakShareLastMinute", use.peakShareLastMinute());
        current.put("sseKmsTeams", kmsTeams);
        Map<String, Object> desired = Map.of("budget", "gatehouse.kms.budget: the region's KMS request quota (it varies by "
                + "region and changes) divided by the replicas", "warnAt", budget.config().warnAt());
        if (use.budget() == null) {
            return kmsTeams.isEmpty()
                    ? new Control(id, State.OK, "No team uses SSE-KMS: no KMS request budget is needed.", current, desired,
                            null, false)
                    : new Control(id, State.MISSING, "Teams " + kmsTeams + " use SSE-KMS, but no KMS request budget is "
                            + "configured: a burst of uploads would fail at the store, on the account's KMS quota.",
                            current, desired, null, false);
        }
        long peak = Math.round(use.peakShareLastMinute() * 100);
        boolean close = use.peakShareLastMinute() >= budget.config().warnAt();
        return new Control(id, close ? State.DRIFT : State.OK, (close ? "Close to the KMS request budget: " : "Within the "
                + "KMS request budget: ") + "at most " + peak + "% of " + use.budget() + " per " + use.window()
                + " in the last minute; past it, new SSE-KMS URLs are refused with 429 and Retry-After.", current, desired,
                null, false);
    }

    // ---- applying ----------------------------------------------------------------------------------------------

    /** What applying {@code id} would change; {@code refusal} says why it will not be applied. */
    public Plan plan(String id) {
        return plan(id, Choice.NONE);
    }

    /** What applying would change, from the store's state read now (what apply itself goes by). */
    public Plan plan(String id, Choice choice) {
        return switch (id) {
            case "access-logging" -> loggingPlan(choice);
            case "mfa-delete" -> mfaDeletePlan(choice);
            case "default-encryption", "sse-c" -> planFrom(id, encryption.read());
            case "versioning" -> planFrom(id, versioningStatus());
            case "block-public-access" -> planFrom(id, null);
            case "tls-only-policy" -> planFrom(id, policies.current());
            default -> throw GatehouseException.notFound("Gatehouse cannot apply the control \"" + id + "\" (it can apply "
                    + "default-encryption, sse-c, versioning, block-public-access, tls-only-policy and access-logging; the "
                    + "others are shown, or set by the owner).");
        };
    }

    /**
     * The plans the page shows beside the controls it can apply, from what {@link #check} just read: no second round
     * of reads. Access logging and MFA Delete need the admin's input first (a target; the root MFA device), so they have none.
     */
    public Map<String, Plan> plans(Posture posture) {
        Map<String, Plan> plans = new LinkedHashMap<>();
        for (Control control : posture.controls()) {
            if (control.applicable() && !control.id().equals("access-logging") && !control.id().equals("mfa-delete")) {
                try {
                    plans.put(control.id(), planFrom(control.id(), control.current()));
                } catch (GatehouseException cannotPlan) {
                    plans.put(control.id(), new Plan(control.id(), null, null, null, cannotPlan.getMessage()));
                }
            }
        }
        return plans;
    }

    /** The plan for a control that needs no choice, given its current state (the policy text, the versioning status). */
    private Plan planFrom(String id, Object current) {
        return switch (id) {
            case "versioning" -> new Plan(id, "PutBucketVersioning Status=Enabled", current, "Enabled", null);
            case "default-encryption", "sse-c" -> encryption.plan(id, current);
            case "block-public-access" -> new Plan(id, "PutPublicAccessBlock with all four settings on", current,
                    Map.of("BlockPublicAcls", true, "IgnorePublicAcls", true, "BlockPublicPolicy", true,
                            "RestrictPublicBuckets", true), null);
            case "tls-only-policy" -> {
                String policy = current == null ? null : current.toString();
                var merge = policies.merge(policy, List.of(BucketPolicies.denyInsecureTransport(bucket())));
                yield new Plan(id, "PutBucketPolicy: add " + merge.added() + ", replace " + merge.replaced() + ", keep "
                        + merge.kept() + " statement(s) Gatehouse did not write", policy, merge.policy(), lockOut());
            }
            default -> throw new IllegalStateException(id);
        };
    }

    /**
     * Applies a control: audited before (ALLOWED) and after (SUCCEEDED or FAILED, with the store's code), all or
     * nothing; the TLS-only policy is refused while it would cut Gatehouse or its users off the store.
     */
    public Posture apply(String id, Choice choice, CurrentUser admin, RequestOrigin origin) {
        Plan plan;
        try {
            plan = plan(id, choice);
        } catch (GatehouseException cannot) {
            if (cannot.status() != 404) {
                audit.recordAlone(entry(admin, id, AuditOutcome.FAILED, origin).reason(cannot.code()));
            }
            throw cannot;
        }
        if (plan.refusal() != null) {
            throw new GatehouseException(409, "would_lock_out", plan.refusal());
        }
        audit.recordAlone(entry(admin, id, AuditOutcome.ALLOWED, origin).detail("change", plan.change()));
        try {
            switch (id) {
                case "default-encryption", "sse-c" -> encryption.apply(plan);
                case "versioning" -> s3.putBucketVersioning(r -> r.bucket(bucket())
                        .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
                case "block-public-access" -> applyPublicAccessBlock();
                case "tls-only-policy" -> policies.put((String) plan.before(), plan.after().toString());
                case "mfa-delete" -> s3.putBucketVersioning(r -> r.bucket(bucket())
                        .mfa(choice.mfaSerial().strip() + " " + choice.mfaCode().strip())
                        .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED).mfaDelete("Enabled")));
                case "access-logging" -> s3.putBucketLogging(r -> r.bucket(bucket()).bucketLoggingStatus(l -> l
                        .loggingEnabled(e -> e.targetBucket(choice.targetBucket()).targetPrefix(loggingPrefix(choice)))));
                default -> throw new IllegalStateException(id);
            }
        } catch (GatehouseException e) {
            audit.recordAlone(entry(admin, id, AuditOutcome.FAILED, origin).reason(e.code()));
            throw e;
        } catch (SdkException e) {
            boolean notSupported = e instanceof S3Exception s3e && notImplemented(s3e);
            audit.recordAlone(entry(admin, id, AuditOutcome.FAILED, origin).reason(notSupported ? "not_supported"
                    : e instanceof S3Exception s3e && s3e.awsErrorDetails() != null ? s3e.awsErrorDetails().errorCode()
                            : "store_unavailable"));
            if (notSupported) {
                throw new GatehouseException(409, "not_supported", "This store does not implement the API for " + id + ".");
            }
            if (e instanceof S3Exception s3e && s3e.statusCode() >= 400 && s3e.statusCode() < 500) {
                // The store said no (a key it does not know, a setting it cannot take, a wrong code): nothing changed.
                throw new GatehouseException(409, "store_refused", "The store refused to apply " + id + ": "
                        + describe(s3e) + (id.equals("mfa-delete") ? " (a wrong or already used code, another device "
                                + "than the owner's, or not the bucket owner's root account)" : "") + ". Nothing was changed.");
            }
            throw e;
        }
        Posture after = check();
        Control applied = after.controls().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
        audit.recordAlone(entry(admin, id, AuditOutcome.SUCCEEDED, origin).detail("state", applied.state().name()));
        return after;
    }

    /**
     * Where logs would go, checked before anything changes: a real bucket name, not the monitored bucket (each log
     * write would be logged again, for ever), one that exists and that Gatehouse can see, in the same region.
     */
    private Plan loggingPlan(Choice choice) {
        String target = choice.targetBucket() == null ? "" : choice.targetBucket().strip();
        if (!BUCKET_NAME.matcher(target).matches() || target.contains("..")) {
            throw GatehouseException.badRequest("targetBucket", "Name the bucket the logs go to: 3 to 63 lower-case "
                    + "letters, digits, dots and hyphens, starting and ending with a letter or digit.");
        }
        if (target.equals(bucket())) {
            throw new GatehouseException(422, "logging_loop", "Logs of " + bucket() + " cannot go into " + bucket()
                    + " itself: every log write would be logged again and the bucket would grow without end.", "targetBucket");
        }
        String prefix = loggingPrefix(choice);
        if (prefix.length() > 256 || prefix.startsWith("/") || prefix.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw GatehouseException.badRequest("targetPrefix", "The prefix may be up to 256 characters, without a "
                    + "leading slash or control characters.");
        }
        try {
            s3.headBucket(r -> r.bucket(target));
        } catch (S3Exception e) {
            throw new GatehouseException(422, e.statusCode() == 404 ? "no_such_bucket" : "bucket_not_visible",
                    e.statusCode() == 404 ? "There is no bucket " + target + "." : "Gatehouse cannot see the bucket "
                            + target + " (" + e.statusCode() + " " + code(e) + ").", "targetBucket");
        }
        // Compared with the monitored bucket's own location, as this store names locations (Ceph RGW says "default").
        String targetRegion = location(target);
        String ownRegion = location(bucket());
        if (targetRegion != null && ownRegion != null && !targetRegion.equals(ownRegion)) {
            throw new GatehouseException(422, "other_region", "The log bucket " + target + " is in " + targetRegion
                    + ", the monitored bucket in " + ownRegion + ": S3 delivers access logs within a region only.",
                    "targetBucket");
        }
        return new Plan("access-logging", "PutBucketLogging to " + target + "/" + prefix + " (the log bucket's policy "
                + "must let logging.s3.amazonaws.com write there)", null, Map.of("targetBucket", target, "targetPrefix", prefix),
                null);
    }

    /** The root account's MFA device and code, checked for shape; the store checks the code itself. */
    private Plan mfaDeletePlan(Choice choice) {
        String serial = choice.mfaSerial() == null ? "" : choice.mfaSerial().strip();
        String code = choice.mfaCode() == null ? "" : choice.mfaCode().strip();
        if (!MFA_SERIAL.matcher(serial).matches()) {
            throw GatehouseException.badRequest("mfaSerial", "Give the serial of the bucket owner's MFA device, e.g. "
                    + "arn:aws:iam::123456789012:mfa/root-account-mfa-device (letters, digits and :/+=,.@_- only).");
        }
        if (!code.matches("\\d{6}")) {
            throw GatehouseException.badRequest("mfaCode", "Give the 6-digit code the MFA device shows now.");
        }
        // The code is for the store alone: not in the plan, the audit trail or a log.
        return new Plan("mfa-delete", "PutBucketVersioning Status=Enabled, MFADelete=Enabled with the MFA device " + serial,
                versioningStatus(), Map.of("Status", "Enabled", "MFADelete", "Enabled"), null);
    }

    /** A bucket's location as the store names it (AWS: empty for us-east-1), or null where the store cannot say. */
    private String location(String name) {
        try {
            String location = s3.getBucketLocation(r -> r.bucket(name)).locationConstraintAsString();
            return location == null || location.isEmpty() ? "us-east-1" : location;
        } catch (S3Exception e) {
            return null;
        }
    }

    private String loggingPrefix(Choice choice) {
        return choice.targetPrefix() == null || choice.targetPrefix().isBlank() ? bucket() + "/" : choice.targetPrefix().strip();
    }


    /**
     * Turns all four settings on, then proves Gatehouse can still write: Ceph RGW 16, for one, then refuses its owner's
     * own PUTs, which would end every upload. Then the previous settings are put back.
     */
    private void applyPublicAccessBlock() {
        PublicAccessBlockConfiguration before;
        try {
            before = s3.getPublicAccessBlock(r -> r.bucket(bucket())).publicAccessBlockConfiguration();
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            before = null;
        }
        s3.putPublicAccessBlock(r -> r.bucket(bucket()).publicAccessBlockConfiguration(b -> b.blockPublicAcls(true)
                .ignorePublicAcls(true).blockPublicPolicy(true).restrictPublicBuckets(true)));
        SdkException lockedOut = stillWorks(s3, bucket());
        if (lockedOut != null) {
            PublicAccessBlockConfiguration previous = before;
            if (previous == null) {
                s3.deletePublicAccessBlock(r -> r.bucket(bucket()));
            } else {
                s3.putPublicAccessBlock(r -> r.bucket(bucket()).publicAccessBlockConfiguration(previous));
            }
            throw new GatehouseException(409, "would_lock_out", "With the public access block on, this store refused "
                    + "Gatehouse's own writes (" + describe(lockedOut) + "), so uploads would stop; the previous "
                    + "settings are back in place. Block public access in the store's own way, or upgrade it.");
        }
    }

    /** Why the TLS-only policy would lock Gatehouse or its users out, or null. */
    String lockOut() {
        Optional<URI> own = S3Clients.endpoint(config);
        Optional<URI> browsers = S3Clients.browserEndpoint(config);
        if (own.isPresent() && !"https".equals(own.get().getScheme())) {
            return "Gatehouse reaches the store over plain http (" + own.get() + "): a TLS-only policy would refuse "
                    + "Gatehouse itself. Give the store an https endpoint first.";
        }
        if (browsers.isPresent() && !"https".equals(browsers.get().getScheme())) {
            return "Browsers reach the store over plain http (" + browsers.get() + "): a TLS-only policy would break every "
                    + "download and upload. Give the store an https address first.";
        }
        return null;
    }


    private String versioningStatus() {
        try {
            return String.valueOf(s3.getBucketVersioning(r -> r.bucket(bucket())).statusAsString());
        } catch (S3Exception e) {
            if (notImplemented(e)) {
                throw new GatehouseException(409, "not_supported", "This store does not implement bucket versioning.");
            }
            throw e;
        }
    }

    private AuditEntry entry(CurrentUser admin, String id, AuditOutcome outcome, RequestOrigin origin) {
        return AuditEntry.of(admin.id(), AuditAction.POSTURE_APPLIED, outcome).resource(bucket()).from(origin)
                .detail("control", id);
    }

    private Probe send(String request, HttpRequest.Builder builder) {
        try {
            var answer = http.send(builder.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
            return new Probe(request, "HTTP " + answer.statusCode());
        } catch (IOException e) {
            return new Probe(request, "no answer (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Probe(request, "interrupted");
        }
    }

    private String bucket() {
        return config.bucket();
    }
}
