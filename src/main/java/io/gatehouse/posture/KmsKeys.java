package io.gatehouse.posture;

import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.storage.KmsConfig;
import io.gatehouse.storage.S3Clients;
import io.gatehouse.storage.S3Config;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * What KMS says about the key Gatehouse is about to make the bucket's default: that it exists, is enabled and
 * encrypts (a symmetric ENCRYPT_DECRYPT key) — asked before PutBucketEncryption, so a typo or a disabled key is a
 * clear refusal instead of a bucket whose every write fails. Only where there is a KMS to ask: AWS S3 itself, or
 * {@code gatehouse.kms.endpoint}.
 */
@ApplicationScoped
public class KmsKeys {

    private final KmsClient kms;

    @jakarta.inject.Inject
    KmsKeys(KmsConfig kmsConfig, S3Config s3Config, AwsCredentialsProvider credentials) {
        boolean aws = S3Clients.endpoint(s3Config).isEmpty();
        if (kmsConfig.endpoint().isEmpty() && !aws) {
            this.kms = null;
            return;
        }
        var builder = KmsClient.builder().region(Region.of(s3Config.region())).credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        kmsConfig.endpoint().ifPresent(builder::endpointOverride);
        this.kms = builder.build();
    }

    /** For the wire test: a client of the test's making. */
    KmsKeys(KmsClient kms) {
        this.kms = kms;
    }

    /** Why the key cannot be the bucket's default, or null when KMS says it can (or there is no KMS to ask). */
    public Optional<String> problem(String keyId) {
        if (kms == null) {
            return Optional.empty();
        }
        KeyMetadata key;
        try {
            key = kms.describeKey(r -> r.keyId(keyId)).keyMetadata();
        } catch (KmsException e) {
            String code = e.awsErrorDetails() == null ? "unknown" : e.awsErrorDetails().errorCode();
            return Optional.of("NotFoundException".equals(code) ? "KMS knows no key " + keyId + "."
                    : "KMS refused to describe the key " + keyId + " (" + e.statusCode() + " " + code + ").");
        } catch (SdkException e) {
            return Optional.of("KMS did not answer about the key " + keyId + " (" + e.getClass().getSimpleName() + ").");
        }
        if (!"Enabled".equals(key.keyStateAsString())) {
            return Optional.of("The KMS key " + key.arn() + " is " + key.keyStateAsString() + ", not Enabled.");
        }
        if (!"ENCRYPT_DECRYPT".equals(key.keyUsageAsString()) || !"SYMMETRIC_DEFAULT".equals(key.keySpecAsString())) {
            return Optional.of("The KMS key " + key.arn() + " is a " + key.keySpecAsString() + " " + key.keyUsageAsString()
                    + " key; S3 encrypts only with symmetric ENCRYPT_DECRYPT keys.");
        }
        return Optional.empty();
    }

    @PreDestroy
    void close() {
        if (kms != null) {
            kms.close();
        }
    }
}
