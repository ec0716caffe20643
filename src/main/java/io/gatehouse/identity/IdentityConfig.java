package io.gatehouse.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Which token claims name the user and their teams. Roles come from {@code quarkus.oidc.roles.role-claim-path}
 * (set explicitly, so the groups claim never turns into roles by accident).
 */
@ConfigMapping(prefix = "gatehouse.identity")
public interface IdentityConfig {

    /** Claim holding the stable user id that USER grants name. */
    @WithDefault("sub")
    String userIdClaim();

    /** Claim holding a human-readable name. */
    @WithDefault("name")
    String displayNameClaim();

    /** Claim (a JSON array, or a path like {@code a/b}) listing the user's teams. */
    @WithDefault("groups")
    String teamsClaim();

    /**
     * Only values of the teams claim that start with this prefix are teams; the prefix is removed. Keycloak's
     * full group paths start with "/". {@value #NO_PREFIX} means every value is a team name as it stands (an IdP
     * sending bare group names); an empty value cannot be told from a missing one, so it means the default.
     */
    @WithDefault("/")
    String teamPrefix();

    /** The {@link #teamPrefix()} that means "no prefix". */
    String NO_PREFIX = "none";

    /** The prefix to strip, "" for {@link #NO_PREFIX}. */
    default String effectiveTeamPrefix() {
        return NO_PREFIX.equals(teamPrefix()) ? "" : teamPrefix();
    }

    /**
     * Where browsers reach the IdP (its login and logout pages), when that is not the issuer's origin (e.g. Gatehouse
     * talks to an internal address); the pages' CSP lets forms be redirected there.
     */
    java.util.Optional<java.util.List<java.net.URI>> idpBrowserOrigins();

    /** How long any call to the IdP (discovery, keys, token exchange) may take before it counts as failed. */
    @WithDefault("PT2S")
    java.time.Duration idpResponseTimeout();
}
