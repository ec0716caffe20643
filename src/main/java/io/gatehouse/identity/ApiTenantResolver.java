package io.gatehouse.identity;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.TenantResolver;
import io.quarkus.oidc.runtime.OidcUtils;
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
        // Named explicitly: returning null would let Quarkus pick a tenant named like a path segment ("api").
        return OidcUtils.DEFAULT_TENANT_ID;
    }

    private static boolean hasSessionCookie(RoutingContext context) {
        String cookies = context.request().getHeader("Cookie");
        return cookies != null && cookies.contains("q_session");
    }
}
