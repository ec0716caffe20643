package io.gatehouse.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The packaged app given a malformed database URL and a short session secret stops before it connects anywhere (no
 * Flyway, no pool), with one line per setting naming it, its environment variable and what it must be, and without
 * echoing either value.
 */
class WrongSettingsIT {

    private static final String SECRET = "short-Secret-7Qx";
    private static final String DB_URL = "mysql://db.example:3306/Gatehouse-9Zq";

    @Test
    void aMalformedDatabaseUrlAndAShortSessionSecretStopTheStartAndNeitherIsEchoed() throws Exception {
        Path log = Files.createDirectories(Path.of("target/app-logs")).resolve("wrong-settings.log");
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "quarkus-run.jar")).directory(Path.of("target/quarkus-app").toFile())
                .redirectErrorStream(true).redirectOutput(log.toAbsolutePath().toFile());
        var environment = builder.environment();
        environment.put("GATEHOUSE_DB_URL", DB_URL);
        environment.put("GATEHOUSE_DB_USER", "gatehouse");
        environment.put("GATEHOUSE_DB_PASSWORD", "db-password");
        environment.put("GATEHOUSE_OIDC_ISSUER", "https://idp.example/realms/gatehouse");
        environment.put("GATEHOUSE_OIDC_CLIENT_ID", "gatehouse");
        environment.put("GATEHOUSE_OIDC_CLIENT_SECRET", "client-secret");
        environment.put("GATEHOUSE_SESSION_SECRET", SECRET);
        environment.put("GATEHOUSE_S3_BUCKET", "gatehouse");
        environment.put("GATEHOUSE_S3_REGION", "us-east-1");
        environment.put("GATEHOUSE_PUBLIC_ORIGINS", "https://gatehouse.example");
        Process process = builder.start();

        assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the app stops by itself").isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isNotZero();
        assertThat(output).contains("gatehouse.deployment.database-url (GATEHOUSE_DB_URL) must be a PostgreSQL JDBC URL")
                .contains("gatehouse.deployment.session-secret (GATEHOUSE_SESSION_SECRET) must be at least 32 characters")
                .doesNotContain(SECRET).doesNotContain("Gatehouse-9Zq")
                .doesNotContain("Flyway").doesNotContain("Acquisition timeout");
    }
}
