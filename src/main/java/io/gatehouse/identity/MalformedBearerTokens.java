package io.gatehouse.identity;

import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.ext.web.Router;

/**
 * A bearer token that is not even shaped like a signed JWT (three base64url parts, the first two non-empty) is
 * refused here, 401, before the OIDC extension sees it: Quarkus 3.33 throws on some of them (e.g. {@code ..}) while
 * deciding whether a token is opaque, which would answer 500. Opaque tokens are never accepted (no introspection).
 */
@ApplicationScoped
public class MalformedBearerTokens {

    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+(.*)");
    private static final Pattern JWS = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 2).handler(context -> {
            String authorization = context.request().getHeader("Authorization");
            if (authorization != null) {
                var bearer = BEARER.matcher(authorization.strip());
                if (bearer.matches() && !JWS.matcher(bearer.group(1)).matches()) {
                    context.response().setStatusCode(401)
                            .putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                            .putHeader("Content-Type", "application/json")
                            .end("{\"code\":\"invalid_token\",\"message\":\"The bearer token is not a signed JWT.\"}");
                    return;
                }
            }
            context.next();
        });
    }
}
