package io.gatehouse.catalog;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
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

    private final ItemAdminService items;
    private final CurrentUsers users;

    ItemAdminResource(ItemAdminService items, CurrentUsers users) {
        this.items = items;
        this.users = users;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response create(@Valid @NotNull CreateItem request, @Context HttpServerRequest http) {
        ContentItem item = items.create(users.current(), request, RequestOrigin.of(http));
        return Response.status(201).entity(new Created(item.id, item.objectKey, item.sizeBytes, item.contentType)).build();
    }
}
