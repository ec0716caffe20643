package io.gatehouse.system;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.gatehouse.storage.S3Clients;
import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.SseMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * S3 settings that are present but wrong stop the start with one line each, rather than failing on first use.
 * Missing settings, malformed database URLs and short session secrets are refused earlier, as the configuration is
 * built ({@link DeploymentSettings}, {@link S3Config}).
 */
@Singleton
public class StartupChecks {

    /** The deployment settings are asked for here so that Quarkus keeps their mapping, and its check, in the configuration. */
    void check(@Observes StartupEvent event, S3Config s3, DeploymentSettings deployment) {
        List<String> problems = new ArrayList<>();
        try {
            S3Clients.endpoint(s3);
        } catch (IllegalStateException e) {
            problems.add(e.getMessage());
        }
        if (s3.accessKeyId().isPresent() != s3.secretAccessKey().isPresent()) {
            problems.add("GATEHOUSE_S3_ACCESS_KEY_ID and GATEHOUSE_S3_SECRET_ACCESS_KEY must be set together "
                    + "(or neither, to use the default AWS credential chain)");
        }
        if (s3.defaultEncryption() == SseMode.DEFAULT) {
            problems.add("GATEHOUSE_S3_DEFAULT_ENCRYPTION must be SSE_S3 or SSE_KMS (the bucket's default encryption)");
        }
        if (s3.defaultEncryption() == SseMode.SSE_KMS && s3.kmsKeyId().isEmpty()) {
            problems.add("GATEHOUSE_S3_DEFAULT_ENCRYPTION=SSE_KMS needs GATEHOUSE_S3_KMS_KEY_ID (the bucket's KMS key)");
        }
        if (s3.kmsKeyId().isPresent() && !SseMode.isKmsKey(s3.kmsKeyId().get())) {
            problems.add("GATEHOUSE_S3_KMS_KEY_ID is not a KMS key: give a key ARN, an alias ARN, a key id (UUID) or alias/name");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("Gatehouse cannot start:\n\t" + String.join("\n\t", problems));
        }
    }
}
