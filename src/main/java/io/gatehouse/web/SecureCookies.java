package io.gatehouse.web;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;

/**
 * Gatehouse's own cookies (CSRF, step-up). Over https — directly, or from a trusted proxy's X-Forwarded-Proto — they
 * carry the {@code __Host-} prefix, which browsers accept only with Secure, Path=/ and no Domain: an http page or a
 * sibling subdomain can neither plant nor overwrite them. Plain http (local development) uses the bare name.
 */
public final class SecureCookies {

    /** The prefix browsers accept only on a Secure, Path=/, Domain-less cookie. */
    static final String HOST_PREFIX = "__Host-";

    private SecureCookies() {
    }

    /** The cookie's name on this request's scheme. */
    public static String name(HttpServerRequest request, String base) {
        return request.isSSL() ? HOST_PREFIX + base : base;
    }

    /** The browser's cookie, or null. */
    public static Cookie read(HttpServerRequest request, String base) {
        return request.getCookie(name(request, base));
    }

    /** Sets an HttpOnly cookie for the whole site; an empty value with max-age 0 removes it. */
    public static void set(HttpServerRequest request, String base, String value, CookieSameSite sameSite, long maxAgeSeconds) {
        Cookie cookie = Cookie.cookie(name(request, base), value).setPath("/").setHttpOnly(true)
                .setSecure(request.isSSL()).setSameSite(sameSite);
        if (maxAgeSeconds >= 0) {
            cookie.setMaxAge(maxAgeSeconds);
        }
        request.response().addCookie(cookie);
    }
}
