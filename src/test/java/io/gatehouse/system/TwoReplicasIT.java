package io.gatehouse.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import io.gatehouse.dev.ProdStack;
import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Ports;
import io.gatehouse.support.Tokens;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Two instances of the packaged app on one database, one store, one IdP and one session secret, as two Kubernetes
 * replicas behind a Service: whichever answers, the user sees the same Gatehouse.
 */
class TwoReplicasIT {

    private static ProdStack stack;
    private static Map<String, String> environment;
    private static PackagedApp a;
    private static PackagedApp b;
    private static HttpServer collector;
    private static final List<Export> traces = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void launch() throws Exception {
        int portA = Ports.free();
        int portB = Ports.free();
        stack = new ProdStack();
        environment = stack.start(List.of("http://localhost:" + portA, "http://localhost:" + portB));
        // Both start at once on an empty database, as a new Deployment's pods do: Flyway's lock in PostgreSQL lets one
        // migrate while the other waits, then finds the schema current.
        // Replica b also sends traces (an operator's opt-in) to a collector stub that records what arrives.
        collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/", exchange -> {
            traces.add(new Export(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        Map<String, String> tracing = new HashMap<>(environment);
        tracing.put("QUARKUS_OTEL_SDK_DISABLED", "false");
        tracing.put("QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        tracing.put("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort());
        tracing.put("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms");
        tracing.put("QUARKUS_OTEL_RESOURCE_ATTRIBUTES", "service.instance.id=replica-b");
        var startingA = CompletableFuture.supplyAsync(() -> start("replica-a", environment, portA));
        var startingB = CompletableFuture.supplyAsync(() -> start("replica-b", tracing, portB));
        a = startingA.join();
        b = startingB.join();
        System.out.printf("TWO-REPLICAS ready: a %d ms, b %d ms after java -jar%n", a.readyMillis, b.readyMillis);
    }

    private static PackagedApp start(String name, Map<String, String> settings, int port) {
        try {
            return new PackagedApp(name, settings, port);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (PackagedApp app : new PackagedApp[] { a, b }) {
            if (app != null) {
                app.close();
            }
        }
        if (stack != null) {
            stack.close();
        }
        if (collector != null) {
            collector.stop(0);
        }
        RestAssured.reset();
    }

    @Test
    void tracesReachTheCollectorOnlyWhereAnOperatorTurnedThemOn() throws InterruptedException {
        given().auth().oauth2(Tokens.of("alice")).when().get(b.url("/api/me")).then().statusCode(200);
        given().auth().oauth2(Tokens.of("alice")).when().get(a.url("/api/me")).then().statusCode(200);

        Instant deadline = Instant.now().plusSeconds(30);
        while (traces.stream().noneMatch(export -> export.mentions("/api/me")) && Instant.now().isBefore(deadline)) {
            Thread.sleep(100); // polling interval (the exporter sends a batch every 200 ms), bounded by the deadline
        }
        assertThat(traces).as("OTLP exports received").anySatisfy(export -> {
            assertThat(export.method()).isEqualTo("POST");
            assertThat(export.path()).isEqualTo("/v1/traces");
            assertThat(export.contentType()).isEqualTo("application/x-protobuf");
            assertThat(export.mentions("/api/me")).isTrue();
        });
        // Replica a was left at the default (off): every export came from b, named in its resource attributes.
        assertThat(traces).allMatch(export -> export.mentions("replica-b"));
        // Spans name routes, never tokens (a class name such as MalformedBearerTokens in an exception's frames is fine).
        java.util.regex.Pattern token = java.util.regex.Pattern.compile("(?i)bearer\\s+[A-Za-z0-9._~+/=-]{20,}|eyJ[A-Za-z0-9_-]{10,}\\.");
        assertThat(traces).noneMatch(export -> token.matcher(new String(export.body(), StandardCharsets.ISO_8859_1)).find());
    }

    record Export(String method, String path, String contentType, byte[] body) {
        boolean mentions(String text) {
            return new String(body, StandardCharsets.ISO_8859_1).contains(text);
        }
    }

    @Test
    void aBrowserSessionOpenedOnOneReplicaIsAcceptedByTheOther() {
        RestAssured.port = a.port;
        BrowserSession alice = BrowserSession.signIn("alice");

        given().cookies(alice.cookies()).accept(ContentType.JSON).when().get(b.url("/api/me"))
                .then().statusCode(200).body("id", equalTo("alice"));
        given().cookies(alice.cookies()).redirects().follow(false).accept("text/html").when().get(b.url("/catalog"))
                .then().statusCode(200);
    }

    @Test
    void aGrantRevokedOnOneReplicaIsRefusedByTheOtherAtOnce() {
        String key = "two-replicas/" + UUID.randomUUID() + ".txt";
        try (S3Client s3 = S3Client.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create(environment.get("GATEHOUSE_S3_ENDPOINT"))).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        environment.get("GATEHOUSE_S3_ACCESS_KEY_ID"), environment.get("GATEHOUSE_S3_SECRET_ACCESS_KEY"))))
                .build()) {
            s3.putObject(r -> r.bucket(environment.get("GATEHOUSE_S3_BUCKET")).key(key).contentType("text/plain"),
                    RequestBody.fromString("shared by both replicas"));
        }
        String admin = Tokens.of("carol");
        long item = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("key", key, "title", "Both replicas", "tier", "STANDARD"))
                .when().post(a.url("/api/admin/items")).then().statusCode(201).extract().jsonPath().getLong("id");
        long grant = given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("subjectType", "USER", "subject", "alice", "resourceType", "OBJECT", "resource", key,
                        "permission", "READ", "validUntil", Instant.now().plusSeconds(3600).toString(),
                        "reason", "two-replica test"))
                .when().post(a.url("/api/admin/grants")).then().statusCode(201).extract().jsonPath().getLong("id");
        String download = "/api/items/" + item + "/download-url";
        given().auth().oauth2(Tokens.of("alice")).when().post(b.url(download)).then().statusCode(200);

        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("reason", "revoked on replica a"))
                .when().post(a.url("/api/admin/grants/" + grant + "/revoke")).then().statusCode(200);

        given().auth().oauth2(Tokens.of("alice")).when().post(b.url(download)).then().statusCode(403);
    }

    @Test
    void theAuditChainStaysIntactWithBothReplicasSealing() {
        long before = given().auth().oauth2(Tokens.of("dave")).when().get(a.url("/api/audit/verify"))
                .then().statusCode(200).extract().jsonPath().getLong("rowsChecked");
        // An auditor reaching for content: refused for the role, and each refusal is an audit row, on either replica.
        for (PackagedApp replica : new PackagedApp[] { a, b }) {
            for (int i = 0; i < 20; i++) {
                given().auth().oauth2(Tokens.of("dave")).when().post(replica.url("/api/items/1/download-url"))
                        .then().statusCode(403);
            }
        }
        for (PackagedApp replica : new PackagedApp[] { a, b }) {
            var verification = given().auth().oauth2(Tokens.of("dave")).when().get(replica.url("/api/audit/verify"))
                    .then().statusCode(200).extract().jsonPath();
            assertThat(verification.getBoolean("intact")).as("audit chain as replica %s sees it", replica.port).isTrue();
            assertThat(verification.getLong("rowsChecked")).isGreaterThanOrEqualTo(before + 40);
        }
    }
}
