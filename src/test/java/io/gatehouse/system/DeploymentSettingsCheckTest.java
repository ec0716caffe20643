package io.gatehouse.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The deployment settings' own check, as SmallRye applies it while it builds the mapping (WrongSettingsIT: the packaged app). */
class DeploymentSettingsCheckTest {

    private static final String SECRET = "short-Secret-7Qx";

    @Test
    void aMalformedUrlAndAShortSecretAreOneLineEachNamingTheVariableNotTheValue() {
        assertThatThrownBy(() -> configWith("mysql://db.example:3306/Gatehouse-9Zq", SECRET))
                .isInstanceOf(ConfigValidationException.class)
                .satisfies(e -> {
                    ConfigValidationException problems = (ConfigValidationException) e;
                    assertThat(problems.getProblemCount()).isEqualTo(2);
                    assertThat(problems.getProblem(0).getMessage()).isEqualTo("gatehouse.deployment.database-url (GATEHOUSE_DB_URL) "
                            + "must be a PostgreSQL JDBC URL such as jdbc:postgresql://db:5432/gatehouse");
                    assertThat(problems.getProblem(1).getMessage())
                            .isEqualTo("gatehouse.deployment.session-secret (GATEHOUSE_SESSION_SECRET) must be at least 32 characters");
                })
                .message().doesNotContain("Gatehouse-9Zq").doesNotContain(SECRET);
    }

    @Test
    void aPostgresqlUrlAndA32CharacterSecretPass() {
        DeploymentSettings settings = configWith("jdbc:postgresql://db:5432/gatehouse", "x".repeat(32))
                .getConfigMapping(DeploymentSettings.class);
        assertThat(settings.databaseUrl()).isEqualTo("jdbc:postgresql://db:5432/gatehouse");
    }

    @Test
    void oneShortCharacterIsEnough() {
        assertThatThrownBy(() -> configWith("jdbc:postgresql://db:5432/gatehouse", "x".repeat(31)))
                .isInstanceOf(ConfigValidationException.class)
                .satisfies(e -> assertThat(((ConfigValidationException) e).getProblemCount()).isEqualTo(1));
    }

    private static SmallRyeConfig configWith(String databaseUrl, String sessionSecret) {
        Map<String, String> values = new HashMap<>();
        values.put("gatehouse.deployment.database-url", databaseUrl);
        values.put("gatehouse.deployment.session-secret", sessionSecret);
        for (String name : new String[] { "database-user", "database-password", "oidc-issuer", "oidc-client-id", "oidc-client-secret" }) {
            values.put("gatehouse.deployment." + name, "set");
        }
        SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(values, "test", 100))
                .withMapping(DeploymentSettings.class);
        new DeploymentSettings.Check().configBuilder(builder);
        return builder.build();
    }
}
