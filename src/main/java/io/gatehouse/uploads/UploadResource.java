package io.gatehouse.uploads;

import io.quarkus.security.PermissionsAllowed;
import io.gatehouse.catalog.ContentAccess;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.web.GatehouseException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

/**
 * Direct browser uploads: JSON for the Uppy front end (session cookie + CSRF header) and for API clients (bearer),
 * and the Upload / My uploads pages.
 */
@Path("/")
// Content is for people who use it: an auditor-only account sees the audit trail and nothing else.
@PermissionsAllowed(ContentAccess.USE_CONTENT)
public class UploadResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance upload(CurrentUser user, String team, long multipartThreshold, int maxFiles,
                String browserKey);

        static native TemplateInstance myUploads(CurrentUser user, List<UploadSession> uploads);

        static native TemplateInstance signedInAgain(CurrentUser user);
    }

    public record Declared(UUID id, String key, boolean multipart, UploadService.SignedRequest put, Long partSize,
            Integer partCount, Instant expiresAt) {
    }

    public record PartsRequest(List<Integer> partNumbers) {
    }

    /** Where an upload stands; {@code verification} says how its content was checked. */
    public record Outcome(UUID id, String status, String reason, Long itemId, String key, String verification) {
        static Outcome of(UploadSession s) {
            return new Outcome(s.id, s.status.name().toLowerCase(), s.rejectReason, s.contentItemId, s.objectKey,
                    s.verification);
        }
    }

    private final UploadService uploads;
    private final CurrentUsers users;

    UploadResource(UploadService uploads, CurrentUsers users) {
        this.uploads = uploads;
        this.users = users;
    }

    @POST
    @Path("api/uploads")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response start(@Valid @NotNull UploadService.StartUpload request, @Context HttpServerRequest http) {
        UploadService.Started started = uploads.start(users.current(), request, RequestOrigin.of(http));
        UploadSession session = started.session();
        Declared declared = session.multipart()
                ? new Declared(session.id, session.objectKey, true, null, uploads.configuredPartSize(),
                        uploads.partCount(session), session.expiresAt)
                : new Declared(session.id, session.objectKey, false, started.put(), null, null, session.expiresAt);
        return Response.status(201).entity(declared).build();
    }

    @POST
    @Path("api/uploads/{id}/parts")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public List<UploadService.SignedPart> signParts(@PathParam("id") String id, @NotNull PartsRequest request,
            @Context HttpServerRequest http) {
        return uploads.signParts(users.current(), uuid(id), request.partNumbers(), RequestOrigin.of(http));
    }

    @GET
    @Path("api/uploads/{id}/parts")
    @Produces(MediaType.APPLICATION_JSON)
    public List<UploadService.UploadedPart> uploadedParts(@PathParam("id") String id) {
        return uploads.uploadedParts(uploads.mine(users.current(), uuid(id)));
    }

    /**
     * Completes and verifies. No body: for a multipart upload the parts are read back from the store.
     */
    @POST
    @Path("api/uploads/{id}/complete")
    @Produces(MediaType.APPLICATION_JSON)
    public Response complete(@PathParam("id") String id, @QueryParam("sha256") String sha256, @Context HttpServerRequest http) {
        UploadService.Completion completion = uploads.complete(users.current(), uuid(id), sha256, RequestOrigin.of(http));
        return Response.status(status(completion)).entity(Outcome.of(completion.session())).build();
    }

    /**
     * 200 verified, 202 still being verified, 422 rejected (the reason says why), 403 when the caller may no longer
     * write there, 409 when the upload had already been cancelled or expired.
     */
    static int status(UploadService.Completion completion) {
        if (completion.refusal() != null) {
            return 403;
        }
        return switch (completion.session().status) {
            case VERIFIED -> 200;
            case VERIFYING, PENDING -> 202;
            case REJECTED -> 422;
            case ABORTED, EXPIRED -> 409;
        };
    }

    @DELETE
    @Path("api/uploads/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Outcome abort(@PathParam("id") String id, @Context HttpServerRequest http) {
        return Outcome.of(uploads.abort(users.current(), uuid(id), RequestOrigin.of(http)));
    }

    @GET
    @Path("api/uploads")
    @Produces(MediaType.APPLICATION_JSON)
    public List<Outcome> mine() {
        return uploads.recent(users.current()).stream().map(Outcome::of).toList();
    }

    @GET
    @Path("upload")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance uploadPage() {
        CurrentUser user = users.current();
        String team = user.teams().isEmpty() ? null : user.teams().iterator().next();
        return Templates.upload(user, team, uploads.multipartThreshold(), uploads.maxFiles(team),
                uploads.browserKey(team));
    }

    @GET
    @Path("uploads")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance myUploads() {
        CurrentUser user = users.current();
        return Templates.myUploads(user, uploads.recent(user));
    }

    /** Where "sign in again" on the Upload page lands: the new session is set, the Upload tab carries on. */
    @GET
    @Path("uploads/signed-in-again")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance signedInAgain() {
        return Templates.signedInAgain(users.current());
    }

    static UUID uuid(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw GatehouseException.badRequest("id", "An upload id is a UUID.");
        }
    }
}
