package io.gatehouse.uploads;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.gatehouse.storage.SseMode;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One browser upload: what was declared, where Gatehouse put it, and how it ended. */
@Entity
@Table(name = "upload_session")
public class UploadSession extends PanacheEntityBase {

    public enum Status {
        PENDING, VERIFYING, VERIFIED, REJECTED, ABORTED, EXPIRED;

        /** Still open: URLs may be signed, the upload may be completed or cancelled. */
        public boolean open() {
            return this == PENDING || this == VERIFYING;
        }
    }

    @Id
    public UUID id;

    @Column(name = "team_slug")
    public String teamSlug;

    @Column(name = "user_id")
    public String userId;

    public String bucket;

    @Column(name = "object_key")
    public String objectKey;

    @Column(name = "original_filename")
    public String originalFilename;

    @Column(name = "safe_filename")
    public String safeFilename;

    @Column(name = "declared_size")
    public long declaredSize;

    @Column(name = "declared_content_type")
    public String declaredContentType;

    @Column(name = "declared_sha256_base64")
    public String declaredSha256;

    @Enumerated(EnumType.STRING)
    @Column(name = "sse_mode")
    public SseMode sseMode = SseMode.DEFAULT;

    @Column(name = "kms_key_id")
    public String kmsKeyId;

    /** The team's access point the browser's URLs are signed through; null: the bucket. */
    @Column(name = "access_point_arn")
    public String accessPointArn;

    /** Where the browser's URLs point: the team's access point, or the bucket. */
    public String signingBucket() {
        return accessPointArn != null ? accessPointArn : bucket;
    }

    /** SSE-C: the MD5 of the uploader's key and of the file, signed into the PUT at declaration; never stored. */
    @jakarta.persistence.Transient
    public String sseCustomerKeyMd5;

    @jakarta.persistence.Transient
    public String contentMd5;

    /** The client-side encryption scheme the browser declared (then signed into the object's metadata), or null. */
    @Column(name = "client_encryption")
    public String clientEncryption;

    /** Decided at declaration (above the multipart threshold); the store's upload id comes after. */
    public boolean multipart;

    @Column(name = "multipart_upload_id")
    public String multipartUploadId;

    /** What allowed the upload: a WRITE grant whose use it spent, or null for the uploader's own team space. */
    @Column(name = "write_grant_id")
    public Long writeGrantId;

    @Column(name = "verifying_since")
    public Instant verifyingSince;

    /** How the content was checked against the declared SHA-256, in words. */
    public String verification;

    /** Until then a URL signed for this upload may still write (see V9); the cleanup job watches the key that long. */
    @Column(name = "linger_until")
    public Instant lingerUntil;

    @Column(name = "swept_at")
    public Instant sweptAt;

    @Enumerated(EnumType.STRING)
    public Status status = Status.PENDING;

    @Column(name = "reject_reason")
    public String rejectReason;

    @Column(name = "content_item_id")
    public Long contentItemId;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "completed_at")
    public Instant completedAt;

    public boolean multipart() {
        return multipart;
    }

    /** A URL signed now, expiring then, may write until then plus the time its transfer may take. */
    void extendLinger(Instant urlExpiry, java.time.Duration transfer) {
        Instant until = urlExpiry.plus(transfer);
        if (lingerUntil == null || until.isAfter(lingerUntil)) {
            lingerUntil = until;
        }
    }
}
