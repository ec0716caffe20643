package io.gatehouse.system;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.gatehouse.dev.ProdStack;
import io.gatehouse.support.BrowserSession;
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

    @BeforeAll
    static void launch() throws Exception {
        int portA = PackagedApp.freePort();
        int portB = PackagedApp.freePort();
        stack = new ProdStack();
        environment = stack.start(List.of("http://localhost:" + portA, "http://localhost:" + portB));
        // Both start at once on an empty database, as a new Deployment's pods do: Flyway's lock in PostgreSQL lets one
        // migrate while the other waits, then finds the schema current.
        var startingA = CompletableFuture.supplyAsync(() -> start("replica-a", portA));
        var startingB = CompletableFuture.supplyAsync(() -> start("replica-b", portB));
        a = startingA.join();
        b = startingB.join();
        System.out.printf("TWO-REPLICAS ready: a %d ms, b %d ms after java -jar%n", a.readyMillis, b.readyMillis);
    }

    private static PackagedApp start(String name, int port) {
        try {
            return new PackagedApp(name, environment, port);
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
        RestAssured.reset();
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
        for (PackagedApp replica : new PackagedApp[] { a, b }) {
            for (int i = 0; i < 20; i++) {
                given().auth().oauth2(Tokens.of("dave")).when().post(replica.url("/api/items/1/download-url"));
            }
        }
        for (PackagedApp replica : new PackagedApp[] { a, b }) {
            var verification = given().auth().oauth2(Tokens.of("dave")).when().get(replica.url("/api/audit/verify"))
                    .then().statusCode(200).extract().jsonPath();
            assertThat(verification.getBoolean("intact")).as("audit chain as replica %s sees it", replica.port).isTrue();
            assertThat(verification.getLong("rowsChecked")).isGreaterThanOrEqualTo(40);
        }
    }
}
