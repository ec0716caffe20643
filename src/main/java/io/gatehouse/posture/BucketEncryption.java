package io.gatehouse.posture;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.SseMode;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryptionRule;

/**
 * The bucket's default encryption rule, read and written whole with the store's own API, and the rule Gatehouse
 * wants: SSE-S3, or SSE-KMS with the S3 Bucket Key on; SSE-C blocked (AWS's default for new buckets since April 2026)
 * unless a team holds its own keys.
 */
final class BucketEncryption {

    static final String SSE_C = "SSE-C";
    /** What AWS's blocked-encryption-types list holds when nothing is blocked. */
    static final String NOTHING = "NONE";

    /**
     * One rule. {@code blocked} is what the bucket refuses ({@code SSE-C}, or {@code NONE}); null where the store
     * does not report it (S3-compatible stores have no such setting).
     */
    record Rule(String algorithm, String kmsKeyId, Boolean bucketKey, List<String> blocked) {

        boolean blocksSseC() {
            return blocked != null && blocked.contains(SSE_C);
        }

        /** The same rule with SSE-C blocked or let through, everything else kept. */
        Rule blockingSseC(boolean block) {
            return new Rule(algorithm, kmsKeyId, bucketKey, List.of(block ? SSE_C : NOTHING));
        }

        Map<String, Object> asMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("algorithm", algorithm);
            map.put("kmsKey", kmsKeyId);
            map.put("bucketKey", bucketKey);
            map.put("blockedEncryptionTypes", blocked);
            return map;
        }

        /** Same algorithm, key and (with SSE-KMS) Bucket Key; the blocked types are a control of their own. */
        boolean encryptsAs(Rule other) {
            return algorithm.equals(other.algorithm) && java.util.Objects.equals(kmsKeyId, other.kmsKeyId)
                    && (!"aws:kms".equals(algorithm) || Boolean.TRUE.equals(bucketKey));
        }
    }

    private BucketEncryption() {
    }

    /**
     * The bucket's rule; empty when it has none (AWS says ServerSideEncryptionConfigurationNotFoundError, Ceph RGW
     * answers an empty configuration). Other errors — NotImplemented included — are the caller's to read.
     */
    static Optional<Rule> read(S3Client s3, String bucket) {
        List<ServerSideEncryptionRule> rules;
        try {
            rules = s3.getBucketEncryption(r -> r.bucket(bucket)).serverSideEncryptionConfiguration().rules();
        } catch (S3Exception e) {
            if (e.awsErrorDetails() != null
                    && "ServerSideEncryptionConfigurationNotFoundError".equals(e.awsErrorDetails().errorCode())) {
                return Optional.empty();
            }
            throw e;
        }
        if (rules.isEmpty() || rules.get(0).applyServerSideEncryptionByDefault() == null) {
            return Optional.empty();
        }
        ServerSideEncryptionRule rule = rules.get(0);
        var blocked = rule.blockedEncryptionTypes();
        return Optional.of(new Rule(rule.applyServerSideEncryptionByDefault().sseAlgorithmAsString(),
                rule.applyServerSideEncryptionByDefault().kmsMasterKeyID(), rule.bucketKeyEnabled(),
                blocked == null || !blocked.hasEncryptionType() ? null : List.copyOf(blocked.encryptionTypeAsStrings())));
    }

    /**
     * The rule Gatehouse wants, from its configuration; {@code blocked} only where the store has the setting
     * ({@code storeBlocks}: it reported it, or it is AWS S3 itself), so no other store gets an element it never knew.
     */
    static Rule desired(S3Config config, boolean sseCNeeded, boolean storeBlocks) {
        boolean kms = config.defaultEncryption() == SseMode.SSE_KMS;
        return new Rule(config.defaultEncryption().header().toString(), kms ? config.kmsKeyId().orElse(null) : null,
                kms ? Boolean.TRUE : null, storeBlocks ? List.of(sseCNeeded ? NOTHING : SSE_C) : null);
    }

    /** Puts the rule as the bucket's only rule (PutBucketEncryption replaces the configuration whole). */
    static void put(S3Client s3, String bucket, Rule rule) {
        s3.putBucketEncryption(r -> r.bucket(bucket).serverSideEncryptionConfiguration(c -> c.rules(sse -> {
            sse.applyServerSideEncryptionByDefault(d -> d.sseAlgorithm(rule.algorithm()).kmsMasterKeyID(rule.kmsKeyId()));
            sse.bucketKeyEnabled(rule.bucketKey());
            if (rule.blocked() != null) {
                sse.blockedEncryptionTypes(b -> b.encryptionTypeWithStrings(rule.blocked()));
            }
        })));
    }
}
