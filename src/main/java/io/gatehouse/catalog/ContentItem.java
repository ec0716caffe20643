package io.gatehouse.catalog;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One downloadable object of the catalog. */
@Entity
@Table(name = "content_item")
public class ContentItem extends PanacheEntityBase {

    public enum Tier {
        STANDARD, PREMIUM
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    public String bucket;

    @Column(name = "object_key")
    public String objectKey;

    public String title;

    public String description;

    @Column(name = "size_bytes")
    public long sizeBytes;

    @Column(name = "content_type")
    public String contentType;

    @Enumerated(EnumType.STRING)
    public Tier tier = Tier.STANDARD;

    @Column(name = "owner_team")
    public String ownerTeam;

    @Column(name = "original_filename")
    public String originalFilename;

    /** The one client-side encryption scheme: chunked AES-256-GCM, key from PBKDF2-SHA-256 (see frontend/src/cse.js). */
    public static final String CLIENT_ENCRYPTION = "aes-256-gcm-chunked-v1";

    @Column(name = "sha256_base64")
    public String sha256Base64;

    /**
     * {@link #CLIENT_ENCRYPTION} when the object holds ciphertext made in the uploader's browser: downloads then
     * decrypt in the browser, with the uploader's passphrase or key file. Null for plain objects.
     */
    @Column(name = "client_encryption")
    public String clientEncryption;

    /** Served through this existing Object Lambda access point (its download URLs are signed for it); null: not. */
    @Column(name = "object_lambda_arn")
    public String objectLambdaArn;

    /** Stored with SSE-C: every read needs the team's key, which only the browser holds. */
    @Column(name = "sse_customer_key")
    public boolean sseCustomerKey;

    /** How the SHA-256 was established for an upload (checked by the store, or computed by reading it back). */
    public String integrity;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

}
