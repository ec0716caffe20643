package io.gatehouse.web;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.impl.ServerCookie;
import io.vertx.ext.web.Router;

/**
 * Quarkus OIDC names its cookies itself (the session {@code q_session}, the sign-in state {@code q_auth}, ...) and
 * has no setting for a prefix. Over https this gives them the {@code __Host-} prefix on the wire, as
 * {@link SecureCookies} does for Gatehouse's own: the browser then refuses any such cookie that is not Secure, has a
 * Domain or another Path, so a sibling subdomain or an http page cannot plant a session (session fixation, login
 * CSRF). Incoming, only the prefixed cookies count: a bare {@code q_session} over https is dropped, not believed.
 */
@ApplicationScoped
public class HostPrefixedSessionCookies {

    private static final String OIDC_PREFIX = "q_";
    /** A session cookie is split in chunks of about 4 KiB; ten hold more than any token set Gatehouse sees. */
    private static final int MAX_CHUNKS = 10;
    private static final Pattern STATE = Pattern.compile("[?&]state=([A-Za-z0-9_-]+)");

    void install(@Observes Router router) {
        // Before authentication reads any cookie (and after nothing else has): the first route of all.
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            HttpServerRequest request = context.request();
            if (request.isSSL()) {
                String cookies = request.getHeader(HttpHeaders.COOKIE);
                List<String> incoming = new ArrayList<>();
                if (cookies != null) {
                    request.headers().set(HttpHeaders.COOKIE, unprefixed(cookies, incoming));
                }
                context.addHeadersEndHandler(ignored -> prefixOutgoing(request, context.response(), incoming));
            }
            context.next();
        });
    }

    /**
     * The Cookie header as Quarkus OIDC expects it: __Host-q_* named q_*, any bare q_* left out. The names of the
     * OIDC cookies the browser sent are added to {@code oidcNames}.
     */
    static String unprefixed(String header, List<String> oidcNames) {
        List<String> kept = new ArrayList<>();
        for (String pair : header.split(";")) {
            String cookie = pair.strip();
            if (cookie.startsWith(SecureCookies.HOST_PREFIX + OIDC_PREFIX)) {
                String renamed = cookie.substring(SecureCookies.HOST_PREFIX.length());
                kept.add(renamed);
                oidcNames.add(renamed.split("=", 2)[0]);
            } else if (!cookie.startsWith(OIDC_PREFIX) && !cookie.isEmpty()) {
                kept.add(cookie);
            }
        }
        return String.join("; ", kept);
    }

    private static void prefixOutgoing(HttpServerRequest request, HttpServerResponse response, List<String> incoming) {
        // Still in the response's cookie jar here: Vert.x writes Set-Cookie after the headers-end handlers. The jar also
        // holds the cookies the browser sent, unchanged: those are not sent back (and must not be: a copy made here
        // would go out without their HttpOnly, which the browser never tells the server).
        List<Cookie> renamed = new ArrayList<>();
        for (String name : oidcCookieNames(response, incoming)) {
            if (request.cookies(name).stream().noneMatch(HostPrefixedSessionCookies::changed)) {
                continue;
            }
            for (Cookie cookie : response.removeCookies(name, false)) {
                if (!changed(cookie)) {
                    continue;
                }
                Cookie prefixed = Cookie.cookie(SecureCookies.HOST_PREFIX + cookie.getName(), cookie.getValue()).setPath("/")
                        .setSecure(true).setHttpOnly(cookie.isHttpOnly()).setSameSite(cookie.getSameSite());
                if (cookie.getMaxAge() != Long.MIN_VALUE) {
                    prefixed.setMaxAge(cookie.getMaxAge());
                }
                renamed.add(prefixed);
            }
        }
        renamed.forEach(response::addCookie);
    }

    /** Whether this response sets the cookie (as opposed to merely carrying the browser's own in the jar). */
    private static boolean changed(Cookie cookie) {
        return !(cookie instanceof ServerCookie server) || server.isChanged();
    }

    /**
     * The names Quarkus OIDC may have set on this response (the jar cannot be listed): those the browser sent (their
     * updates and removals), the session's (split into chunks when large) and the sign-in state's, which is named
     * after the {@code state} of the redirect to the IdP.
     */
    static List<String> oidcCookieNames(HttpServerResponse response, List<String> incoming) {
        List<String> names = new ArrayList<>(incoming);
        for (String base : List.of("q_session", "q_session_at", "q_session_rt")) {
            names.add(base);
            for (int chunk = 1; chunk <= MAX_CHUNKS; chunk++) {
                names.add(base + "_chunk_" + chunk);
            }
        }
        names.add("q_auth");
        names.add("q_post_logout");
        String location = response.headers().get(HttpHeaders.LOCATION);
        Matcher state = location == null ? null : STATE.matcher(location);
        if (state != null && state.find()) {
            names.add("q_auth_" + state.group(1));
        }
        return names;
    }
}
