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
     * full group paths start with "/"; the embedded IdP puts roles and "/team" values in one claim.
     */
    @WithDefault("/")
    String teamPrefix();
}
