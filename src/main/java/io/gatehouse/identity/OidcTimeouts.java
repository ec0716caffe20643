package io.gatehouse.identity;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcRequestFilter;
import io.smallrye.mutiny.Uni;

/**
 * Every call Gatehouse makes to the IdP (discovery, keys, token exchange and refresh) must answer within this bound.
 * Quarkus only bounds connecting; an IdP that accepts the connection and then stalls would otherwise hold the
 * request (a bearer token with an unknown {@code kid} triggers a key fetch) for as long as it likes.
 */
@ApplicationScoped
@Unremovable // looked up by Quarkus OIDC at run time, never injected
@OidcEndpoint(OidcEndpoint.Type.ALL)
public class OidcTimeouts implements OidcRequestFilter {

    private final long timeoutMillis;

    OidcTimeouts(IdentityConfig config) {
        this.timeoutMillis = config.idpResponseTimeout().toMillis();
    }

    @Override
    public Uni<Void> filter(OidcRequestFilterContext context) {
        context.request().timeout(timeoutMillis);
        return Uni.createFrom().voidItem();
    }
}
