package io.gatehouse.accesspoints;

import java.net.URI;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.gatehouse.stepup.StepUp;
import io.gatehouse.web.Csrf;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

/** A team's access point for admins: its state against S3 Control, create or re-attach (step-up), delete. */
@Path("/")
@RolesAllowed(Role.ADMIN)
public class AccessPointResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance accessPoint(CurrentUser user, AccessPointService.View view, String notice);

        static native TemplateInstance accessPoints(CurrentUser user, java.util.List<AccessPointService.View> accessPoints,
                String unsupported, AccessPointService.Delegation delegation, ObjectLambdaService.Listing objectLambda,
                String notice);
    }

    /** Which Object Lambda access point serves an item; blank or absent: the plain object. */
    public record ObjectLambdaChoice(String arn) {
    }

    private final AccessPointService accessPoints;
    private final ObjectLambdaService objectLambda;
    private final CurrentUsers users;
    private final StepUp stepUp;
    private final Csrf csrf;

    AccessPointResource(AccessPointService accessPoints, ObjectLambdaService objectLambda, CurrentUsers users, StepUp stepUp,
            Csrf csrf) {
        this.objectLambda = objectLambda;
        this.accessPoints = accessPoints;
        this.users = users;
        this.stepUp = stepUp;
        this.csrf = csrf;
    }

    /** Every team's access point, the bucket's delegation to them, and the account's Object Lambda access points. */
    @GET
    @Path("admin/access-points")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance overview(@QueryParam("notice") String notice) {
        String unsupported = accessPoints.unsupported();
        return Templates.accessPoints(users.current(), accessPoints.list(), unsupported,
                unsupported == null ? accessPoints.delegation() : null, objectLambda.list(),
                "delegated".equals(notice) || "item-saved".equals(notice) ? notice : null);
    }

    @POST
    @Path("admin/access-points/delegation")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delegateFromPage(@FormParam(Csrf.FIELD) String token, @Context HttpServerRequest http) {
        csrf.verify(token);
        CurrentUser user = users.current();
        stepUp.require(user, "delegate the bucket to its access points", "/admin/access-points");
        accessPoints.applyDelegation(user, RequestOrigin.of(http));
        return Response.seeOther(URI.create("/admin/access-points?notice=delegated")).build();
    }

    @POST
    @Path("admin/access-points/object-lambda")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response serveThroughFromPage(@FormParam(Csrf.FIELD) String token, @FormParam("itemId") String itemId,
            @FormParam("arn") String arn, @Context HttpServerRequest http) {
        csrf.verify(token);
        objectLambda.assign(users.current(), io.gatehouse.web.Ids.parse("itemId", itemId), arn, RequestOrigin.of(http));
        return Response.seeOther(URI.create("/admin/access-points?notice=item-saved")).build();
    }

    @GET
    @Path("api/admin/access-points")
    @Produces(MediaType.APPLICATION_JSON)
    public java.util.List<AccessPointService.View> list() {
        return accessPoints.list();
    }

    @GET
    @Path("api/admin/teams/{slug}/access-point")
    @Produces(MediaType.APPLICATION_JSON)
    public AccessPointService.View get(@PathParam("slug") String slug) {
        return accessPoints.view(slug);
    }

    @PUT
    @Path("api/admin/teams/{slug}/access-point")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public AccessPointService.View put(@PathParam("slug") String slug, AccessPointService.Change change,
            @Context HttpServerRequest http) {
        CurrentUser user = users.current();
        stepUp.require(user, "change an access point", page(slug));
        return accessPoints.put(user, slug, change == null ? new AccessPointService.Change(null, null, null, null) : change,
                RequestOrigin.of(http));
    }

    @DELETE
    @Path("api/admin/teams/{slug}/access-point")
    @Produces(MediaType.APPLICATION_JSON)
    public AccessPointService.View delete(@PathParam("slug") String slug, @Context HttpServerRequest http) {
        CurrentUser user = users.current();
        stepUp.require(user, "delete an access point", page(slug));
        return accessPoints.delete(user, slug, RequestOrigin.of(http));
    }

    @GET
    @Path("admin/teams/{slug}/access-point")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@PathParam("slug") String slug, @QueryParam("notice") String notice) {
        return Templates.accessPoint(users.current(), accessPoints.view(slug),
                "saved".equals(notice) || "deleted".equals(notice) ? notice : null);
    }

    @POST
    @Path("admin/teams/{slug}/access-point")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response save(@PathParam("slug") String slug, @FormParam(Csrf.FIELD) String token, @FormParam("name") String name,
            @FormParam("networkOrigin") String networkOrigin, @FormParam("vpcId") String vpcId,
            @FormParam("teamRoleArn") String teamRoleArn, @Context HttpServerRequest http) {
        csrf.verify(token);
        CurrentUser user = users.current();
        stepUp.require(user, "change an access point", page(slug));
        accessPoints.put(user, slug, new AccessPointService.Change(name, networkOrigin, vpcId, teamRoleArn), RequestOrigin.of(http));
        return Response.seeOther(URI.create(page(slug) + "?notice=saved")).build();
    }

    @POST
    @Path("admin/teams/{slug}/access-point/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response deleteFromPage(@PathParam("slug") String slug, @FormParam(Csrf.FIELD) String token,
            @Context HttpServerRequest http) {
        csrf.verify(token);
        CurrentUser user = users.current();
        stepUp.require(user, "delete an access point", page(slug));
        accessPoints.delete(user, slug, RequestOrigin.of(http));
        return Response.seeOther(URI.create(page(slug) + "?notice=deleted")).build();
    }

    @GET
    @Path("api/admin/access-points/delegation")
    @Produces(MediaType.APPLICATION_JSON)
    public AccessPointService.Delegation delegation() {
        return accessPoints.delegation();
    }

    @POST
    @Path("api/admin/access-points/delegation/apply")
    @Produces(MediaType.APPLICATION_JSON)
    public AccessPointService.Delegation applyDelegation(@Context HttpServerRequest http) {
        CurrentUser user = users.current();
        stepUp.require(user, "delegate the bucket to its access points", "/admin/teams");
        return accessPoints.applyDelegation(user, RequestOrigin.of(http));
    }

    @GET
    @Path("api/admin/object-lambda/access-points")
    @Produces(MediaType.APPLICATION_JSON)
    public ObjectLambdaService.Listing objectLambdaAccessPoints() {
        return objectLambda.list();
    }

    @PUT
    @Path("api/admin/object-lambda/items/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response serveThrough(@PathParam("id") String id, ObjectLambdaChoice choice, @Context HttpServerRequest http) {
        objectLambda.assign(users.current(), io.gatehouse.web.Ids.parse(id), choice == null ? null : choice.arn(),
                RequestOrigin.of(http));
        return Response.noContent().build();
    }

    private static String page(String slug) {
        return "/admin/teams/" + java.net.URLEncoder.encode(slug, java.nio.charset.StandardCharsets.UTF_8) + "/access-point";
    }
}
