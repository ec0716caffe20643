package io.gatehouse.posture;

import java.net.URI;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.gatehouse.stepup.StepUp;
import io.gatehouse.web.Csrf;
import io.gatehouse.web.GatehouseException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

/** The bucket's security posture for admins: every control's state as the store proved it, and audited apply. */
@Path("/")
@RolesAllowed(Role.ADMIN)
public class PostureResource {

    private static final String PAGE = "/admin/posture";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance posture(CurrentUser user, PostureService.Posture posture,
                Map<String, Plan> plans, String notice);
    }

    private final PostureService posture;
    private final CurrentUsers users;
    private final StepUp stepUp;
    private final Csrf csrf;
    private final ObjectMapper json;

    PostureResource(PostureService posture, CurrentUsers users, StepUp stepUp, Csrf csrf, ObjectMapper json) {
        this.posture = posture;
        this.users = users;
        this.stepUp = stepUp;
        this.csrf = csrf;
        this.json = json;
    }

    @GET
    @Path("api/admin/posture")
    @Produces(MediaType.APPLICATION_JSON)
    public PostureService.Posture state() {
        return posture.check();
    }

    @GET
    @Path("api/admin/posture/{id}/plan")
    @Produces(MediaType.APPLICATION_JSON)
    public Plan plan(@PathParam("id") String id) {
        return posture.plan(known(id));
    }

    @POST
    @Path("api/admin/posture/{id}/apply")
    @Produces(MediaType.APPLICATION_JSON)
    public PostureService.Posture apply(@PathParam("id") String id, String body, @Context HttpServerRequest http) {
        CurrentUser user = users.current();
        stepUp.require(user, "apply " + known(id), PAGE);
        return posture.apply(id, choice(body), user, RequestOrigin.of(http));
    }

    /**
     * The optional JSON body ({@code targetBucket}, {@code targetPrefix}; {@code mfaSerial}, {@code mfaCode}): most
     * controls need none, so none is fine.
     */
    private PostureService.Choice choice(String body) {
        if (body == null || body.isBlank()) {
            return PostureService.Choice.NONE;
        }
        try {
            return json.readValue(body, PostureService.Choice.class);
        } catch (JsonProcessingException e) {
            throw GatehouseException.badRequest(null, "The body must be a JSON object such as {\"targetBucket\": \"logs\", "
                    + "\"targetPrefix\": \"gatehouse/\"}, or empty.");
        }
    }

    @GET
    @Path("admin/posture")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@jakarta.ws.rs.QueryParam("notice") String notice) {
        PostureService.Posture state = posture.check();
        return Templates.posture(users.current(), state, posture.plans(state), "applied".equals(notice) ? notice : null);
    }

    @POST
    @Path("admin/posture/{id}/apply")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response applyFromPage(@PathParam("id") String id, @FormParam(Csrf.FIELD) String token,
            @FormParam("targetBucket") String targetBucket, @FormParam("targetPrefix") String targetPrefix,
            @FormParam("mfaSerial") String mfaSerial, @FormParam("mfaCode") String mfaCode, @Context HttpServerRequest http) {
        csrf.verify(token);
        CurrentUser user = users.current();
        stepUp.require(user, "apply " + known(id), PAGE);
        posture.apply(id, new PostureService.Choice(targetBucket, targetPrefix, mfaSerial, mfaCode), user, RequestOrigin.of(http));
        return Response.seeOther(URI.create(PAGE + "?notice=applied")).build();
    }

    /** Only the controls Gatehouse knows reach the service (a 404 names them otherwise). */
    private static String known(String id) {
        if (id == null || !id.matches("[a-z-]{1,40}")) {
            throw GatehouseException.notFound("No such control.");
        }
        return id;
    }
}
