package io.gatehouse.audit;

import java.time.Instant;
import java.time.format.DateTimeParseException;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Directory;
import io.gatehouse.identity.Role;
import io.gatehouse.web.GatehouseException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/** The audit trail for admins and auditors: viewer page, JSON pages, streamed CSV export, chain verification. */
@Path("/")
@RolesAllowed({ Role.ADMIN, Role.AUDITOR })
public class AuditResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance audit(CurrentUser user, AuditTrail.Page page, Query query, String nextLink, Actors actors);

        static native TemplateInstance event(CurrentUser user, AuditTrail.Detail event, Actors actors);
    }

    /** Display names the directory knows for a page's actors; an actor it does not know is shown by its id. */
    public record Actors(java.util.Map<String, String> names) {
        public String of(String id) {
            return names.getOrDefault(id, id);
        }
    }

    /** The viewer's query string. */
    public static class Query {
        @QueryParam("actor")
        public String actor;
        @QueryParam("action")
        public String action;
        @QueryParam("outcome")
        public String outcome;
        @QueryParam("resource")
        public String resource;
        @QueryParam("from")
        public String from;
        @QueryParam("to")
        public String to;
        @QueryParam("before")
        public String before;

        AuditTrail.Filter filter() {
            return new AuditTrail.Filter(blank(actor), blank(action), blank(outcome), blank(resource), instant("from", from),
                    instant("to", to), before == null || before.isBlank() ? null : io.gatehouse.web.Ids.parse("before", before), null);
        }

        /** The filters as a query string (no cursor), for the export link. */
        public String getParams() {
            StringBuilder link = new StringBuilder();
            append(link, "actor", actor);
            append(link, "action", action);
            append(link, "outcome", outcome);
            append(link, "resource", resource);
            append(link, "from", from);
            append(link, "to", to);
            return link.length() == 0 ? "" : link.substring(1);
        }

        String withBefore(long cursor) {
            String params = getParams();
            return "?before=" + cursor + (params.isEmpty() ? "" : "&" + params);
        }

        private static void append(StringBuilder link, String name, String value) {
            if (value != null && !value.isBlank()) {
                link.append('&').append(name).append('=')
                        .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8));
            }
        }

        private static String blank(String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }

        private static Instant instant(String field, String value) {
            if (value == null || value.isBlank()) {
                return null;
            }
            try {
                return value.length() == 10 ? Instant.parse(value + "T00:00:00Z") : Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw GatehouseException.badRequest(field, "Use a date (2026-11-27) or an instant (2026-11-27T10:00:00Z).");
            }
        }
    }

    private final AuditTrail trail;
    private final AuditAnchors anchors;
    private final CurrentUsers users;
    private final Directory directory;

    AuditResource(AuditTrail trail, AuditAnchors anchors, CurrentUsers users, Directory directory) {
        this.trail = trail;
        this.anchors = anchors;
        this.users = users;
        this.directory = directory;
    }

    private Actors actors(java.util.Collection<AuditEvent> rows) {
        return new Actors(directory.displayNames(rows.stream().map(AuditEvent::actor).collect(java.util.stream.Collectors.toSet())));
    }

    @GET
    @Path("audit")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@BeanParam Query query) {
        AuditTrail.Page page = trail.page(query.filter());
        return Templates.audit(users.current(), page, query, page.nextBefore() == null ? null : query.withBefore(page.nextBefore()),
                actors(page.rows()));
    }

    /** One row in full: every column, its details and its place in the hash chain. */
    @GET
    @Path("audit/{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance event(@jakarta.ws.rs.PathParam("id") String id) {
        AuditTrail.Detail detail = detail(id);
        return Templates.event(users.current(), detail, actors(java.util.List.of(detail.row())));
    }

    @GET
    @Path("api/audit/{id:\\d+}")
    @Produces(MediaType.APPLICATION_JSON)
    public AuditTrail.Detail eventJson(@jakarta.ws.rs.PathParam("id") String id) {
        return detail(id);
    }

    private AuditTrail.Detail detail(String id) {
        long eventId = io.gatehouse.web.Ids.parse(id);
        AuditTrail.Detail detail = trail.detail(eventId);
        if (detail == null) {
            throw io.gatehouse.web.GatehouseException.notFound("There is no audit row " + eventId + ".");
        }
        return detail;
    }

    @GET
    @Path("api/audit")
    @Produces(MediaType.APPLICATION_JSON)
    public AuditTrail.Page list(@BeanParam Query query) {
        return trail.page(query.filter());
    }

    @GET
    @Path("api/audit/export.csv")
    @Produces("text/csv")
    public Response export(@BeanParam Query query) {
        AuditTrail.Filter filter = query.filter();
        StreamingOutput body = out -> trail.exportCsv(filter, out);
        return Response.ok(body).header("Content-Disposition", "attachment; filename=\"gatehouse-audit.csv\"").build();
    }

    @GET
    @Path("api/audit/verify")
    @Produces(MediaType.APPLICATION_JSON)
    public AuditTrail.Verification verify() {
        return anchors.verify();
    }
}
