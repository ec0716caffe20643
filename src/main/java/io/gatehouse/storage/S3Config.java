package io.gatehouse.storage;

import java.net.URI;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where Gatehouse's objects live and how it reaches the S3 API. */
@ConfigMapping(prefix = "gatehouse.s3")
public interface S3Config {

    /** The bucket Gatehouse serves and writes. */
    String bucket();

    String region();

    /** Set for S3-compatible stores (MinIO, S3Proxy); empty means AWS's own endpoint for the region. */
    Optional<URI> endpoint();

    /**
     * Where browsers reach the store, when that differs from where Gatehouse does (a container network, a cluster
     * with the store behind the Ingress): pre-signed URLs are signed for this address, and the store checks the
     * signature against the Host it is sent to. Empty: browsers use {@link #endpoint()} too.
     */
    Optional<URI> publicEndpoint();

    /**
     * A PEM file with the certificate authority of a store on a private CA (an on-premises Ceph, a test store):
     * Gatehouse then trusts that CA alone for the store. Empty: the JVM's trusted authorities.
     */
    Optional<java.nio.file.Path> caCertificate();

    /** Path-style addressing (bucket in the path), needed by most S3-compatible stores. */
    @WithDefault("false")
    boolean pathStyle();

    /** Static keys, for S3-compatible stores; when absent the default AWS credential chain (IRSA, env, profile) is used. */
    Optional<String> accessKeyId();

    Optional<String> secretAccessKey();

    /**
     * Refuse plain-http endpoints (encryption in transit). On in prod; the embedded loopback store turns it off.
     */
    @WithDefault("true")
    boolean requireHttps();

    /**
     * The default encryption the bucket should have (the posture page shows and applies it): {@code SSE_S3}
     * ({@code AES256}) or {@code SSE_KMS} ({@code aws:kms} with {@link #kmsKeyId()} and the S3 Bucket Key on, so objects
     * share data keys and cost far fewer KMS requests).
     */
    @WithDefault("SSE_S3")
    SseMode defaultEncryption();

    /** The KMS key of the bucket's default SSE-KMS encryption: a key or alias ARN, a key id or {@code alias/name}. */
    Optional<String> kmsKeyId();

    /**
     * How uploads are checked against their declared SHA-256: {@code auto} uses the store's checksum where a probe
     * found that the store checks and reports it, else reads the object back; {@code read-back} always reads back.
     */
    @WithDefault("auto")
    UploadVerification uploadVerification();

    enum UploadVerification {
        AUTO, READ_BACK
    }

    /**
     * Whether signed PUTs use {@code If-None-Match: *} where a probe found the store honours it ({@code auto}), or
     * never ({@code off}: every upload then goes as a multipart upload, whose URLs die when it is assembled).
     */
    @WithDefault("auto")
    ConditionalWrites conditionalWrites();

    enum ConditionalWrites {
        AUTO, OFF
    }
}
