package io.gatehouse.posture;

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
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.bucket.BucketCorsService;
import io.gatehouse.catalog.ContentItem;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.storage.KmsBudget;
import io.gatehouse.storage.S3Clients;
import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.SseCustomerKeys;
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

    public enum State {
        OK, MISSING, DRIFT, NOT_ENFORCED, NOT_SUPPORTED, ERROR
    }

    /** What a probe request was and what the store answered. */
    public record Probe(String request, String answer) {
    }

    public record Control(String id, State state, String summary, Object current, Object desired, Probe probe,
            boolean applicable) {

        Control withApplicable(boolean applicable) {
            return new Control(id, state, summary, current, desired, probe, this.applicable && applicable);
        }
    }

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

    /** What applying a control would change, shown before it is applied. */
    public record Plan(String id, String change, Object before, Object after, String refusal) {
    }


    private static final String OTHER_ORIGIN = "https://not-an-allowed-origin.example";
    private static final java.util.regex.Pattern BUCKET_NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private final S3Client s3;
    private final S3Presigner presigner;
    private final S3Config config;
    private final BucketCorsService cors;
    private final AuditService audit;
    private final KmsBudget budget;
    private final TeamService teams;
    private final KmsKeys kmsKeys;
    /** For the probes that are plain HTTP requests (no signature, another scheme, a preflight), trusting the store's CA. */
    private final HttpClient http;

    PostureService(S3Client s3, S3Presigner presigner, S3Config config, BucketCorsService cors, AuditService audit,
            KmsBudget budget, TeamService teams, KmsKeys kmsKeys) {
        this.kmsKeys = kmsKeys;
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
            Optional<BucketEncryption.Rule> encryption;
            try {
                encryption = BucketEncryption.read(s3, bucket());
            } catch (S3Exception e) {
                encryption = null;
                Control failed = failed("default-encryption", e, null, null, desiredEncryption(Optional.empty()).asMap(),
                        encryptionProbe(probe, noProbe));
                controls.add(failed);
                controls.add(new Control("sse-c", failed.state(), failed.summary(), null, SSE_C_BLOCKED, sseCProbe(), false));
            }
            if (encryption != null) {
                controls.add(defaultEncryption(probe, noProbe, encryption));
                controls.add(sseC(encryption));
            }
            controls.add(clientSideEncryption());
            controls.add(tlsOnlyPolicy(probe));
            controls.add(blockPublicAccess(probe, noProbe));
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

    private Control defaultEncryption(String probeKey, Probe noProbe, Optional<BucketEncryption.Rule> rule) {
        String id = "default-encryption";
        Map<String, Object> desired = desiredEncryption(rule).asMap();
        Probe probe = encryptionProbe(probeKey, noProbe);
        if (rule.isEmpty()) {
            return new Control(id, State.MISSING, "The bucket has no default encryption rule: objects written without "
                    + "SSE headers may be stored unencrypted.", null, desired, probe, true);
        }
        Map<String, Object> current = rule.get().asMap();
        boolean encrypted = probe != null && !probe.answer().contains("none");
        if (!encrypted) {
            return new Control(id, State.NOT_ENFORCED, "Default encryption is configured, but an object written without "
                    + "SSE headers came back unencrypted.", current, desired, probe, true);
        }
        if (!rule.get().encryptsAs(desiredEncryption(rule))) {
            boolean noBucketKey = "aws:kms".equals(rule.get().algorithm()) && !Boolean.TRUE.equals(rule.get().bucketKey());
            return new Control(id, State.DRIFT, noBucketKey
                    ? "SSE-KMS without an S3 Bucket Key: every object request costs a KMS request."
                    : "The bucket encrypts, but not as configured (compare below).", current, desired, probe, true);
        }
        return new Control(id, State.OK, "New objects are encrypted at rest by default, and the store proved it on a "
                + "probe object.", current, desired, probe, false);
    }

    /** What Gatehouse wants, for this store: the blocked types only where the store has them (or it is AWS). */
    private BucketEncryption.Rule desiredEncryption(Optional<BucketEncryption.Rule> current) {
        boolean storeBlocks = S3Clients.endpoint(config).isEmpty() || current.map(r -> r.blocked() != null).orElse(false);
        return BucketEncryption.desired(config, !teams.using(SseMode.SSE_C).isEmpty(), storeBlocks);
    }

    /**
     * SSE-C: whether the bucket refuses customer-provided keys. Unless a team holds its own keys Gatehouse wants them
     * refused: an SSE-C object is one whose key nobody here can ever produce again.
     */
    private Control sseC(Optional<BucketEncryption.Rule> rule) {
        String id = "sse-c";
        Map<String, Object> current = rule.map(BucketEncryption.Rule::asMap).orElse(null);
        Probe probe = sseCProbe();
        boolean accepted = probe.answer().startsWith("stored");
        List<String> keyHolders = teams.using(SseMode.SSE_C);
        if (!keyHolders.isEmpty()) {
            Map<String, Object> open = Map.of("blockedEncryptionTypes", List.of(BucketEncryption.NOTHING), "teams", keyHolders);
            String https = SseCustomerKeys.httpsProblem(config);
            if (https != null) {
                return new Control(id, State.DRIFT, "Teams " + keyHolders + " use their own keys, but " + https, current,
                        open, probe, false);
            }
            boolean blocked = rule.map(BucketEncryption.Rule::blocksSseC).orElse(false);
            return new Control(id, accepted && !blocked ? State.OK : State.DRIFT, accepted && !blocked
                    ? "Teams " + keyHolders + " use their own keys (SSE-C, over https), and the store accepted one."
                    : "Teams " + keyHolders + " use their own keys, but the store refused SSE-C.", current, open, probe,
                    blocked);
        }
        if (rule.map(BucketEncryption.Rule::blocksSseC).orElse(false)) {
            return accepted
                    ? new Control(id, State.NOT_ENFORCED, "SSE-C is blocked in the configuration, but the store took an "
                            + "object with a customer-provided key.", current, SSE_C_BLOCKED, probe, false)
                    : new Control(id, State.OK, "The bucket refuses objects encrypted with customer-provided keys.", current,
                            SSE_C_BLOCKED, probe, false);
        }
        if (rule.isPresent() && rule.get().blocked() != null || S3Clients.endpoint(config).isEmpty()) {
            return new Control(id, State.MISSING, "The bucket accepts SSE-C: anyone who may write could store objects "
                    + "under a key nobody else holds. No team needs it, so it should be blocked.", current, SSE_C_BLOCKED, probe,
                    rule.isPresent());
        }
        return new Control(id, State.NOT_SUPPORTED, "This store has no setting to block SSE-C"
                + (accepted ? ", and it took an object with a customer-provided key." : ".")
                + " Gatehouse itself never signs SSE-C for a team that does not hold its own keys.", current, SSE_C_BLOCKED,
                probe, false);
    }

    private static final Map<String, Object> SSE_C_BLOCKED = Map.of("blockedEncryptionTypes", List.of(BucketEncryption.SSE_C));

    /**
     * A probe object written with a throwaway customer key (it protects nothing), then removed; never over plain
     * http, where a customer key must not travel.
     */
    private Probe sseCProbe() {
        if (S3Clients.endpoint(config).map(uri -> !"https".equals(uri.getScheme())).orElse(false)) {
            return new Probe("PUT with SSE-C headers", "not tried: Gatehouse sends SSE-C keys only over https, and "
                    + "reaches this store over plain http");
        }
        String key = StoreCapabilities.PROBE_PREFIX + "sse-c-" + UUID.randomUUID();
        byte[] customerKey = new byte[32];
        new java.security.SecureRandom().nextBytes(customerKey);
        String request = "PUT " + key + " with a throwaway customer-provided key (SSE-C)";
        SdkException refused = attempt(() -> s3.putObject(r -> r.bucket(bucket()).key(key).sseCustomerAlgorithm("AES256")
                .sseCustomerKey(java.util.Base64.getEncoder().encodeToString(customerKey))
                .sseCustomerKeyMD5(md5(customerKey)), RequestBody.fromString("Gatehouse SSE-C probe")));
        if (refused != null) {
            return new Probe(request, "refused: " + describe(refused));
        }
        attempt(() -> s3.deleteObject(r -> r.bucket(bucket()).key(key)));
        return new Probe(request, "stored (the store accepts SSE-C)");
    }

    private static String md5(byte[] bytes) {
        try {
            return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Probe encryptionProbe(String probeKey, Probe noProbe) {
        if (probeKey == null) {
            return noProbe;
        }
        try {
            var head = s3.headObject(r -> r.bucket(bucket()).key(probeKey));
            return new Probe("PUT " + probeKey + " without SSE headers, then HEAD",
                    "stored with encryption: " + Optional.ofNullable(head.serverSideEncryptionAsString()).orElse("none"));
        } catch (SdkException e) {
            return new Probe("HEAD " + probeKey, describe(e));
        }
    }

    /**
     * Teams whose files are encrypted in the browser; the proof is the store itself: the newest such object carries
     * the scheme in its metadata and starts with the format's header, not with the file.
     */
    private Control clientSideEncryption() {
        String id = "client-side-encryption";
        List<String> encrypting = teams.encryptingInTheBrowser();
        Map<String, Object> current = Map.of("teams", encrypting);
        Map<String, Object> desired = Map.of("teams", "those whose files the store must never see in the clear (a "
                + "team setting)", "scheme", ContentItem.CLIENT_ENCRYPTION);
        if (encrypting.isEmpty()) {
            return new Control(id, State.OK, "No team requires client-side encryption (a team setting: files are then "
                    + "encrypted in the uploader's browser and the key never leaves it).", current, desired, null, false);
        }
        ContentItem newest = ContentItem.<ContentItem>find("clientEncryption is not null and bucket = ?1 order by id desc",
                bucket()).firstResult();
        if (newest == null) {
            return new Control(id, State.OK, "Teams " + encrypting + " encrypt in the browser; none of their files is "
                    + "listed yet, so there is nothing to look at in the store.", current, desired, null, false);
        }
        String request = "HEAD and GET bytes 0-5 of " + newest.objectKey;
        Probe probe;
        boolean ciphertext;
        try {
            var head = s3.headObject(r -> r.bucket(bucket()).key(newest.objectKey));
            byte[] start = s3.getObjectAsBytes(r -> r.bucket(bucket()).key(newest.objectKey).range("bytes=0-5")).asByteArray();
            String magic = new String(start, java.nio.charset.StandardCharsets.US_ASCII);
            ciphertext = "GHCSE1".equals(magic)
                    && ContentItem.CLIENT_ENCRYPTION.equals(head.metadata().get("gatehouse-encryption"));
            probe = new Probe(request, ciphertext ? "ciphertext: the format's header and the scheme in the metadata"
                    : "NOT the format's header or metadata: the object may hold plaintext");
        } catch (SdkException e) {
            return new Control(id, State.ERROR, "The newest encrypted file could not be read: " + describe(e), current,
                    desired, new Probe(request, describe(e)), false);
        }
        return new Control(id, ciphertext ? State.OK : State.NOT_ENFORCED, ciphertext
                ? "Teams " + encrypting + " encrypt in the browser, and the store holds their newest file as ciphertext."
                : "Teams " + encrypting + " should encrypt in the browser, but their newest file does not look encrypted.",
                current, desired, probe, false);
    }

    private Control tlsOnlyPolicy(String probeKey) {
        String id = "tls-only-policy";
        var ours = BucketPolicies.denyInsecureTransport(bucket());
        String policy;
        try {
            policy = s3.getBucketPolicy(r -> r.bucket(bucket())).policy();
        } catch (S3Exception e) {
            // AWS and RGW say NoSuchBucketPolicy; S3Proxy, which has no policies at all, says NoSuchPolicy.
            return failed(id, e, e.statusCode() == 404 ? code(e) : null,
                    "No bucket policy: the store answers plain-http requests too.", ours, null)
                    .withApplicable(lockOut() == null);
        }
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

    private Control blockPublicAccess(String probeKey, Probe noProbe) {
        String id = "block-public-access";
        Map<String, Boolean> desired = Map.of("BlockPublicAcls", true, "IgnorePublicAcls", true, "BlockPublicPolicy", true,
                "RestrictPublicBuckets", true);
        Probe probe = probeKey == null ? noProbe : anonymousProbe(probeKey);
        boolean publicRead = probe != null && probe.answer().startsWith("HTTP 200");
        PublicAccessBlockConfiguration block;
        try {
            block = s3.getPublicAccessBlock(r -> r.bucket(bucket())).publicAccessBlockConfiguration();
        } catch (S3Exception e) {
            Control read = failed(id, e, "NoSuchPublicAccessBlockConfiguration",
                    "The bucket has no public access block: a policy or ACL could make objects public.", desired, probe);
            List<String> grants = publicGrants();
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
        List<String> grants = publicGrants();
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
    private List<String> publicGrants() {
        List<String> found = new ArrayList<>();
        try {
            found.addAll(BucketPolicies.publicStatements(s3.getBucketPolicy(r -> r.bucket(bucket())).policy()));
        } catch (S3Exception noPolicy) {
            // none, or no policies at all on this store
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
            case "default-encryption", "sse-c" -> planFrom(id, readEncryption());
            case "versioning" -> planFrom(id, versioningStatus());
            case "block-public-access" -> planFrom(id, null);
            case "tls-only-policy" -> planFrom(id, currentPolicy());
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
            case "default-encryption" -> {
                Optional<BucketEncryption.Rule> rule = encryptionRule(current);
                // The blocked types are kept as they are: they are the sse-c control's to change.
                BucketEncryption.Rule wanted = desiredEncryption(rule);
                String keyProblem = wanted.kmsKeyId() == null ? null : kmsKeys.problem(wanted.kmsKeyId()).orElse(null);
                if (keyProblem != null) {
                    throw new GatehouseException(422, "kms_key_unusable", keyProblem + " Set gatehouse.s3.kms-key-id to an "
                            + "enabled symmetric key first.");
                }
                BucketEncryption.Rule after = new BucketEncryption.Rule(wanted.algorithm(), wanted.kmsKeyId(),
                        wanted.bucketKey(), rule.map(BucketEncryption.Rule::blocked).orElse(wanted.blocked()));
                yield new Plan(id, "PutBucketEncryption: " + after.algorithm() + (after.kmsKeyId() == null ? ""
                        : " with key " + after.kmsKeyId() + " and the S3 Bucket Key on"), current, after.asMap(), null);
            }
            case "sse-c" -> {
                Optional<BucketEncryption.Rule> rule = encryptionRule(current);
                if (rule.isEmpty()) {
                    throw new GatehouseException(409, "needs_default_encryption", "SSE-C is blocked in the bucket's default "
                            + "encryption rule, and the bucket has none yet: apply default encryption first.");
                }
                boolean block = teams.using(SseMode.SSE_C).isEmpty();
                yield new Plan(id, "PutBucketEncryption: the same rule, with SSE-C " + (block ? "blocked" : "let through "
                        + "(teams use their own keys)"), current, rule.get().blockingSseC(block).asMap(), null);
            }
            case "block-public-access" -> new Plan(id, "PutPublicAccessBlock with all four settings on", current,
                    Map.of("BlockPublicAcls", true, "IgnorePublicAcls", true, "BlockPublicPolicy", true,
                            "RestrictPublicBuckets", true), null);
            case "tls-only-policy" -> {
                String policy = current == null ? null : current.toString();
                var merge = BucketPolicies.merge(policy, List.of(BucketPolicies.denyInsecureTransport(bucket())));
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
                case "default-encryption", "sse-c" -> applyEncryption(plan);
                case "versioning" -> s3.putBucketVersioning(r -> r.bucket(bucket())
                        .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
                case "block-public-access" -> applyPublicAccessBlock();
                case "tls-only-policy" -> applyPolicy(plan);
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
     * Puts the encryption rule, then proves Gatehouse still writes (a KMS key it may not use would end every upload);
     * if not, puts the old rule back.
     */
    private void applyEncryption(Plan plan) {
        BucketEncryption.put(s3, bucket(), encryptionRule(plan.after()).orElseThrow());
        SdkException lockedOut = stillWorks();
        if (lockedOut != null) {
            Optional<BucketEncryption.Rule> before = encryptionRule(plan.before());
            if (before.isEmpty()) {
                s3.deleteBucketEncryption(r -> r.bucket(bucket()));
            } else {
                BucketEncryption.put(s3, bucket(), before.get());
            }
            throw new GatehouseException(409, "would_lock_out", "With the new encryption rule the store refused Gatehouse's "
                    + "own writes (" + describe(lockedOut) + "); the previous rule is back in place.");
        }
    }

    /** Puts the merged policy, then proves Gatehouse still works; if not, puts the old one back. */
    private void applyPolicy(Plan plan) {
        s3.putBucketPolicy(r -> r.bucket(bucket()).policy(plan.after().toString()));
        SdkException lockedOut = stillWorks();
        if (lockedOut != null) {
            if (plan.before() == null) {
                s3.deleteBucketPolicy(r -> r.bucket(bucket()));
            } else {
                s3.putBucketPolicy(r -> r.bucket(bucket()).policy(plan.before().toString()));
            }
            throw new GatehouseException(409, "would_lock_out", "With the new policy the store refused Gatehouse itself ("
                    + describe(lockedOut) + "); the previous policy is back in place.");
        }
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
        SdkException lockedOut = stillWorks();
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

    /** Null when Gatehouse can still write, read and delete a probe object of its own; else what the store said. */
    private SdkException stillWorks() {
        String key = StoreCapabilities.PROBE_PREFIX + "after-apply-" + UUID.randomUUID();
        SdkException refused = attempt(() -> s3.putObject(r -> r.bucket(bucket()).key(key), RequestBody.fromString("ok")));
        if (refused == null) {
            refused = attempt(() -> s3.headObject(r -> r.bucket(bucket()).key(key)));
            attempt(() -> s3.deleteObject(r -> r.bucket(bucket()).key(key)));
        }
        return refused;
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

    private String currentPolicy() {
        try {
            return s3.getBucketPolicy(r -> r.bucket(bucket())).policy();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            if (notImplemented(e)) {
                throw new GatehouseException(409, "not_supported", "This store does not implement bucket policies.");
            }
            throw e;
        }
    }

    /** The encryption rule as the plans carry it (a map, as the page and JSON show it). */
    private Map<String, Object> readEncryption() {
        try {
            return BucketEncryption.read(s3, bucket()).map(BucketEncryption.Rule::asMap).orElse(null);
        } catch (S3Exception e) {
            if (notImplemented(e)) {
                throw new GatehouseException(409, "not_supported", "This store does not implement bucket encryption.");
            }
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private static Optional<BucketEncryption.Rule> encryptionRule(Object map) {
        if (!(map instanceof Map<?, ?> rule) || rule.get("algorithm") == null) {
            return Optional.empty();
        }
        return Optional.of(new BucketEncryption.Rule((String) rule.get("algorithm"), (String) rule.get("kmsKey"),
                (Boolean) rule.get("bucketKey"), (List<String>) rule.get("blockedEncryptionTypes")));
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

    // ---- reading the store's answers ---------------------------------------------------------------------------

    /** A failed read as a state: the API missing, the setting absent ({@code absentCode}), or an error with its code. */
    private static Control failed(String id, S3Exception e, String absentCode, String absentSummary, Object desired,
            Probe probe) {
        if (notImplemented(e)) {
            return new Control(id, State.NOT_SUPPORTED, "This store does not implement the API ("
                    + code(e) + ").", null, desired, probe, false);
        }
        if (absentCode != null && absentCode.equals(code(e))) {
            return new Control(id, State.MISSING, absentSummary, null, desired, probe, true);
        }
        return new Control(id, State.ERROR, "The store answered " + e.statusCode() + " " + code(e) + ".", null, desired,
                probe, false);
    }

    /** 501 NotImplemented (S3Proxy), or 405 on a bucket setting the store cannot take (Ceph RGW 16's PutBucketLogging). */
    private static boolean notImplemented(S3Exception e) {
        return e.statusCode() == 501 || e.statusCode() == 405 || "NotImplemented".equals(code(e));
    }

    private static String code(S3Exception e) {
        return e.awsErrorDetails() == null ? "unknown" : e.awsErrorDetails().errorCode();
    }

    private static String describe(SdkException e) {
        return e instanceof S3Exception s3e ? "HTTP " + s3e.statusCode() + " " + code(s3e) : "no answer (" + e.getClass().getSimpleName() + ")";
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

    /** Runs a store call whose failure is part of the answer, not an error: the exception, or null. */
    private static SdkException attempt(Supplier<?> call) {
        try {
            call.get();
            return null;
        } catch (SdkException e) {
            return e;
        }
    }

    private String bucket() {
        return config.bucket();
    }
}
