package io.gatehouse.storage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Ready only when the configured bucket answers a HeadBucket with the configured credentials. */
@Readiness
@ApplicationScoped
public class BucketReadinessCheck implements HealthCheck {

    private final S3Client s3;
    private final S3Config config;

    BucketReadinessCheck(S3Client s3, S3Config config) {
        this.s3 = s3;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("s3-bucket").withData("bucket", config.bucket());
        try {
            s3.headBucket(request -> request.bucket(config.bucket()));
            return response.up().build();
        } catch (S3Exception e) {
            // Only the status and S3's error code: enough to act on, nothing secret.
            return response.down().withData("reason", "S3 answered " + e.statusCode()
                    + (e.awsErrorDetails() != null ? " " + e.awsErrorDetails().errorCode() : "")).build();
        } catch (SdkException e) {
            return response.down().withData("reason", "S3 unreachable: " + firstLine(e.getMessage())).build();
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
