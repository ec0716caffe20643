package io.gatehouse.teams;

import java.time.Instant;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.gatehouse.storage.SseMode;
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

    @Enumerated(EnumType.STRING)
    @Column(name = "sse_mode")
    public SseMode sseMode = SseMode.DEFAULT;

    @Column(name = "kms_key_id")
    public String kmsKeyId;

    /** Files must be encrypted in the uploader's browser (AES-GCM, key never sent): the store only holds ciphertext. */
    @Column(name = "client_side_encryption")
    public boolean clientSideEncryption;

    /** Members read the team's space without a grant (on by default). */
    @Column(name = "members_read")
    public boolean membersRead = true;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    /** Last time a token naming this team was seen (written by the directory, read-only here). */
    @Column(name = "last_seen_at", insertable = false, updatable = false)
    public Instant lastSeenAt;

    @Column(name = "updated_at")
    public Instant updatedAt = Instant.now();

    /** The upload policy in effect: the team's stored value where there is one, else the configured default. */
    public record Policy(List<String> allowedContentTypes, long maxObjectBytes, long quotaBytes, int maxFilesPerSession) {
    }

    public Policy policy(TeamDefaults defaults) {
        return new Policy(allowedContentTypes != null ? allowedContentTypes : defaults.allowedContentTypes(),
                maxObjectBytes != null ? maxObjectBytes : defaults.maxObjectBytes(),
                quotaBytes != null ? quotaBytes : defaults.quotaBytes(),
                maxFilesPerSession != null ? maxFilesPerSession : defaults.maxFilesPerSession());
    }

    /** A team name Gatehouse can store (the same rule as the table's CHECK); other values of the claim are ignored. */
    public static final java.util.regex.Pattern SLUG = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /** Where every team's space starts. */
    public static final String SPACES = "teams/";

    /** Where a team's objects live. */
    public static String keyPrefixFor(String slug) {
        return SPACES + slug + "/";
    }

    public static Team create(String slug, String displayName) {
        Team team = new Team();
        team.slug = slug;
        team.displayName = displayName;
        team.keyPrefix = keyPrefixFor(slug);
        return team;
    }
}
