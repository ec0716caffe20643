package io.gatehouse.web;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Named;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;

/**
 * CSRF protection for the portal's forms (double-submit): a random token lives in a {@code SameSite=Strict},
 * HttpOnly cookie; every form carries it in a hidden field ({@code {inject:csrf.token}}); every form endpoint
 * calls {@link #verify} before doing anything. Bearer-token API calls are not forms and need no token.
 */
@Named("csrf")
@RequestScoped
public class Csrf {

    public static final String COOKIE = "gatehouse-csrf";
    public static final String FIELD = "csrf-token";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RoutingContext context;
    private String token;

    Csrf(RoutingContext context) {
        this.context = context;
    }

    /** The browser's token; issued (and set as a cookie) on first use. */
    public String getToken() {
        if (token == null) {
            Cookie existing = SecureCookies.read(context.request(), COOKIE);
            if (existing != null && existing.getValue().length() == 43) {
                token = existing.getValue();
            } else {
                byte[] random = new byte[32];
                RANDOM.nextBytes(random);
                token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
                SecureCookies.set(context.request(), COOKIE, token, CookieSameSite.STRICT, -1);
            }
        }
        return token;
    }

    public String getParameterName() {
        return FIELD;
    }

    /** Whether a submitted token equals the browser's cookie token (constant-time). */
    static boolean matches(String submitted, String cookieToken) {
        return submitted != null && !submitted.isEmpty() && cookieToken != null
                && MessageDigest.isEqual(submitted.getBytes(StandardCharsets.UTF_8), cookieToken.getBytes(StandardCharsets.UTF_8));
    }

    /** Refuses (403) a form post whose token is missing or does not match the browser's cookie. */
    public void verify(String formToken) {
        Cookie cookie = SecureCookies.read(context.request(), COOKIE);
        if (!matches(formToken, cookie == null ? null : cookie.getValue())) {
            throw new GatehouseException(403, "csrf_token_invalid",
                    "This form did not come from your current Gatehouse page (or it expired). Reload the page and try again.");
        }
    }
}
