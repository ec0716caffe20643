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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.gatehouse.support.Ports;

/**
 * One instance of the packaged app, run as users run it: {@code java -jar target/quarkus-app/quarkus-run.jar} in the
 * prod profile, configured by GATEHOUSE_* environment variables only; ready once its management port says so.
 */
public final class PackagedApp implements AutoCloseable {

    public final int port;
    public final int managementPort = Ports.free();
    public final Path log;
    public final long readyMillis;
    private final Process process;

    /** Starts it on {@code port} (known beforehand: the IdP and the CORS rules must know the portal's origin). */
    PackagedApp(String name, Map<String, String> environment, int port) throws Exception {
        this(name, environment, port, List.of());
    }

    /** With JVM options in front of {@code -jar} (the benchmark runs it with the documented production settings). */
    public PackagedApp(String name, Map<String, String> environment, int port, List<String> jvmOptions) throws Exception {
        this.port = port;
        // Where LogsCarryNoSecretsIT looks for secrets in full.
        log = Files.createDirectories(Path.of("target/app-logs")).resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // As the image runs it, from the app's own directory: a class-data archive (AppCDS) names its jars relative to it.
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-jar", "quarkus-run.jar"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("target/quarkus-app").toFile())
                .redirectErrorStream(true).redirectOutput(log.toAbsolutePath().toFile());
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
            Thread.sleep(20); // polling interval (fine enough to time a start), bounded by the deadline
        }
        readyMillis = Duration.between(started, Instant.now()).toMillis();
    }

    /** The JVM's process id (to read its CPU time and memory from /proc). */
    public long pid() {
        return process.pid();
    }

    String origin() {
        return "http://localhost:" + port;
    }

    public String url(String path) {
        return origin() + path;
    }

    public String management(String path) {
        return "http://localhost:" + managementPort + path;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

}
