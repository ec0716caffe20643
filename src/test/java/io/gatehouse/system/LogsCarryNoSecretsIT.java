package io.gatehouse.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Runs after every other test (its own failsafe execution, pom.xml) and reads what the app logged meanwhile: the
 * whole {@code @QuarkusTest} suite's log ({@code %test.quarkus.log.file.*}) and every packaged app's output. Not one
 * secret may be there in full: a pre-signed URL's signature or security token, a bearer token or any JWT, a session
 * cookie's value, an SSE-C key, or one of the test stacks' client, session and store secrets.
 */
class LogsCarryNoSecretsIT {

    private static final Map<String, Pattern> SECRETS = Map.of(
            "a pre-signed URL's signature", Pattern.compile("X-Amz-Signature=[0-9a-fA-F]{64}"),
            "a pre-signed URL's security token", Pattern.compile("X-Amz-Security-Token=[A-Za-z0-9%/+=]{16,}"),
            "a JWT", Pattern.compile("eyJ[A-Za-z0-9_-]{10,}\\.eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{20,}"),
            "a bearer token", Pattern.compile("(?i)bearer\\s+[A-Za-z0-9._~+/=-]{20,}"),
            "a session cookie", Pattern.compile("q_session[A-Za-z0-9_]*=[A-Za-z0-9_%.-]{16,}"),
            "an SSE-C key", Pattern.compile("(?i)customer-key[\"']?\\s*[:=]\\s*[\"']?[A-Za-z0-9+/]{43}="),
            "a client, session or store secret", Pattern.compile("gatehouse-dev-secret|reports-secret|no-audience-secret"
                    + "|dev-only-session-secret-0123456789abcdef|packaged-app-test-session-secret|prod-test-secret"));

    @Test
    void noSecretIsWrittenToTheLogInFull() throws IOException {
        List<Path> logs = new ArrayList<>();
        if (Files.exists(Path.of("target/gatehouse-test.log"))) {
            logs.add(Path.of("target/gatehouse-test.log"));
        }
        if (Files.isDirectory(Path.of("target/app-logs"))) {
            try (Stream<Path> files = Files.list(Path.of("target/app-logs"))) {
                files.filter(file -> file.toString().endsWith(".log")).sorted().forEach(logs::add);
            }
        }
        assertThat(logs).as("the logs of the tests that ran before").isNotEmpty();

        long starts = 0;
        List<String> found = new ArrayList<>();
        for (Path log : logs) {
            List<String> text = Files.readAllLines(log, StandardCharsets.UTF_8);
            starts += text.stream().filter(line -> line.contains(" started in ")).count();
            for (int i = 0; i < text.size(); i++) {
                for (var secret : SECRETS.entrySet()) {
                    var match = secret.getValue().matcher(text.get(i));
                    if (match.find()) {
                        // Where, and what kind: never the secret itself (the build's output is a log too).
                        found.add(log + ":" + (i + 1) + " " + secret.getKey() + " at column " + (match.start() + 1)
                                + " (" + match.group().substring(0, Math.min(6, match.group().length())) + "…)");
                    }
                }
            }
        }
        assertThat(starts).as("app starts logged in " + logs).isPositive();
        assertThat(found).as("secrets in full in the log").isEmpty();
    }
}
