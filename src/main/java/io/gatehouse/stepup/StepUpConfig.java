package io.gatehouse.stepup;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Step-up for destructive actions (bulk revoke, deleting content items, changing a team's encryption): the
 * portal's own MFA-Delete analogue. The action runs only if the user authenticated recently — and, when
 * {@code acr-values} is set, with one of those authentication context classes (e.g. the IdP's MFA level).
 */
@ConfigMapping(prefix = "gatehouse.step-up")
public interface StepUpConfig {

    /** How recent the authentication ({@code auth_time}) must be; also sent to the IdP as {@code max_age}. */
    @WithDefault("PT5M")
    Duration maxAge();

    /** When set, the token's {@code acr} must be one of these; also sent to the IdP as {@code acr_values}. */
    Optional<List<String>> acrValues();

    /**
     * Whether a token without {@code auth_time} may count its {@code iat} instead. Off in production (a
     * refreshed token has a fresh {@code iat} without a new sign-in); on for the embedded IdP, which issues no
     * {@code auth_time} but shows its login page on every authorization request.
     */
    @WithDefault("false")
    boolean acceptIssuedAt();
}
