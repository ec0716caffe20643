package io.gatehouse.web;

import java.net.URI;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.gatehouse.identity.IdentityConfig;
import io.gatehouse.storage.S3Clients;
import io.gatehouse.storage.S3Config;
import io.vertx.ext.web.Router;

/**
 * Headers every Gatehouse response carries. {@code Referrer-Policy: no-referrer} keeps pre-signed URLs out of
 * Referer headers; the CSP allows scripts and styles from Gatehouse only, and lets the browser talk to the S3
 * endpoint (downloads are form posts redirected there, uploads are PUTs to it). {@code form-action} also names the
 * IdP's origin: Chromium applies it to the redirects that follow a form post, and signing out, "Sign in again"
 * (step-up) and any form posted after the session ended all end at the IdP. Quarkus' own dev tools under
 * {@code /q/} keep their defaults.
 */
@ApplicationScoped
public class SecurityHeaders {

    private final String contentSecurityPolicy;

    SecurityHeaders(S3Config s3, IdentityConfig identity, @ConfigProperty(name = "quarkus.oidc.auth-server-url") URI issuer) {
        String idpOrigins = identity.idpBrowserOrigins().map(origins -> origins.stream().map(SecurityHeaders::origin)
                .collect(java.util.stream.Collectors.joining(" "))).orElse(origin(issuer));
        String storeOrigin = S3Clients.browserEndpoint(s3).map(SecurityHeaders::origin)
                .orElse("https://" + s3.bucket() + ".s3." + s3.region() + ".amazonaws.com https://*.s3." + s3.region()
                        + ".amazonaws.com https://*.s3-accesspoint." + s3.region() + ".amazonaws.com");
        this.contentSecurityPolicy = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
                + "connect-src 'self' " + storeOrigin + "; form-action 'self' " + storeOrigin + " " + idpOrigins + "; "
                + "frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            if (!context.normalizedPath().startsWith("/q/")) {
                context.addHeadersEndHandler(ignored -> {
                    var headers = context.response().headers();
                    headers.set("Referrer-Policy", "no-referrer");
                    headers.set("X-Content-Type-Options", "nosniff");
                    headers.set("X-Frame-Options", "DENY");
                    headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
                    if (context.request().isSSL()) {
                        // Only over https (or from a trusted TLS proxy): on plain http the header means nothing.
                        headers.set("Strict-Transport-Security", "max-age=31536000");
                    }
                    headers.set("Content-Security-Policy", contentSecurityPolicy);
                    if (!headers.contains("Cache-Control") && !context.normalizedPath().startsWith("/assets/")) {
                        // Pages show identities and, later, pre-signed URLs: never cache them.
                        headers.set("Cache-Control", "no-store");
                    }
                });
            }
            context.next();
        });
    }

    static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority();
    }
}
