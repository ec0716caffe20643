package io.gatehouse.stepup;

import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.web.SecureCookies;
import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.OidcRedirectFilter;
import io.quarkus.oidc.Redirect;

/** Turns the authorization request that follows "Confirm it's you" into a demand for a fresh (and strong) login. */
@ApplicationScoped
@Unremovable // looked up by Quarkus OIDC at run time, never injected
@Redirect(Redirect.Location.OIDC_AUTHORIZATION)
public class StepUpRedirectFilter implements OidcRedirectFilter {

    private final StepUpConfig config;

    StepUpRedirectFilter(StepUpConfig config) {
        this.config = config;
    }

    @Override
    public void filter(OidcRedirectContext redirect) {
        if (SecureCookies.read(redirect.routingContext().request(), StepUpResource.COOKIE) == null) {
            return;
        }
        redirect.additionalQueryParams().add("prompt", "login");
        redirect.additionalQueryParams().add("max_age", Long.toString(config.maxAge().toSeconds()));
        config.acrValues().ifPresent(values -> redirect.additionalQueryParams().add("acr_values", String.join(" ", values)));
    }
}
