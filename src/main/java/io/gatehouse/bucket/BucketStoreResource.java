package io.gatehouse.bucket;

import java.net.URI;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.gatehouse.storage.S3Config;
import io.gatehouse.storage.StoreCapabilities;
import io.gatehouse.web.Csrf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

/**
 * The bucket as the store really behaves, for admins: how uploads are verified there and why (found by probing the
 * store, not assumed), whether a signed PUT can replace an object, and a way to probe again after the store changed.
 */
@Path("/")
@RolesAllowed(Role.ADMIN)
public class BucketStoreResource {

    /** What the page and {@code GET /api/admin/bucket} show. */
    public record StoreView(String bucket, String endpoint, StoreCapabilities.Capabilities capabilities, String integrity,
            String integrityReason, String multipartVerification) {
    }

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance store(CurrentUser user, StoreView store);
    }

    private final StoreCapabilities capabilities;
    private final S3Config s3;
    private final CurrentUsers users;
    private final Csrf csrf;
    private final AuditService audit;

    BucketStoreResource(StoreCapabilities capabilities, S3Config s3, CurrentUsers users, Csrf csrf, AuditService audit) {
        this.capabilities = capabilities;
        this.s3 = s3;
        this.users = users;
        this.csrf = csrf;
        this.audit = audit;
    }

    @GET
    @Path("api/admin/bucket")
    @Produces(MediaType.APPLICATION_JSON)
    public StoreView state() {
        StoreCapabilities.Capabilities found = capabilities.get();
        return new StoreView(s3.bucket(), s3.endpoint().map(URI::toString).orElse("AWS S3 (" + s3.region() + ")"), found,
                found.integrity().name(), found.integrityReason(),
                "Multipart uploads are always read back and hashed: no store computes a whole-file SHA-256 of a multipart object.");
    }

    @GET
    @Path("admin/bucket")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page() {
        return Templates.store(users.current(), state());
    }

    /** Forgets what the store was found to do and probes it again (e.g. after an upgrade); audited. */
    @POST
    @Path("admin/bucket/probe")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response probe(@FormParam(Csrf.FIELD) String token, @Context HttpServerRequest http) {
        csrf.verify(token);
        CurrentUser admin = users.current();
        capabilities.forget();
        StoreView found = state();
        audit.recordAlone(AuditEntry.of(admin.id(), AuditAction.STORE_PROBED, AuditOutcome.SUCCEEDED).resource(found.bucket())
                .from(RequestOrigin.of(http))
                .detail("integrity", found.integrity())
                .detail("checksSha256", found.capabilities().checksSha256())
                .detail("reportsSha256", found.capabilities().reportsSha256())
                .detail("writeOnce", found.capabilities().writeOnce()));
        return Response.seeOther(URI.create("/admin/bucket")).build();
    }
}
