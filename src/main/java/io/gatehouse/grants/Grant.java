package io.gatehouse.grants;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.gatehouse.db.Sql;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** Subject x resource x permission x validity window x optional use limit. */
@Entity
@Table(name = "access_grant")
public class Grant extends PanacheEntityBase {

    public enum SubjectType {
        USER, TEAM, ROLE
    }

    public enum ResourceType {
        /** One object key. */
        OBJECT,
        /** Every key under a prefix ending with '/', matched on segment boundaries. */
        PREFIX
    }

    public enum Permission {
        READ, WRITE
    }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Enumerated(EnumType.STRING)
    @Column(name = "subject_type")
    public SubjectType subjectType;

    public String subject;

    public String bucket;

    @Enumerated(EnumType.STRING)
    @Column(name = "resource_type")
    public ResourceType resourceType;

    public String resource;

    @Enumerated(EnumType.STRING)
    public Permission permission;

    @Column(name = "valid_from")
    public Instant validFrom;

    @Column(name = "valid_until")
    public Instant validUntil;

    @Column(name = "max_uses")
    public Integer maxUses;

    @Column(name = "use_count")
    public int useCount;

    public String reason;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "revoked_by")
    public String revokedBy;

    @Column(name = "revoked_reason")
    public String revokedReason;

    /** The columns {@link #fromRow} reads: the one JDBC mapping of access_grant (hot paths read grants with JDBC). */
    static final String COLUMNS = """
            id, subject_type, subject, bucket, resource_type, resource, permission, valid_from, valid_until, max_uses,
            use_count, revoked_at""";

    static Grant fromRow(ResultSet row) throws SQLException {
        Grant grant = new Grant();
        grant.id = row.getLong("id");
        grant.subjectType = SubjectType.valueOf(row.getString("subject_type"));
        grant.subject = row.getString("subject");
        grant.bucket = row.getString("bucket");
        grant.resourceType = ResourceType.valueOf(row.getString("resource_type"));
        grant.resource = row.getString("resource");
        grant.permission = Permission.valueOf(row.getString("permission"));
        grant.validFrom = row.getTimestamp("valid_from").toInstant();
        grant.validUntil = row.getTimestamp("valid_until").toInstant();
        Long maxUses = Sql.longOrNull(row, "max_uses");
        grant.maxUses = maxUses == null ? null : maxUses.intValue();
        grant.useCount = row.getInt("use_count");
        grant.revokedAt = Sql.instantOrNull(row, "revoked_at");
        return grant;
    }

    public boolean covers(String key) {
        return resourceType == ResourceType.OBJECT ? resource.equals(key) : key.startsWith(resource);
    }

    /** What this grant says about a use at {@code now}: null when it allows it, otherwise why not. */
    public DenialReason blocksUseAt(Instant now) {
        DenialReason blocked = blocksContinuingAt(now);
        if (blocked == null && maxUses != null && useCount >= maxUses) {
            return DenialReason.GRANT_USED_UP;
        }
        return blocked;
    }

    /**
     * Whether something this grant already allowed (and spent its use on) may go on at {@code now}: revoked, not yet
     * or no longer valid stop it; the use count does not.
     */
    public DenialReason blocksContinuingAt(Instant now) {
        if (revokedAt != null) {
            return DenialReason.GRANT_REVOKED;
        }
        if (now.isBefore(validFrom)) {
            return DenialReason.GRANT_NOT_YET_VALID;
        }
        if (!now.isBefore(validUntil)) {
            return DenialReason.GRANT_EXPIRED;
        }
        return null;
    }

    public String status(Instant now) {
        DenialReason blocked = blocksUseAt(now);
        return blocked == null ? "active" : blocked.label();
    }
}
