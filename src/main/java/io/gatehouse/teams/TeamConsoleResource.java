package io.gatehouse.teams;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
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

/** Teams seen in tokens, their settings, quota use; admins edit them (encryption changes need a step-up). */
@Path("/")
@RolesAllowed(Role.ADMIN)
public class TeamConsoleResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance teams(CurrentUser user, List<TeamService.TeamView> teams, String notice);

        static native TemplateInstance team(CurrentUser user, TeamService.TeamView team, TeamService.Settings form,
                String error, String errorField);
    }

    /** The edit form's fields. */
    public static class Form {
        @FormParam(Csrf.FIELD)
        String token;
        @FormParam("displayName")
        String displayName;
        @FormParam("allowedContentTypes")
        String allowedContentTypes;
        @FormParam("maxObjectBytes")
        String maxObjectBytes;
        @FormParam("quotaBytes")
        String quotaBytes;
        @FormParam("maxFilesPerSession")
        String maxFilesPerSession;
        @FormParam("sseMode")
        String sseMode;
        @FormParam("kmsKeyId")
        String kmsKeyId;
        @FormParam("clientSideEncryption")
        String clientSideEncryption;
        /** A checkbox: present ("on") when ticked, absent otherwise. */
        @FormParam("membersRead")
        String membersRead;

        TeamService.Settings settings() {
            return new TeamService.Settings(displayName, allowedContentTypes, maxObjectBytes, quotaBytes, maxFilesPerSession,
                    sseMode, kmsKeyId, clientSideEncryption != null && !clientSideEncryption.isBlank(),
                    membersRead != null && !membersRead.isBlank());
        }
    }

    private final TeamService teams;
    private final CurrentUsers users;
    private final Csrf csrf;
    private final StepUp stepUp;

    TeamConsoleResource(TeamService teams, CurrentUsers users, Csrf csrf, StepUp stepUp) {
        this.teams = teams;
        this.users = users;
        this.csrf = csrf;
        this.stepUp = stepUp;
    }

    @GET
    @Path("admin/teams")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@QueryParam("notice") String notice) {
        return Templates.teams(users.current(), teams.list(), notice);
    }

    @GET
    @Path("api/admin/teams")
    @Produces(MediaType.APPLICATION_JSON)
    public List<TeamService.TeamView> list() {
        return teams.list();
    }

    @GET
    @Path("admin/teams/{slug}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance edit(@PathParam("slug") String slug) {
        TeamService.TeamView team = teams.get(slug);
        return Templates.team(users.current(), team, TeamService.Settings.of(team), null, null);
    }

    @POST
    @Path("admin/teams/{slug}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.TEXT_HTML)
    public Response save(@PathParam("slug") String slug, @BeanParam Form form, @Context HttpServerRequest http) {
        csrf.verify(form.token);
        CurrentUser user = users.current();
        TeamService.Settings settings = form.settings();
        if (teams.changesEncryption(slug, settings)) {
            stepUp.require(user, "change team encryption", "/admin/teams/" + slug);
        }
        try {
            teams.update(user, slug, settings, RequestOrigin.of(http));
            return Response.seeOther(URI.create("/admin/teams?notice=saved-" + slug)).build();
        } catch (GatehouseException e) {
            if (e.status() == 404) {
                throw e;
            }
            // The form comes back with what was typed and the message next to the field at fault.
            return Response.status(e.status()).entity(Templates.team(user, teams.get(slug), settings, e.getMessage(), e.field()))
                    .build();
        }
    }
}
