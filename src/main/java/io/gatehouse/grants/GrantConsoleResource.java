package io.gatehouse.grants;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.AuditTrail;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.web.Ids;
import io.gatehouse.web.TemplateExtensions;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.gatehouse.stepup.StepUp;
import io.gatehouse.web.Csrf;
import io.gatehouse.web.GatehouseException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

/** The grants console: list with filters, create, revoke — forms with CSRF tokens, every change audited. */
@Path("/admin/grants")
@RolesAllowed(Role.ADMIN)
public class GrantConsoleResource {

    public static final int PAGE_SIZE = 50;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance grants(CurrentUser user, List<GrantAdminResource.GrantView> grants,
                GrantAdminService.Filter filter, Long nextBefore, String error, String notice,
                String grantResource, List<String> knownUsers, List<String> teams);

        static native TemplateInstance grant(CurrentUser user, GrantAdminResource.GrantView grant,
                List<io.gatehouse.audit.AuditEvent> history, Long nextBefore);
    }

    private final GrantAdminService admin;
    private final CurrentUsers users;
    private final Csrf csrf;
    private final AuditTrail trail;
    private final StepUp stepUp;
    private final io.gatehouse.identity.Directory directory;

    GrantConsoleResource(GrantAdminService admin, CurrentUsers users, Csrf csrf, AuditTrail trail, StepUp stepUp,
            io.gatehouse.identity.Directory directory) {
        this.directory = directory;
        this.trail = trail;
        this.stepUp = stepUp;
        this.admin = admin;
        this.users = users;
        this.csrf = csrf;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@QueryParam("subject") String subject, @QueryParam("resource") String resource,
            @QueryParam("permission") String permission, @QueryParam("status") String status,
            @QueryParam("createdBy") String createdBy, @QueryParam("before") String before,
            @QueryParam("notice") String notice, @QueryParam("grantResource") String grantResource) {
        return render(new GrantAdminService.Filter(blank(subject), blank(resource), permission(permission), blank(status),
                blank(createdBy), before == null || before.isBlank() ? null : Ids.parse(before)), null, notice, blank(grantResource));
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response create(@FormParam(Csrf.FIELD) String token, @FormParam("subjectType") String subjectType,
            @FormParam("subject") String subject, @FormParam("resourceType") String resourceType,
            @FormParam("resource") String resource, @FormParam("permission") String permission,
            @FormParam("validFor") String validFor, @FormParam("validUntil") String validUntil,
            @FormParam("maxUses") String maxUses, @FormParam("reason") String reason, @Context HttpServerRequest http) {
        csrf.verify(token);
        try {
            Grant grant = admin.create(users.current(), new GrantAdminResource.CreateGrant(
                    enumValue(Grant.SubjectType.class, "subjectType", subjectType), required("subject", subject),
                    enumValue(Grant.ResourceType.class, "resourceType", resourceType), required("resource", resource),
                    enumValue(Grant.Permission.class, "permission", permission), null, until(validFor, validUntil),
                    maxUses == null || maxUses.isBlank() ? null : positive("maxUses", maxUses), required("reason", reason)),
                    RequestOrigin.of(http));
            return Response.seeOther(URI.create("/admin/grants?notice=created-" + grant.id)).build();
        } catch (GatehouseException e) {
            return refused(e);
        }
    }

    /** One grant and its use history: every URL issued (or refused) under it, from the audit trail. */
    @GET
    @Path("{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance detail(@PathParam("id") String id, @QueryParam("before") String before) {
        long grantId = Ids.parse(id);
        Grant grant = Grant.findById(grantId);
        if (grant == null) {
            throw GatehouseException.notFound("There is no grant " + grantId + ".");
        }
        AuditTrail.Page history = trail.page(new AuditTrail.Filter(null, null, null, null, null, null,
                before == null || before.isBlank() ? null : Ids.parse("before", before), grantId));
        return Templates.grant(users.current(), GrantAdminResource.GrantView.of(grant), history.rows(), history.nextBefore());
    }

    @POST
    @Path("{id}/revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revoke(@PathParam("id") String id, @FormParam(Csrf.FIELD) String token, @FormParam("reason") String reason,
            @Context HttpServerRequest http) {
        csrf.verify(token);
        admin.revoke(users.current(), Ids.parse(id), required("reason", reason), RequestOrigin.of(http));
        return Response.seeOther(URI.create("/admin/grants?notice=revoked-" + id)).build();
    }

    /** Bulk revoke of the ticked grants: needs a recent sign-in (step-up); all or nothing. */
    @POST
    @Path("revoke")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response revokeSelected(@FormParam(Csrf.FIELD) String token, @FormParam("ids") List<String> ids,
            @FormParam("reason") String reason, @Context HttpServerRequest http) {
        csrf.verify(token);
        CurrentUser user = users.current();
        stepUp.require(user, "bulk revoke", "/admin/grants");
        try {
            var result = admin.revokeAll(user, ids == null ? List.of() : ids.stream().map(id -> Ids.parse("ids", id)).toList(),
                    required("reason", reason), RequestOrigin.of(http));
            String notice = "revoked " + result.revoked().size() + (result.alreadyRevoked().isEmpty() ? ""
                    : ", " + result.alreadyRevoked().size() + " had been revoked already");
            return Response.seeOther(URI.create("/admin/grants?notice=" + TemplateExtensions.urlEncoded(notice))).build();
        } catch (GatehouseException e) {
            return refused(e);
        }
    }

    /** Field-level message on the page itself, with the list still there. */
    private Response refused(GatehouseException e) {
        return Response.status(e.status()).entity(render(new GrantAdminService.Filter(null, null, null, null, null, null),
                (e.field() == null ? "" : e.field() + ": ") + e.getMessage(), null, null)).build();
    }

    private TemplateInstance render(GrantAdminService.Filter filter, String error, String notice, String grantResource) {
        List<Grant> grants = admin.search(filter, PAGE_SIZE + 1);
        Long next = grants.size() > PAGE_SIZE ? grants.get(PAGE_SIZE - 1).id : null;
        List<GrantAdminResource.GrantView> views = grants.stream().limit(PAGE_SIZE).map(GrantAdminResource.GrantView::of).toList();
        // Pickers for the create form: users who signed in recently, and every known team.
        List<String> teams = io.gatehouse.teams.Team.<io.gatehouse.teams.Team>listAll(io.quarkus.panache.common.Sort.by("slug"))
                .stream().map(team -> team.slug).toList();
        return Templates.grants(users.current(), views, filter, next, error,
                notice, grantResource, directory.recentUsers(200), teams);
    }

    private static Instant until(String validFor, String validUntil) {
        if (validUntil != null && !validUntil.isBlank()) {
            try {
                return LocalDate.parse(validUntil).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (java.time.format.DateTimeParseException e) {
                throw GatehouseException.badRequest("validUntil", "Use a date such as 2026-12-31.");
            }
        }
        return switch (validFor == null ? "" : validFor) {
            case "1d" -> Instant.now().plus(Duration.ofDays(1));
            case "7d" -> Instant.now().plus(Duration.ofDays(7));
            case "30d" -> Instant.now().plus(Duration.ofDays(30));
            case "365d" -> Instant.now().plus(Duration.ofDays(365));
            default -> throw GatehouseException.badRequest("validUntil", "Pick a validity period or an end date.");
        };
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw GatehouseException.badRequest(field, "This field is required.");
        }
        return value.strip();
    }

    private static int positive(String field, String value) {
        try {
            int number = Integer.parseInt(value.strip());
            if (number > 0) {
                return number;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw GatehouseException.badRequest(field, "Use a positive whole number, or leave it empty for no limit.");
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String field, String value) {
        try {
            return Enum.valueOf(type, required(field, value));
        } catch (IllegalArgumentException e) {
            throw GatehouseException.badRequest(field, "Unknown value \"" + value + "\".");
        }
    }

    private static Grant.Permission permission(String value) {
        return value == null || value.isBlank() ? null : enumValue(Grant.Permission.class, "permission", value);
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
