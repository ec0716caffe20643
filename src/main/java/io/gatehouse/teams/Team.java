package io.gatehouse.teams;

import java.time.Instant;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** What Gatehouse stores about a team the IdP names in the groups claim: its key prefix and upload policy. */
@Entity
@Table(name = "team")
public class Team extends PanacheEntityBase {

    @Id
    public String slug;

    @Column(name = "display_name")
    public String displayName;

    /** Where the team's objects live; ends with '/'. */
    @Column(name = "key_prefix")
    public String keyPrefix;

    /** NULL fields fall back to the configured defaults. */
    @JdbcTypeCode(SqlTypes.ARRAY)
    @Column(name = "allowed_content_types")
    public List<String> allowedContentTypes;

    @Column(name = "max_object_bytes")
    public Long maxObjectBytes;

    @Column(name = "quota_bytes")
    public Long quotaBytes;

    @Column(name = "max_files_per_session")
    public Integer maxFilesPerSession;

    @Column(name = "sse_mode")
    public String sseMode = "DEFAULT";

    @Column(name = "kms_key_id")
    public String kmsKeyId;

    @Column(name = "access_point_arn")
    public String accessPointArn;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    /** Last time a token naming this team was seen (written by the directory, read-only here). */
    @Column(name = "last_seen_at", insertable = false, updatable = false)
    public Instant lastSeenAt;

    @Column(name = "updated_at")
    public Instant updatedAt = Instant.now();

    public static Team create(String slug, String displayName) {
        Team team = new Team();
        team.slug = slug;
        team.displayName = displayName;
        team.keyPrefix = "teams/" + slug + "/";
        return team;
    }
}
