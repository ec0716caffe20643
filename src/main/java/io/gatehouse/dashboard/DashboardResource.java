package io.gatehouse.dashboard;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** Admins' overview: URLs issued and denials per day, uploads per team, top downloads — charts and tables. */
@Path("/")
@RolesAllowed(Role.ADMIN)
public class DashboardResource {

    static final int DAYS = 14;

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance dashboard(CurrentUser user, DashboardService.Figures figures, String figuresJson);
    }

    private final DashboardService dashboard;
    private final CurrentUsers users;
    private final ObjectMapper json;

    DashboardResource(DashboardService dashboard, CurrentUsers users, ObjectMapper json) {
        this.dashboard = dashboard;
        this.users = users;
        this.json = json;
    }

    @GET
    @Path("admin/dashboard")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page() throws JsonProcessingException {
        DashboardService.Figures figures = dashboard.figures(DAYS);
        // Embedded in a <script type="application/json">: no '<' may survive, so no value can close the tag.
        return Templates.dashboard(users.current(), figures, json.writeValueAsString(figures).replace("<", "\\u003c"));
    }

    @GET
    @Path("api/admin/dashboard")
    @Produces(MediaType.APPLICATION_JSON)
    public DashboardService.Figures figures() {
        return dashboard.figures(DAYS);
    }
}
