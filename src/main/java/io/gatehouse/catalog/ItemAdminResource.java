package io.gatehouse.catalog;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.gatehouse.stepup.StepUp;
import io.gatehouse.web.Ids;
import io.vertx.core.http.HttpServerRequest;

/** Admins list an object that is already in the bucket as a catalog item. */
@Path("/api/admin/items")
@RolesAllowed(Role.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
public class ItemAdminResource {

    public record CreateItem(
            @NotBlank String key,
            @NotBlank @Size(max = 300) String title,
            @Size(max = 2000) String description,
            @NotNull ContentItem.Tier tier,
            @Size(max = 63) String ownerTeam) {
    }

    public record Created(long id, String key, long sizeBytes, String contentType) {
    }

    public record Delete(@NotBlank @Size(max = 1000) String reason) {
    }

    public record Deleted(long id, String key) {
    }

    private final ItemAdminService items;
    private final CurrentUsers users;
    private final StepUp stepUp;

    ItemAdminResource(ItemAdminService items, CurrentUsers users, StepUp stepUp) {
        this.items = items;
        this.users = users;
        this.stepUp = stepUp;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@Valid @NotNull CreateItem request, @Context HttpServerRequest http) {
        ContentItem item = items.create(users.current(), request, RequestOrigin.of(http));
        return Response.status(201).entity(new Created(item.id, item.objectKey, item.sizeBytes, item.contentType)).build();
    }

    /** Deletes the item and its object; needs a recent sign-in (step-up). */
    @POST
    @Path("{id}/delete")
    @Consumes(MediaType.APPLICATION_JSON)
    public Deleted delete(@PathParam("id") String id, @Valid @NotNull Delete request, @Context HttpServerRequest http) {
        var user = users.current();
        stepUp.require(user, "delete item", "/catalog");
        ContentItem item = items.delete(user, Ids.parse(id), request.reason().strip(), RequestOrigin.of(http));
        return new Deleted(item.id, item.objectKey);
    }
}
