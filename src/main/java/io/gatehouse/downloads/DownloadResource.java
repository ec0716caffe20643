package io.gatehouse.downloads;

import io.quarkus.security.PermissionsAllowed;
import io.gatehouse.catalog.ContentAccess;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.AuditEvent;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.web.Ids;
import io.gatehouse.grants.DenialReason;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.web.Csrf;
import io.gatehouse.web.GatehouseException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

/**
 * Download URLs: JSON for API clients, a 303 redirect for the browser's form post. Either way the bytes then go
 * straight from S3 to the caller.
 */
@Path("/")
// Content is for people who use it: an auditor-only account sees the audit trail and nothing else.
@PermissionsAllowed(ContentAccess.USE_CONTENT)
public class DownloadResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance myDownloads(CurrentUser user, List<AuditEvent> downloads);

        static native TemplateInstance vpcOnly(CurrentUser user, String url, String vpcId);
    }

    /** {@code headers}: to send with the URL (SSE-C items: the signed algorithm and key MD5; the browser adds the key). */
    public record DownloadUrl(String url, String method, Instant expiresAt, java.util.Map<String, String> headers,
            String vpcOnly) {
    }

    private final DownloadService downloads;
    private final CurrentUsers users;
    private final Csrf csrf;

    DownloadResource(DownloadService downloads, CurrentUsers users, Csrf csrf) {
        this.downloads = downloads;
        this.users = users;
        this.csrf = csrf;
    }

    /**
     * Issues a download URL. The request has no body (API clients post nothing); {@code ttlSeconds} may ask for a
     * shorter (or, up to the admin cap, longer) lifetime.
     */
    @POST
    @Path("api/items/{id}/download-url")
    @Produces(MediaType.APPLICATION_JSON)
    public Response downloadUrl(@PathParam("id") String id,
            @QueryParam("ttlSeconds") @Min(value = 1, message = "must be at least 1 second")
            @Max(value = 604800, message = "must be at most 7 days (S3's limit)") Integer ttlSeconds,
            @jakarta.ws.rs.HeaderParam("X-SSE-Customer-Key-MD5") String sseCustomerKeyMd5, @Context HttpServerRequest request) {
        Duration ttl = ttlSeconds == null ? null : Duration.ofSeconds(ttlSeconds);
        DownloadService.Outcome outcome = downloads.issue(users.current(), Ids.parse(id), ttl, sseCustomerKeyMd5,
                RequestOrigin.of(request));
        if (outcome instanceof DownloadService.Issued issued) {
            return Response.ok(new DownloadUrl(issued.url(), "GET", issued.expiresAt(), issued.headers(), issued.vpcOnly())).build();
        }
        DenialReason reason = ((DownloadService.Denied) outcome).reason();
        throw GatehouseException.forbidden(reason.code(), reason.message());
    }

    /** The browser's download button: a form post (CSRF-checked) answered with 303 to the pre-signed URL. */
    @POST
    @Path("items/{id}/download")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response download(@PathParam("id") String id, @FormParam(Csrf.FIELD) String csrfToken,
            @Context HttpServerRequest request) {
        csrf.verify(csrfToken);
        DownloadService.Outcome outcome = downloads.issue(users.current(), Ids.parse(id), null, RequestOrigin.of(request));
        if (outcome instanceof DownloadService.Issued issued) {
            if (issued.vpcOnly() != null) {
                // Not a link that silently fails outside the VPC: say where it works, then let the user go on.
                return Response.ok(Templates.vpcOnly(users.current(), issued.url(), issued.vpcOnly()))
                        .type(MediaType.TEXT_HTML_TYPE).build();
            }
            return Response.seeOther(URI.create(issued.url())).build();
        }
        DenialReason reason = ((DownloadService.Denied) outcome).reason();
        throw GatehouseException.forbidden(reason.code(), reason.message() + " Ask an admin for a grant if you need this item.");
    }

    @GET
    @Path("downloads")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance myDownloads() {
        CurrentUser user = users.current();
        return Templates.myDownloads(user, downloads.recentDownloads(user, 50));
    }
}
