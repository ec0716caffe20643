package io.gatehouse.identity;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.runtime.OidcIdentityProvider;
import io.quarkus.oidc.runtime.OidcUtils;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * A bounded cache of verified bearer tokens. Checking a token's RS256 signature and parsing its JSON was half of
 * the app's CPU on the download path (issue 14's profile); an API client sends the same token until it expires.
 * So the identity Quarkus OIDC built from a bearer token is kept, keyed by the SHA-256 of the token and the OIDC
 * tenant, until the token's own {@code exp}: the same token gets the same answer, a token changed by one bit is a
 * miss and verified in full, and an expired one is verified again (and refused). Nothing else is cached: roles and
 * permissions are still added per request (the security augmentors run as for a fresh identity), and grants are
 * always read from the database. Browser sessions (ID tokens in the session cookie) are not cached.
 *
 * <p>
 * Documented consequence: a token stays accepted until its {@code exp} even if the IdP drops the key that signed it
 * meanwhile — as every replica would accept it until its next key refresh anyway; tokens are short-lived.
 */
@ApplicationScoped
public class VerifiedTokens implements IdentityProvider<TokenAuthenticationRequest> {

    /** Tokens kept per replica; past it, new tokens are verified every time until expired ones make room. */
    static final int MAX_TOKENS = 2_000;
    /** Set by Quarkus OIDC on the identity: the token's {@code exp}, epoch seconds. */
    private static final String EXPIRES = "quarkus.identity.expire-time";

    private record Verified(SecurityIdentity identity, long expiresAtEpochSecond) {
    }

    /** The OIDC tenant and the token's SHA-256, as four longs: cheap to hash and compare, and not the token. */
    private record Key(Object tenant, long a, long b, long c, long d) {
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    });

    private final ConcurrentHashMap<Key, Verified> verified = new ConcurrentHashMap<>();
    private final OidcIdentityProvider oidc;
    private final Counter hits;
    private final Counter misses;

    VerifiedTokens(OidcIdentityProvider oidc, MeterRegistry registry) {
        this.oidc = oidc;
        this.hits = Counter.builder("gatehouse.tokens.verified").tag("from", "cache")
                .description("Bearer tokens accepted, by where their verification came from").register(registry);
        this.misses = Counter.builder("gatehouse.tokens.verified").tag("from", "signature")
                .description("Bearer tokens accepted, by where their verification came from").register(registry);
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    /** Asked before Quarkus OIDC's own provider (priority 1001), which it calls on a miss. */
    @Override
    public int priority() {
        return 1002;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        RoutingContext http = HttpSecurityUtils.getRoutingContextAttribute(request);
        Object tenant = http == null ? null : http.get(OidcUtils.TENANT_ID_ATTRIBUTE);
        if (!(request.getToken() instanceof AccessTokenCredential) || tenant == null) {
            return oidc.authenticate(request, context);
        }
        Key key = key(tenant, request.getToken().getToken());
        Verified known = verified.get(key);
        long now = System.currentTimeMillis() / 1000;
        if (known != null) {
            if (now < known.expiresAtEpochSecond()) {
                hits.increment();
                return Uni.createFrom().item(forRequest(known.identity(), http));
            }
            verified.remove(key, known);
        }
        return oidc.authenticate(request, context).invoke(identity -> remember(key, identity, now));
    }

    /** The same identity, tied to this request: every attribute that named the first request's context names this one. */
    private static SecurityIdentity forRequest(SecurityIdentity identity, RoutingContext http) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder(identity);
        identity.getAttributes().forEach((name, value) -> {
            if (value instanceof RoutingContext) {
                builder.addAttribute(name, http);
            }
        });
        return builder.build();
    }

    private void remember(Key key, SecurityIdentity identity, long now) {
        misses.increment();
        if (identity == null || !(identity.getAttribute(EXPIRES) instanceof Long expires) || expires <= now) {
            return;
        }
        if (verified.size() >= MAX_TOKENS) {
            verified.values().removeIf(entry -> entry.expiresAtEpochSecond() <= now);
            if (verified.size() >= MAX_TOKENS) {
                return;
            }
        }
        verified.put(key, new Verified(identity, expires));
    }

    private static Key key(Object tenant, String token) {
        MessageDigest sha256 = SHA256.get();
        sha256.reset();
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest(token.getBytes(StandardCharsets.UTF_8)));
        return new Key(tenant, digest.getLong(), digest.getLong(), digest.getLong(), digest.getLong());
    }
}
