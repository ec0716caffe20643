package io.gatehouse.web;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;

/** The landing page: who you are, your teams and roles, and where to go next. */
@Path("/")
public class HomeResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance home(CurrentUser user);

        static native TemplateInstance signedOut();
    }

    private final CurrentUsers users;

    HomeResource(CurrentUsers users) {
        this.users = users;
    }

    @GET
    @Authenticated
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance home() {
        return Templates.home(users.current());
    }

    /** Where the IdP sends the browser back after logout; public. */
    @GET
    @Path("signed-out")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance signedOut() {
        return Templates.signedOut();
    }
}
