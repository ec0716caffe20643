package io.gatehouse.system;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.smallrye.config.ConfigMapping;

/**
 * The settings a production deployment must provide (see README, "Configuration"). Declaring them as one mapping
 * makes a missing one stop the start before anything connects anywhere, with one line per missing setting naming
 * its environment variable. The quarkus.* datasource and OIDC keys read their values from here in prod; in dev
 * and test the embedded default fills them.
 */
@ConfigMapping(prefix = "gatehouse.deployment")
public interface DeploymentSettings {

    @Pattern(regexp = "jdbc:postgresql://.+", message = "(GATEHOUSE_DB_URL) must be a PostgreSQL JDBC URL such as jdbc:postgresql://db:5432/gatehouse")
    String databaseUrl();

    String databaseUser();

    String databasePassword();

    String oidcIssuer();

    String oidcClientId();

    String oidcClientSecret();

    /** Encrypts the browser session cookie; at least 32 characters, the same on every replica. */
    @Size(min = 32, message = "(GATEHOUSE_SESSION_SECRET) must be at least 32 characters")
    String sessionSecret();
}
