package io.gatehouse.stepup;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.CurrentUsers;
import io.gatehouse.web.Csrf;
import io.gatehouse.web.SecureCookies;
import io.quarkus.oidc.OidcSession;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

/**
 * "Confirm it's you": ends the local session and sends the browser through the IdP's login again, asking it
 * (via {@link StepUpRedirectFilter}) for a fresh authentication — {@code prompt=login}, {@code max_age} and,
 * when configured, {@code acr_values} — then back to the page the action was started from.
 */
@Path("/auth/step-up")
@Authenticated
public class StepUpResource {

    /** Carries the page to return to across the IdP round trip, and marks the authorization request as a step-up. */
    static final String COOKIE = "gatehouse-step-up";
    private static final String PATH = "/auth/step-up";

    @CheckedTemplate
    static class Templates {
        static native TemplateInstance stepUp(CurrentUser user, String why, String returnTo, String maxAge, boolean failed);
    }

    private final StepUp stepUp;
    private final CurrentUsers users;
    private final Csrf csrf;
    private final OidcSession session;
    private final RoutingContext context;

    StepUpResource(StepUp stepUp, CurrentUsers users, Csrf csrf, OidcSession session, RoutingContext context) {
        this.stepUp = stepUp;
        this.users = users;
        this.csrf = csrf;
        this.session = session;
        this.context = context;
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page(@QueryParam("return") String returnTo) {
        return Templates.stepUp(users.current(), stepUp.missing(), localPath(returnTo), StepUp.words(stepUp.config().maxAge()),
                false);
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response start(@FormParam(Csrf.FIELD) String token, @FormParam("return") String returnTo) {
        csrf.verify(token);
        // Only the local session ends; the IdP is asked for a new login by the redirect filter.
        session.logout().await().indefinitely();
        SecureCookies.set(context.request(), COOKIE, URLEncoder.encode(localPath(returnTo), StandardCharsets.UTF_8),
                CookieSameSite.LAX, 600);
        return Response.seeOther(URI.create(PATH + "/done")).build();
    }

    /** Reached after the IdP login; the new session's token is checked before the user is sent back. */
    @GET
    @Path("done")
    @Produces(MediaType.TEXT_HTML)
    public Response done() {
        var marker = SecureCookies.read(context.request(), COOKIE);
        String returnTo = marker == null ? "/" : localPath(URLDecoder.decode(marker.getValue(), StandardCharsets.UTF_8));
        SecureCookies.set(context.request(), COOKIE, "", CookieSameSite.LAX, 0);
        CurrentUser user = users.current();
        String missing = stepUp.missing();
        if (missing != null) {
            // The IdP reused an old sign-in (ignored max_age) or gave a weaker acr: say so rather than loop.
            return Response.status(403)
                    .entity(Templates.stepUp(user, missing, returnTo, StepUp.words(stepUp.config().maxAge()), true)).build();
        }
        stepUp.recordCompleted(user);
        return Response.seeOther(URI.create(returnTo)).build();
    }

    /** Only paths on this site: never an absolute URL or a protocol-relative one (no open redirect). */
    static String localPath(String path) {
        if (path == null || !path.startsWith("/") || path.startsWith("//") || path.contains("\\") || path.length() > 2000
                || path.chars().anyMatch(c -> c < 0x20)) {
            return "/";
        }
        return path;
    }
}
