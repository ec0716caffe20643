package io.gatehouse.system;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidationException.Problem;
import io.smallrye.config.ConfigValidator;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilderCustomizer;

/**
 * The settings a production deployment must provide (see README, "Configuration"). Declaring them as one mapping
 * makes a missing one stop the start before anything connects anywhere, with one line per missing setting naming
 * its environment variable. The quarkus.* datasource and OIDC keys read their values from here in prod; in dev
 * and test the embedded default fills them.
 */
@ConfigMapping(prefix = "gatehouse.deployment")
public interface DeploymentSettings {

    /** A PostgreSQL JDBC URL (checked by {@link Check}). */
    String databaseUrl();

    String databaseUser();

    String databasePassword();

    String oidcIssuer();

    String oidcClientId();

    String oidcClientSecret();

    /** Encrypts the browser session cookie; at least 32 characters, the same on every replica (checked by {@link Check}). */
    String sessionSecret();

    /**
     * Refuses a malformed database URL or a short session secret as the configuration is built, before Flyway or the
     * pool would see the URL: one line per setting, naming its variable, never echoing the value. A validator of our
     * own rather than Bean Validation constraints on the mapping: those made Quarkus bootstrap Hibernate Validator for
     * the configuration at the start of every start-up (0.5-0.8 s of start-to-ready on 2 cores). Registered in
     * META-INF/services; Quarkus applies it to the runtime configuration, where this mapping lives.
     */
    final class Check implements SmallRyeConfigBuilderCustomizer, ConfigValidator {

        private static final Pattern JDBC_POSTGRESQL = Pattern.compile("jdbc:postgresql://.+");

        @Override
        public void configBuilder(SmallRyeConfigBuilder builder) {
            builder.withValidator(this);
        }

        @Override
        public void validateMapping(Class<?> mappingClass, String prefix, Object mapping) {
            if (!(mapping instanceof DeploymentSettings settings)) {
                return;
            }
            List<Problem> problems = new ArrayList<>();
            if (!JDBC_POSTGRESQL.matcher(settings.databaseUrl()).matches()) {
                problems.add(new Problem(prefix + ".database-url (GATEHOUSE_DB_URL) must be a PostgreSQL JDBC URL such as "
                        + "jdbc:postgresql://db:5432/gatehouse"));
            }
            if (settings.sessionSecret().length() < 32) {
                problems.add(new Problem(prefix + ".session-secret (GATEHOUSE_SESSION_SECRET) must be at least 32 characters"));
            }
            if (!problems.isEmpty()) {
                throw new ConfigValidationException(problems.toArray(Problem[]::new));
            }
        }
    }
}
