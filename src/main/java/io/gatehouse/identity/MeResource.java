package io.gatehouse.identity;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.quarkus.security.Authenticated;

/** Who the caller is, as Gatehouse understands the token: handy for API clients and for checking IdP claims. */
@Path("/api/me")
@Authenticated
public class MeResource {

    private final CurrentUsers users;

    MeResource(CurrentUsers users) {
        this.users = users;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public CurrentUser me() {
        return users.current();
    }
}
