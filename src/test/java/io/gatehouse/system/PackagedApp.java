package io.gatehouse.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.gatehouse.support.Ports;

/**
 * One instance of the packaged app, run as users run it: {@code java -jar target/quarkus-app/quarkus-run.jar} in the
 * prod profile, configured by GATEHOUSE_* environment variables only; ready once its management port says so.
 */
final class PackagedApp implements AutoCloseable {

    final int port;
    final int managementPort = Ports.free();
    final Path log;
    final long readyMillis;
    private final Process process;

    /** Starts it on {@code port} (known beforehand: the IdP and the CORS rules must know the portal's origin). */
    PackagedApp(String name, Map<String, String> environment, int port) throws Exception {
        this.port = port;
        log = Path.of("target/" + name + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.port=" + port, "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        builder.environment().put("GATEHOUSE_MANAGEMENT_PORT", Integer.toString(managementPort));
        Instant started = Instant.now();
        process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        Instant deadline = started.plus(Duration.ofSeconds(90));
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(management("/q/health/ready"))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (IOException notListeningYet) {
                // polled again below
            }
            if (Instant.now().isAfter(deadline)) {
                close();
                throw new AssertionError(name + " was not ready within 90 s:\n" + Files.readString(log));
            }
            Thread.sleep(100); // polling interval, bounded by the deadline
        }
        readyMillis = Duration.between(started, Instant.now()).toMillis();
    }

    String origin() {
        return "http://localhost:" + port;
    }

    String url(String path) {
        return origin() + path;
    }

    String management(String path) {
        return "http://localhost:" + managementPort + path;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

}
