package io.gatehouse.grants;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.identity.Role;
import io.gatehouse.web.Csrf;
import io.gatehouse.web.GatehouseException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.vertx.core.http.HttpServerRequest;

/** Bulk grants from CSV: a dry run lists every row's result; the import writes all rows or none. */
@Path("/admin/grants/import")
@RolesAllowed(Role.ADMIN)
public class GrantImportResource {

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance importGrants(CurrentUser user, java.util.List<String> columns, int maxRows, long maxBytes,
                GrantImport.Report report, String csv, boolean confirm);
    }

    private final GrantImport imports;
    private final CurrentUsers users;
    private final Csrf csrf;
    /** Vert.x refuses larger request bodies before Gatehouse sees them; the page says so up front. */
    private final long maxBytes;

    GrantImportResource(GrantImport imports, CurrentUsers users, Csrf csrf,
            @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.http.limits.max-body-size") io.quarkus.runtime.configuration.MemorySize maxBody) {
        this.maxBytes = maxBody.asLongValue();
        this.imports = imports;
        this.users = users;
        this.csrf = csrf;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page() {
        return Templates.importGrants(users.current(), GrantImport.COLUMNS, GrantImport.MAX_ROWS, maxBytes, null, null, false);
    }

    /** The page's form: a file (or pasted text); "check" runs the dry run, "import" writes. */
    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.TEXT_HTML)
    public Response submit(@RestForm(Csrf.FIELD) String token, @RestForm("file") FileUpload file, @RestForm("csv") String pasted,
            @RestForm("action") String action, @Context HttpServerRequest http) throws java.io.IOException {
        csrf.verify(token);
        String csv = file != null && file.size() > 0 ? Files.readString(file.uploadedFile(), StandardCharsets.UTF_8) : pasted;
        if (csv == null || csv.isBlank()) {
            throw GatehouseException.badRequest("file", "Choose a CSV file or paste its text.");
        }
        CurrentUser user = users.current();
        GrantImport.Report report = imports.run(user, new StringReader(csv), !"import".equals(action), RequestOrigin.of(http));
        int status = report.valid() || report.imported() ? 200 : 422;
        return Response.status(status).entity(Templates.importGrants(user, GrantImport.COLUMNS, GrantImport.MAX_ROWS, maxBytes,
                report, report.imported() ? null : csv, report.valid() && !report.imported())).build();
    }
}
