package io.gatehouse.web;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;

/**
 * The browser calls the JSON API with its session cookie, which a cross-site page could make it send too: such
 * unsafe calls must carry the page's CSRF token in {@code X-CSRF-Token}. Bearer-token calls carry no cookie
 * credentials and need no token.
 */
public class ApiCsrfFilter {

    static final String HEADER = "X-CSRF-Token";

    @ServerRequestFilter(preMatching = true)
    public jakarta.ws.rs.core.Response check(ContainerRequestContext request, HttpServerRequest http) {
        String method = request.getMethod();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")
                || !request.getUriInfo().getPath().startsWith("/api/")
                || request.getHeaderString(HttpHeaders.AUTHORIZATION) != null) {
            return null;
        }
        Cookie cookie = SecureCookies.read(http, Csrf.COOKIE);
        if (Csrf.matches(request.getHeaderString(HEADER), cookie == null ? null : cookie.getValue())) {
            return null;
        }
        return jakarta.ws.rs.core.Response.status(403).type("application/json")
                .entity(ErrorBody.of("csrf_token_invalid", "This request did not come from a Gatehouse page. Reload the page and try again."))
                .build();
    }
}
