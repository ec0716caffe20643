package io.gatehouse.uploads;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One browser upload: what was declared, where Gatehouse put it, and how it ended. */
@Entity
@Table(name = "upload_session")
public class UploadSession extends PanacheEntityBase {

    public enum Status {
        PENDING, VERIFIED, REJECTED, ABORTED, EXPIRED
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

    @Column(name = "sse_mode")
    public String sseMode = "DEFAULT";

    @Column(name = "kms_key_id")
    public String kmsKeyId;

    @Column(name = "multipart_upload_id")
    public String multipartUploadId;

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
        return multipartUploadId != null;
    }
}
