package io.gatehouse.posture;

import static io.gatehouse.posture.StoreAnswers.attempt;
import static io.gatehouse.posture.StoreAnswers.describe;
import static io.gatehouse.posture.StoreAnswers.failed;
import static io.gatehouse.posture.StoreAnswers.notImplemented;
import static io.gatehouse.posture.StoreAnswers.stillWorks;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.catalog.ContentItem;
import io.gatehouse.posture.Control.Probe;
import io.gatehouse.posture.Control.State;
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
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The encryption rows of the posture page — the bucket's default encryption, SSE-C, client-side encryption — each
 * read from the store and proved on a probe, and the plans and applies of the first two.
 */
@ApplicationScoped
class EncryptionControls {

    private static final Map<String, Object> SSE_C_BLOCKED = Map.of("blockedEncryptionTypes", List.of(BucketEncryption.SSE_C));

    private final S3Client s3;
    private final S3Config config;
    private final TeamService teams;
    private final KmsKeys kmsKeys;

    EncryptionControls(S3Client s3, S3Config config, TeamService teams, KmsKeys kmsKeys) {
        this.s3 = s3;
        this.config = config;
        this.teams = teams;
        this.kmsKeys = kmsKeys;
    }

    /** The default-encryption and sse-c rows; {@code probeKey} is the posture's probe object (null: none, see noProbe). */
    List<Control> check(String probeKey, Probe noProbe) {
        // Asked once: both rows depend on whether a team holds its own key.
        List<String> keyHolders = teams.using(SseMode.SSE_C);
        Optional<BucketEncryption.Rule> encryption;
        try {
            encryption = BucketEncryption.read(s3, bucket());
        } catch (S3Exception e) {
            Control failed = failed("default-encryption", e, null, null,
                    desiredEncryption(Optional.empty(), keyHolders).asMap(), encryptionProbe(probeKey, noProbe));
            return List.of(failed, new Control("sse-c", failed.state(), failed.summary(), null, SSE_C_BLOCKED, sseCProbe(),
                    false));
        }
        return List.of(defaultEncryption(probeKey, noProbe, encryption, keyHolders), sseC(encryption, keyHolders));
    }

    /** What applying default-encryption or sse-c would change, given the rule as {@link #read} gave it. */
    Plan plan(String id, Object current) {
        return switch (id) {
            case "default-encryption" -> {
                Optional<BucketEncryption.Rule> rule = encryptionRule(current);
                // The blocked types are kept as they are: they are the sse-c control's to change.
                BucketEncryption.Rule wanted = desiredEncryption(rule, teams.using(SseMode.SSE_C));
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
            default -> throw new IllegalStateException(id);
        };
    }

    private Control defaultEncryption(String probeKey, Probe noProbe, Optional<BucketEncryption.Rule> rule,
            List<String> keyHolders) {
        String id = "default-encryption";
        BucketEncryption.Rule wanted = desiredEncryption(rule, keyHolders);
        Map<String, Object> desired = wanted.asMap();
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
        if (!rule.get().encryptsAs(wanted)) {
            boolean noBucketKey = "aws:kms".equals(rule.get().algorithm()) && !Boolean.TRUE.equals(rule.get().bucketKey());
            return new Control(id, State.DRIFT, noBucketKey
                    ? "SSE-KMS without an S3 Bucket Key: every object request costs a KMS request."
                    : "The bucket encrypts, but not as configured (compare below).", current, desired, probe, true);
        }
        return new Control(id, State.OK, "New objects are encrypted at rest by default, and the store proved it on a "
                + "probe object.", current, desired, probe, false);
    }

    /** What Gatehouse wants, for this store: the blocked types only where the store has them (or it is AWS). */
    private BucketEncryption.Rule desiredEncryption(Optional<BucketEncryption.Rule> current, List<String> keyHolders) {
        boolean storeBlocks = S3Clients.endpoint(config).isEmpty() || current.map(r -> r.blocked() != null).orElse(false);
        return BucketEncryption.desired(config, !keyHolders.isEmpty(), storeBlocks);
    }

    /**
     * SSE-C: whether the bucket refuses customer-provided keys. Unless a team holds its own keys Gatehouse wants them
     * refused: an SSE-C object is one whose key nobody here can ever produce again.
     */
    private Control sseC(Optional<BucketEncryption.Rule> rule, List<String> keyHolders) {
        String id = "sse-c";
        Map<String, Object> current = rule.map(BucketEncryption.Rule::asMap).orElse(null);
        Probe probe = sseCProbe();
        boolean accepted = probe.answer().startsWith("stored");
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
        SdkException refused = attempt(() -> s3.putObject(r -> r.bucket(bucket()).key(key).sseCustomerAlgorithm(SseCustomerKeys.ALGORITHM)
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
    Control clientSideEncryption() {
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

    /**
     * Puts the encryption rule, then proves Gatehouse still writes (a KMS key it may not use would end every upload);
     * if not, puts the old rule back.
     */
    void apply(Plan plan) {
        BucketEncryption.put(s3, bucket(), encryptionRule(plan.after()).orElseThrow());
        SdkException lockedOut = stillWorks(s3, bucket());
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

    /** The encryption rule as the plans carry it (a map, as the page and JSON show it). */
    Map<String, Object> read() {
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

    private String bucket() {
        return config.bucket();
    }
}
