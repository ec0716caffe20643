package io.gatehouse.audit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Whoever holds the database owner's login rewrites history and re-seals the whole chain, so that the chain alone
 * verifies as intact: the anchor in the store, signed with a key the database never saw, still tells. A profile of
 * its own: this test leaves the trail tampered with.
 */
@QuarkusTest
@TestProfile(AuditAnchorTest.OwnTrail.class)
class AuditAnchorTest {

    public static class OwnTrail implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gatehouse.audit.anchors.prefix", ".gatehouse/audit-anchors-test/");
        }
    }

    @Inject
    AuditAnchors anchors;

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @Test
    void aRewrittenAndResealedChainOrRemovedRowsAreFoundByTheAnchorAndAForgedAnchorIsRefused() throws Exception {
        // A row after whatever the scheduled run anchored at start: a refusal is on record.
        given().auth().oauth2(Tokens.of("alice")).get("/api/admin/grants").then().statusCode(403);
        AuditAnchors.Anchor anchor = anchors.anchor().orElseThrow();
        given().auth().oauth2(Tokens.of("dave")).get("/api/audit/verify").then().statusCode(200)
                .body("intact", equalTo(true)).body("anchoredSeq", equalTo((int) anchor.seq()))
                .body("anchor", containsString("matches"));

        // An anchor for a later position that Gatehouse did not sign: refused, and it hides nothing.
        String forged = ".gatehouse/audit-anchors-test/" + String.format("%019d", Long.MAX_VALUE - anchor.seq() - 1000) + ".json";
        s3.putObject(put -> put.bucket(config.bucket()).key(forged), RequestBody.fromString("{\"seq\":" + (anchor.seq() + 1000)
                + ",\"hash\":\"00\",\"at\":\"2026-01-01T00:00:00Z\",\"mac\":\"" + "0".repeat(64) + "\"}", StandardCharsets.UTF_8));
        given().auth().oauth2(Tokens.of("dave")).get("/api/audit/verify").then().statusCode(200)
                .body("intact", equalTo(false)).body("anchoredSeq", equalTo((int) anchor.seq()))
                .body("anchor", containsString("not signed with Gatehouse's anchor key"));
        s3.deleteObject(delete -> delete.bucket(config.bucket()).key(forged));

        try (var connection = owner(); var statement = connection.createStatement()) {
            // The owner switches the append-only trigger off, rewrites the first row and seals everything again.
            statement.execute("SET session_replication_role = replica");
            statement.execute("UPDATE audit_event SET actor = 'someone-else' WHERE id = (SELECT event_id FROM audit_seal "
                    + "WHERE chain_seq = 1)");
            statement.execute("DELETE FROM audit_seal");
            statement.execute("INSERT INTO audit_unsealed SELECT id FROM audit_event ON CONFLICT DO NOTHING");
            statement.execute("SELECT audit_event_seal(2147483647)");
        }
        given().auth().oauth2(Tokens.of("dave")).get("/api/audit/verify").then().statusCode(200)
                .body("firstBrokenId", nullValue()).body("intact", equalTo(false))
                .body("anchor", containsString("were changed and the chain re-sealed"));

        try (var connection = owner(); var statement = connection.createStatement()) {
            statement.execute("SET session_replication_role = replica");
            statement.execute("DELETE FROM audit_event WHERE id IN (SELECT event_id FROM audit_seal WHERE chain_seq >= "
                    + anchor.seq() + ")");
            statement.execute("DELETE FROM audit_seal WHERE chain_seq >= " + anchor.seq());
        }
        given().auth().oauth2(Tokens.of("dave")).get("/api/audit/verify").then().statusCode(200)
                .body("intact", equalTo(false)).body("anchor", containsString("rows were removed"));
    }

    @Test
    void anAnchorIsSignedOverItsPositionHashAndTime() {
        AuditAnchors.Anchor anchor = new AuditAnchors.Anchor(7, "ab", java.time.Instant.parse("2026-12-02T10:00:00Z"), null);
        String mac = AuditAnchors.mac("k", anchor);
        assertThat(mac).hasSize(64).isNotEqualTo(AuditAnchors.mac("other key", anchor))
                .isNotEqualTo(AuditAnchors.mac("k", new AuditAnchors.Anchor(8, "ab", anchor.at(), null)))
                .isNotEqualTo(AuditAnchors.mac("k", new AuditAnchors.Anchor(7, "ac", anchor.at(), null)));
    }

    private java.sql.Connection owner() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(jdbcUrl.substring(0, jdbcUrl.lastIndexOf('/') + 1) + "gatehouse",
                "postgres", "postgres");
    }
}
