package io.gatehouse.grants;

import java.time.Instant;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.web.Ids;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.gatehouse.web.GatehouseException;
import io.gatehouse.stepup.StepUp;
import io.vertx.core.http.HttpServerRequest;

/** Minimal grant administration over REST (the admin console comes later). */
@Path("/api/admin/grants")
@RolesAllowed(Role.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class GrantAdminResource {

    public record CreateGrant(
            @NotNull Grant.SubjectType subjectType,
            @NotBlank String subject,
            @NotNull Grant.ResourceType resourceType,
            @NotBlank String resource,
            @NotNull Grant.Permission permission,
            Instant validFrom,
            @NotNull Instant validUntil,
            Integer maxUses,
            @NotBlank String reason) {

        /** A grant without a start date starts now. */
        public Instant effectiveFrom() {
            return validFrom != null ? validFrom : Instant.now();
        }
    }

    public record Revoke(@NotBlank @Size(max = 1000) String reason) {
    }

    public record RevokeMany(@NotNull @Size(min = 1, max = GrantAdminService.MAX_BULK) List<Long> ids,
            @NotBlank @Size(max = 1000) String reason) {
    }

    public record GrantView(long id, String subjectType, String subject, String bucket, String resourceType, String resource,
            String permission, Instant validFrom, Instant validUntil, Integer maxUses, int useCount, String reason,
            String createdBy, Instant revokedAt, String revokedBy, String revokedReason, String status) {

        static GrantView of(Grant g) {
            return new GrantView(g.id, g.subjectType.name(), g.subject, g.bucket, g.resourceType.name(), g.resource,
                    g.permission.name(), g.validFrom, g.validUntil, g.maxUses, g.useCount, g.reason, g.createdBy,
                    g.revokedAt, g.revokedBy, g.revokedReason, g.status(Instant.now()));
        }
    }

    private final GrantAdminService admin;
    private final CurrentUsers users;
    private final StepUp stepUp;
    private final GrantImport imports;

    GrantAdminResource(GrantAdminService admin, CurrentUsers users, StepUp stepUp, GrantImport imports) {
        this.imports = imports;
        this.admin = admin;
        this.users = users;
        this.stepUp = stepUp;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@Valid @NotNull CreateGrant request, @Context HttpServerRequest http) {
        Grant grant = admin.create(users.current(), request, RequestOrigin.of(http));
        return Response.status(201).entity(GrantView.of(grant)).build();
    }

    @GET
    public List<GrantView> list(@QueryParam("subject") String subject) {
        String filter = subject == null || subject.isBlank() ? null : subject.strip();
        return admin.search(new GrantAdminService.Filter(filter, null, null, null, null, null), 200).stream()
                .map(GrantView::of).toList();
    }

    @POST
    @Path("{id}/revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    public GrantView revoke(@PathParam("id") String id, @Valid @NotNull Revoke request, @Context HttpServerRequest http) {
        return GrantView.of(admin.revoke(users.current(), Ids.parse(id), request.reason(), RequestOrigin.of(http)));
    }

    /** Bulk revoke: needs a recent sign-in (step-up); all or nothing. */
    @POST
    @Path("revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    public GrantAdminService.BulkRevoke revokeMany(@Valid @NotNull RevokeMany request, @Context HttpServerRequest http) {
        var user = users.current();
        stepUp.require(user, "bulk revoke", "/admin/grants");
        return admin.revokeAll(user, request.ids(), request.reason(), RequestOrigin.of(http));
    }

    /** API: {@code text/csv} body; {@code ?dryRun=true} checks only. 422 with the per-row report when anything is wrong. */
    @POST
    @Path("import")
    @Consumes({ "text/csv", MediaType.TEXT_PLAIN })
    @Produces(MediaType.APPLICATION_JSON)
    public Response importCsv(java.io.InputStream body, @QueryParam("dryRun") boolean dryRun, @Context HttpServerRequest http) {
        try (java.io.Reader reader = new java.io.InputStreamReader(body, java.nio.charset.StandardCharsets.UTF_8)) {
            GrantImport.Report report = imports.run(users.current(), reader, dryRun, RequestOrigin.of(http));
            return Response.status(report.imported() ? 201 : report.valid() ? 200 : 422).entity(report).build();
        } catch (java.io.IOException e) {
            throw GatehouseException.badRequest("body", "The upload broke off: " + e.getMessage());
        }
    }
}
