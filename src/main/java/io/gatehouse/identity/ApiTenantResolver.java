package io.gatehouse.identity;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.TenantResolver;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /api/**} without a browser session is a machine call: it goes to the bearer-only "api" tenant, so a
 * missing token is a plain 401 rather than a redirect to a login page. Everything else uses the default hybrid
 * tenant (browser code flow with an encrypted session cookie, or a bearer token).
 */
@ApplicationScoped
public class ApiTenantResolver implements TenantResolver {

    static final String API_TENANT = "api";

    @Override
    public String resolve(RoutingContext context) {
        if (context.normalizedPath().startsWith("/api/") && !hasSessionCookie(context)) {
            return API_TENANT;
        }
        return null;
    }

    private static boolean hasSessionCookie(RoutingContext context) {
        return context.request().cookies().stream().anyMatch(cookie -> cookie.getName().startsWith("q_session"));
    }
}
