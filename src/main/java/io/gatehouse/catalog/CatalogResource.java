package io.gatehouse.catalog;

import io.quarkus.security.PermissionsAllowed;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.gatehouse.identity.CurrentUser;
import io.gatehouse.web.Ids;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.web.GatehouseException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The catalog: every item, marked available or locked (and why) for the signed-in user. */
@Path("/")
// Content is for people who use it: an auditor-only account sees the audit trail and nothing else.
@PermissionsAllowed(ContentAccess.USE_CONTENT)
public class CatalogResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance catalog(CurrentUser user, CatalogService.Page page, String notice);
    }

    /**
     * The JSON shape of one catalog entry. {@code integrity}: for an upload, how its SHA-256 was established (checked
     * by the store, or read back).
     */
    public record ItemView(long id, String title, String description, long sizeBytes, String contentType, String tier,
            String ownerTeam, String sha256, String integrity, boolean available, String lockedReason, String lockedMessage) {

        static ItemView of(CatalogService.Entry entry) {
            ContentItem item = entry.item();
            return new ItemView(item.id, item.title, item.description, item.sizeBytes, item.contentType, item.tier.name(),
                    item.ownerTeam, item.sha256Base64, item.integrity, entry.available(),
                    entry.available() ? null : entry.lockedBecause().code(),
                    entry.available() ? null : entry.lockedBecause().message());
        }
    }

    public record PageView(List<ItemView> items, Long nextAfter) {
    }

    private final CatalogService catalog;
    private final CurrentUsers users;

    CatalogResource(CatalogService catalog, CurrentUsers users) {
        this.catalog = catalog;
        this.users = users;
    }

    @GET
    @Path("catalog")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@QueryParam("q") String query, @QueryParam("after") String after,
            @QueryParam("notice") String notice) {
        CurrentUser user = users.current();
        return Templates.catalog(user, catalog.page(user, limit(query), cursor(after), CatalogService.PAGE_SIZE), notice);
    }

    @GET
    @Path("api/items")
    @Produces(MediaType.APPLICATION_JSON)
    public PageView list(@QueryParam("q") String query, @QueryParam("after") String after) {
        var page = catalog.page(users.current(), limit(query), cursor(after), CatalogService.PAGE_SIZE);
        return new PageView(page.entries().stream().map(ItemView::of).toList(), page.nextAfter());
    }

    private static Long cursor(String after) {
        return after == null || after.isBlank() ? null : Ids.parse(after);
    }

    private static String limit(String query) {
        if (query != null && query.length() > 200) {
            throw GatehouseException.badRequest("q", "Search for at most 200 characters.");
        }
        return query;
    }
}
