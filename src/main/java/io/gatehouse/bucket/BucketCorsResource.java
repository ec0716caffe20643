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

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.gatehouse.web.Csrf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

/** Bucket CORS for admins: REST and a page showing current against desired, with an apply button. */
@Path("/")
@RolesAllowed(Role.ADMIN)
public class BucketCorsResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance cors(CurrentUser user, BucketCorsService.CorsState cors);
    }

    private final BucketCorsService cors;
    private final CurrentUsers users;
    private final Csrf csrf;

    BucketCorsResource(BucketCorsService cors, CurrentUsers users, Csrf csrf) {
        this.cors = cors;
        this.users = users;
        this.csrf = csrf;
    }

    @GET
    @Path("api/admin/bucket/cors")
    @Produces(MediaType.APPLICATION_JSON)
    public BucketCorsService.CorsState state() {
        return cors.state();
    }

    @POST
    @Path("api/admin/bucket/cors")
    @Produces(MediaType.APPLICATION_JSON)
    public BucketCorsService.CorsState apply(@Context HttpServerRequest http) {
        return cors.apply(users.current(), RequestOrigin.of(http));
    }

    @GET
    @Path("admin/bucket/cors")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page() {
        return Templates.cors(users.current(), cors.state());
    }

    @POST
    @Path("admin/bucket/cors")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response applyFromPage(@FormParam(Csrf.FIELD) String token, @Context HttpServerRequest http) {
        csrf.verify(token);
        cors.apply(users.current(), RequestOrigin.of(http));
        return Response.seeOther(URI.create("/admin/bucket/cors")).build();
    }
}
