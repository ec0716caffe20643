package io.gatehouse.grants;

import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.Role;
import io.gatehouse.storage.ObjectKeys;
import io.gatehouse.storage.S3Config;
import io.gatehouse.web.GatehouseException;
import io.gatehouse.db.Like;

/** Creating and revoking grants; each change is audited in its own transaction. */
@ApplicationScoped
public class GrantAdminService {

    private final AuditService audit;
    private final S3Config s3;

    GrantAdminService(AuditService audit, S3Config s3) {
        this.audit = audit;
        this.s3 = s3;
    }

    /** One problem with a grant request, tied to the field at fault. */
    public record Problem(String field, String message) {
    }

    public static final int MAX_SUBJECT_LENGTH = 255;
    public static final int MAX_REASON_LENGTH = 1000;
    public static final int MAX_USES_LIMIT = 1_000_000;

    /** Every rule a new grant must meet (the create form, the API and the CSV import share them). */
    public List<Problem> problemsWith(GrantAdminResource.CreateGrant request) {
        List<Problem> problems = new java.util.ArrayList<>();
        if (request.subject() != null && request.subject().strip().length() > MAX_SUBJECT_LENGTH) {
            problems.add(new Problem("subject", "A subject has at most " + MAX_SUBJECT_LENGTH + " characters."));
        }
        String keyProblem = request.resource() == null ? "is missing" : ObjectKeys.problemWith(request.resource());
        if (keyProblem != null) {
            problems.add(new Problem("resource", "The resource " + keyProblem + "."));
        } else if (request.resourceType() == Grant.ResourceType.PREFIX && !request.resource().endsWith("/")) {
            problems.add(new Problem("resource", "A prefix must end with '/', so that 'team-a/' never covers 'team-ab/'."));
        }
        if (request.subjectType() == Grant.SubjectType.ROLE && !Role.ALL.contains(request.subject())) {
            problems.add(new Problem("subject", "Unknown role; use one of " + Role.ALL + "."));
        }
        if (request.subjectType() == Grant.SubjectType.TEAM && request.subject() != null
                && io.gatehouse.teams.Team.findById(request.subject().strip()) == null) {
            problems.add(new Problem("subject", "There is no team \"" + request.subject() + "\" (teams appear once a member signs in)."));
        }
        if (request.validUntil() != null && !request.validUntil().isAfter(request.effectiveFrom())) {
            problems.add(new Problem("validUntil", "The grant must end after it starts."));
        }
        if (request.maxUses() != null && (request.maxUses() < 1 || request.maxUses() > MAX_USES_LIMIT)) {
            problems.add(new Problem("maxUses", "Use a whole number from 1 to " + MAX_USES_LIMIT + ", or none for no limit."));
        }
        if (request.reason() != null && request.reason().strip().length() > MAX_REASON_LENGTH) {
            problems.add(new Problem("reason", "A reason has at most " + MAX_REASON_LENGTH + " characters."));
        }
        // The form, the API and CSV cells alike: a subject names one principal unambiguously, a reason reads as written.
        String subjectProblem = io.gatehouse.web.TextInput.identifierProblem(request.subject());
        if (subjectProblem != null) {
            problems.add(new Problem("subject", "The subject " + subjectProblem + "."));
        }
        String reasonProblem = io.gatehouse.web.TextInput.paragraphProblem(request.reason());
        if (reasonProblem != null) {
            problems.add(new Problem("reason", "The reason " + reasonProblem + "."));
        }
        return problems;
    }

    @Transactional
    public Grant create(CurrentUser admin, GrantAdminResource.CreateGrant request, RequestOrigin origin) {
        List<Problem> problems = problemsWith(request);
        if (!problems.isEmpty()) {
            throw GatehouseException.badRequest(problems.get(0).field(), problems.get(0).message());
        }
        return insert(admin, request, origin, null);
    }

    /**
     * Stores a grant already checked by {@link #problemsWith} (inside the caller's transaction) and audits it;
     * {@code importId} ties the grants of one CSV import together in the audit trail.
     */
    Grant insert(CurrentUser admin, GrantAdminResource.CreateGrant request, RequestOrigin origin, String importId) {
        Instant validFrom = request.effectiveFrom();
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
        audit.record(AuditEntry.of(admin.id(), AuditAction.GRANT_CREATED, AuditOutcome.SUCCEEDED)
                .grant(grant.id)
                .resource(grant.bucket + "/" + grant.resource)
                .reason(grant.reason)
                .from(origin)
                .detail("subject", grant.subjectType + ":" + grant.subject)
                .detail("permission", grant.permission)
                .detail("validUntil", grant.validUntil.toString())
                .detail("maxUses", grant.maxUses)
                .detail("import", importId));
        return grant;
    }

    @Transactional
    public Grant revoke(CurrentUser admin, long id, String reason, RequestOrigin origin) {
        io.gatehouse.web.TextInput.requireParagraph("reason", reason);
        Grant grant = Grant.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (grant == null) {
            throw GatehouseException.notFound("There is no grant " + id + ".");
        }
        if (grant.revokedAt != null) {
            throw new GatehouseException(409, "already_revoked", "Grant " + id + " was already revoked by "
                    + grant.revokedBy + ".");
        }
        markRevoked(admin, grant, reason, origin, null);
        return grant;
    }

    /** What a bulk revoke did: grants revoked now, and those that had been revoked before (left as they were). */
    public record BulkRevoke(List<Long> revoked, List<Long> alreadyRevoked) {
    }

    public static final int MAX_BULK = 500;

    /** All or nothing: an unknown id refuses the whole request and nothing is revoked. */
    @Transactional
    public BulkRevoke revokeAll(CurrentUser admin, List<Long> ids, String reason, RequestOrigin origin) {
        io.gatehouse.web.TextInput.requireParagraph("reason", reason);
        List<Long> distinct = ids.stream().distinct().sorted().toList();
        if (distinct.isEmpty()) {
            throw GatehouseException.badRequest("ids", "Select at least one grant.");
        }
        if (distinct.size() > MAX_BULK) {
            throw GatehouseException.badRequest("ids", "At most " + MAX_BULK + " grants at a time.");
        }
        List<Grant> grants = Grant.<Grant>find("id in ?1 order by id", distinct).withLock(LockModeType.PESSIMISTIC_WRITE).list();
        if (grants.size() != distinct.size()) {
            List<Long> found = grants.stream().map(g -> g.id).toList();
            throw GatehouseException.notFound("There is no grant " + distinct.stream().filter(id -> !found.contains(id))
                    .map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + "; nothing was revoked.");
        }
        List<Long> revoked = new java.util.ArrayList<>();
        List<Long> already = new java.util.ArrayList<>();
        for (Grant grant : grants) {
            if (grant.revokedAt != null) {
                already.add(grant.id);
            } else {
                markRevoked(admin, grant, reason, origin, distinct.size());
                revoked.add(grant.id);
            }
        }
        return new BulkRevoke(revoked, already);
    }

    private void markRevoked(CurrentUser admin, Grant grant, String reason, RequestOrigin origin, Integer bulkSize) {
        grant.revokedAt = Instant.now();
        grant.revokedBy = admin.id();
        grant.revokedReason = reason.strip();
        audit.record(AuditEntry.of(admin.id(), AuditAction.GRANT_REVOKED, AuditOutcome.SUCCEEDED)
                .grant(grant.id)
                .resource(grant.bucket + "/" + grant.resource)
                .reason(grant.revokedReason)
                .from(origin)
                .detail("bulk", bulkSize));
    }

    /** Console filters; null fields do not filter. {@code before} is the keyset cursor (ids descending). */
    public record Filter(String subject, String resourcePrefix, Grant.Permission permission, String status, String createdBy,
            Long before) {

        public String permissionName() {
            return permission == null ? "" : permission.name();
        }

        /** The filters as query parameters ({@code &name=value}…), for the next-page link. */
        public String queryString() {
            StringBuilder query = new StringBuilder();
            java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
            values.put("subject", subject);
            values.put("resource", resourcePrefix);
            values.put("permission", permission == null ? null : permission.name());
            values.put("status", status);
            values.put("createdBy", createdBy);
            values.forEach((name, value) -> {
                if (value != null) {
                    query.append('&').append(name).append('=').append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
                }
            });
            return query.toString();
        }
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
