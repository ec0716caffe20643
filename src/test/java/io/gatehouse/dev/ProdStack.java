package io.gatehouse.dev;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

import io.gatehouse.support.Ports;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What a production deployment provides, started outside the app for the packaged-app tests: a PostgreSQL server,
 * an S3 server with an empty bucket, and an OIDC provider. {@link #start} answers the GATEHOUSE_* environment a
 * deployment would give the app; nothing embedded runs in it.
 */
public class ProdStack implements AutoCloseable {

    public static final String ISSUER_PROPERTY = "gatehouse.test.issuer";
    static final String BUCKET = "gatehouse-prod-test";
    /** The app's runtime login (migrations run as the owner, postgres). */
    public static final String APP_USER = "gatehouse_app";
    static final String APP_PASSWORD = "gatehouse-app-test-password";

    private EmbeddedPostgres postgres;
    private S3Proxy s3;
    private Path data;
    private int postgresPort;
    private int s3Port;
    private String issuer;

    /** Starts the services; {@code portalOrigins} are where the app's instances listen (the IdP redirects there). */
    public Map<String, String> start(List<String> portalOrigins) {
        try {
            data = Path.of("target/prod-stack").toAbsolutePath();
            if (Files.exists(data)) {
                // A fresh stack each run, as a new deployment starts with empty services.
                try (var paths = Files.walk(data)) {
                    for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(path);
                    }
                }
            }
            Files.createDirectories(data);
            // Not cleaned on close (the whole directory was removed above): a stopped server starts again with its data.
            var builder = EmbeddedPostgres.builder().setDataDirectory(data.resolve("postgres")).setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (Boolean.getBoolean("bench.statements")) {
                // The benchmark's per-statement figures (what each measured endpoint costs PostgreSQL, by statement).
                builder.setServerConfig("shared_preload_libraries", "pg_stat_statements")
                        .setServerConfig("pg_stat_statements.track", "all");
            }
            postgres = builder.start();
            postgresPort = postgres.getPort();
            s3Port = Ports.free();
            Files.createDirectories(data.resolve("s3"));
            startStore();
            String endpoint = "http://127.0.0.1:" + s3.getPort();
            try (S3Client client = S3Client.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("prod-test-key", "prod-test-secret")))
                    .forcePathStyle(true).build()) {
                client.createBucket(r -> r.bucket(BUCKET));
            }
            issuer = DevIdentityProvider.start(0, portalOrigins);
            System.setProperty(ISSUER_PROPERTY, issuer);

            Map<String, String> settings = new LinkedHashMap<>();
            // No credentials in the URL (the driver would prefer them to the login given beside it).
            settings.put("GATEHOUSE_DB_URL", url());
            // As production should: migrations as the schema's owner, the app as a login that owns nothing.
            try (var db = database(); var statement = db.createStatement()) {
                statement.execute("CREATE ROLE " + APP_USER + " LOGIN PASSWORD '" + APP_PASSWORD + "'");
            }
            settings.put("GATEHOUSE_DB_USER", APP_USER);
            settings.put("GATEHOUSE_DB_PASSWORD", APP_PASSWORD);
            settings.put("GATEHOUSE_DB_OWNER_USER", "postgres");
            settings.put("GATEHOUSE_DB_OWNER_PASSWORD", "postgres");
            settings.put("GATEHOUSE_OIDC_ISSUER", issuer);
            settings.put("GATEHOUSE_OIDC_CLIENT_ID", DevIdentityProvider.CLIENT_ID);
            settings.put("GATEHOUSE_OIDC_CLIENT_SECRET", DevIdentityProvider.CLIENT_SECRET);
            settings.put("GATEHOUSE_SESSION_SECRET", "packaged-app-test-session-secret-0123456789");
            settings.put("GATEHOUSE_S3_BUCKET", BUCKET);
            settings.put("GATEHOUSE_S3_REGION", "us-east-1");
            settings.put("GATEHOUSE_S3_ENDPOINT", endpoint);
            // Browsers reach the store under another name than the app does (as in docker-compose.yml): URLs are
            // signed for that one.
            settings.put("GATEHOUSE_S3_PUBLIC_ENDPOINT", endpoint.replace("127.0.0.1", "localhost"));
            settings.put("GATEHOUSE_S3_PATH_STYLE", "true");
            settings.put("GATEHOUSE_S3_ACCESS_KEY_ID", "prod-test-key");
            settings.put("GATEHOUSE_S3_SECRET_ACCESS_KEY", "prod-test-secret");
            // Loopback test store only: it speaks plain http.
            settings.put("GATEHOUSE_S3_REQUIRE_HTTPS", "false");
            settings.put("GATEHOUSE_PUBLIC_ORIGINS", String.join(",", portalOrigins));
            // Plain http on loopback: sign-in redirects stay http (production forces https).
            settings.put("GATEHOUSE_HTTPS_REDIRECTS", "false");
            return settings;
        } catch (Exception e) {
            close();
            throw new IllegalStateException("could not start the production-like services: " + e.getMessage(), e);
        }
    }

    /** The database server stops as in an outage (its data stays): connections fail until {@link #startDatabase}. */
    public void stopDatabase() throws java.io.IOException {
        postgres.close();
    }

    /** The same server again, on the same port and data. */
    public void startDatabase() throws java.io.IOException {
        postgres = EmbeddedPostgres.builder().setDataDirectory(data.resolve("postgres")).setCleanDataDirectory(false)
                .setPort(postgresPort).setServerConfig("listen_addresses", "127.0.0.1").start();
    }

    /** A client of the store, as the app's credentials: for a test to see what the store holds. */
    public S3Client s3() {
        return S3Client.builder().region(Region.US_EAST_1).endpointOverride(URI.create(s3Endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("prod-test-key", "prod-test-secret")))
                .forcePathStyle(true).build();
    }

    /** Where the app reaches the store. */
    public String s3Endpoint() {
        return "http://127.0.0.1:" + s3Port;
    }

    private String url() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres";
    }

    /** A connection as the app's runtime login: what the app itself may do. */
    public java.sql.Connection databaseAsTheApp() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(url(), APP_USER, APP_PASSWORD);
    }

    /** A connection as the database's owner, for a test to change what the database does. */
    public java.sql.Connection database() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(url(), "postgres", "postgres");
    }

    /** The store stops answering (its objects stay) until {@link #startStore}. */
    public void stopStore() throws Exception {
        s3.stop();
    }

    /** The store on its port, with what it held. */
    public void startStore() throws Exception {
        s3 = S3Proxy.builder().blobStore(new FilesystemNio2BlobStore(data.resolve("s3").toString()))
                .endpoint(URI.create("http://127.0.0.1:" + s3Port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "prod-test-key", "prod-test-secret").build();
        s3.start();
        while (!"STARTED".equals(s3.getState())) {
            Thread.onSpinWait();
        }
    }

    /** The IdP stops answering for good (a test that needs it again starts a new stack). */
    public void stopIdp() {
        DevIdentityProvider.stop(issuer);
    }

    @Override
    public void close() {
        try {
            if (s3 != null) {
                s3.stop();
            }
            if (postgres != null) {
                postgres.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
