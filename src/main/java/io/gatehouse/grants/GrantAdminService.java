package io.gatehouse.grants;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.Role;
import io.gatehouse.storage.ObjectKeys;
import io.gatehouse.storage.S3Config;
import io.gatehouse.web.GatehouseException;
import io.gatehouse.web.Like;

/** Creating and revoking grants; each change is audited in its own transaction. */
@ApplicationScoped
public class GrantAdminService {

    private final AuditService audit;
    private final S3Config s3;

    GrantAdminService(AuditService audit, S3Config s3) {
        this.audit = audit;
        this.s3 = s3;
    }

    @Transactional
    public Grant create(CurrentUser admin, GrantAdminResource.CreateGrant request, RequestOrigin origin) {
        String problem = ObjectKeys.problemWith(request.resource());
        if (problem != null) {
            throw GatehouseException.badRequest("resource", "The resource " + problem + ".");
        }
        if (request.resourceType() == Grant.ResourceType.PREFIX && !request.resource().endsWith("/")) {
            throw GatehouseException.badRequest("resource",
                    "A prefix must end with '/', so that 'team-a/' never covers 'team-ab/'.");
        }
        if (request.subjectType() == Grant.SubjectType.ROLE && !Role.ALL.contains(request.subject())) {
            throw GatehouseException.badRequest("subject", "Unknown role; use one of " + Role.ALL + ".");
        }
        Instant validFrom = request.validFrom() != null ? request.validFrom() : Instant.now();
        if (!request.validUntil().isAfter(validFrom)) {
            throw GatehouseException.badRequest("validUntil", "The grant must end after it starts.");
        }
        Grant grant = new Grant();
        grant.subjectType = request.subjectType();
        grant.subject = request.subject().strip();
        grant.bucket = s3.bucket();
        grant.resourceType = request.resourceType();
        grant.resource = request.resource();
        grant.permission = request.permission();
        grant.validFrom = validFrom;
        grant.validUntil = request.validUntil();
        grant.maxUses = request.maxUses();
        grant.reason = request.reason().strip();
        grant.createdBy = admin.id();
        grant.persist();
        audit.record(AuditEntry.of(admin.id(), "GRANT_CREATED", AuditOutcome.SUCCEEDED)
                .grant(grant.id)
                .resource(grant.bucket + "/" + grant.resource)
                .reason(grant.reason)
                .from(origin)
                .detail("subject", grant.subjectType + ":" + grant.subject)
                .detail("permission", grant.permission)
                .detail("validUntil", grant.validUntil.toString())
                .detail("maxUses", grant.maxUses));
        return grant;
    }

    @Transactional
    public Grant revoke(CurrentUser admin, long id, String reason, RequestOrigin origin) {
        Grant grant = Grant.findById(id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (grant == null) {
            throw GatehouseException.notFound("There is no grant " + id + ".");
        }
        if (grant.revokedAt != null) {
            throw new GatehouseException(409, "already_revoked", "Grant " + id + " was already revoked by "
                    + grant.revokedBy + ".");
        }
        grant.revokedAt = Instant.now();
        grant.revokedBy = admin.id();
        grant.revokedReason = reason.strip();
        audit.record(AuditEntry.of(admin.id(), "GRANT_REVOKED", AuditOutcome.SUCCEEDED)
                .grant(grant.id)
                .resource(grant.bucket + "/" + grant.resource)
                .reason(grant.revokedReason)
                .from(origin));
        return grant;
    }

    /** Console filters; null fields do not filter. {@code before} is the keyset cursor (ids descending). */
    public record Filter(String subject, String resourcePrefix, Grant.Permission permission, String status, String createdBy,
            Long before) {
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<Grant> search(Filter filter, int limit) {
        StringBuilder where = new StringBuilder("1 = 1");
        io.quarkus.panache.common.Parameters parameters = new io.quarkus.panache.common.Parameters();
        if (filter.subject() != null) {
            where.append(" and subject = :subject");
            parameters.and("subject", filter.subject());
        }
        if (filter.resourcePrefix() != null) {
            where.append(" and resource like :resource escape '\\'");
            parameters.and("resource", Like.escape(filter.resourcePrefix()) + "%");
        }
        if (filter.permission() != null) {
            where.append(" and permission = :permission");
            parameters.and("permission", filter.permission());
        }
        if (filter.createdBy() != null) {
            where.append(" and createdBy = :createdBy");
            parameters.and("createdBy", filter.createdBy());
        }
        if ("active".equals(filter.status())) {
            where.append(" and revokedAt is null and validFrom <= :now and validUntil > :now");
            parameters.and("now", Instant.now());
        } else if ("expired".equals(filter.status())) {
            where.append(" and revokedAt is null and validUntil <= :now");
            parameters.and("now", Instant.now());
        } else if ("revoked".equals(filter.status())) {
            where.append(" and revokedAt is not null");
        }
        if (filter.before() != null) {
            where.append(" and id < :before");
            parameters.and("before", filter.before());
        }
        return Grant.<Grant>find(where + " order by id desc", parameters).page(0, limit).list();
    }
}
