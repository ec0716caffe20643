package io.gatehouse.catalog;

import java.net.URI;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.gatehouse.stepup.StepUp;
import io.gatehouse.web.Csrf;
import io.gatehouse.web.GatehouseException;
import io.gatehouse.web.Ids;
import io.gatehouse.web.TemplateExtensions;
import io.vertx.core.http.HttpServerRequest;

/** The catalog page's admin form: delete an item (and its object), after a recent sign-in. */
@Path("/admin/items")
@RolesAllowed(Role.ADMIN)
public class ItemConsoleResource {

    private final ItemAdminService items;
    private final CurrentUsers users;
    private final Csrf csrf;
    private final StepUp stepUp;

    ItemConsoleResource(ItemAdminService items, CurrentUsers users, Csrf csrf, StepUp stepUp) {
        this.items = items;
        this.users = users;
        this.csrf = csrf;
        this.stepUp = stepUp;
    }

    @POST
    @Path("{id}/delete")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response delete(@PathParam("id") String id, @FormParam(Csrf.FIELD) String token, @FormParam("reason") String reason,
            @Context HttpServerRequest http) {
        csrf.verify(token);
        if (reason == null || reason.isBlank()) {
            throw GatehouseException.badRequest("reason", "Say why the item is deleted.");
        }
        var user = users.current();
        stepUp.require(user, "delete item", "/catalog");
        ContentItem item = items.delete(user, Ids.parse(id), reason.strip(), RequestOrigin.of(http));
        return Response.seeOther(URI.create("/catalog?notice=" + TemplateExtensions.urlEncoded("deleted “" + item.title + "”")))
                .build();
    }
}
