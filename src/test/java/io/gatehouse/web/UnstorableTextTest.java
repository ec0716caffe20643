package io.gatehouse.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * Text PostgreSQL cannot store (a NUL, an unpaired surrogate) is the caller's mistake wherever it arrives: a 400
 * naming the field, never "could not record this request", and nothing written.
 */
@QuarkusTest
class UnstorableTextTest {

    @Inject
    DataSource db;

    @Test
    void queryParametersWithANulAreRefusedNamingTheParameter() {
        given().auth().oauth2(Tokens.of("alice")).urlEncodingEnabled(false).get("/api/items?q=a%00b")
                .then().statusCode(400).body("field", equalTo("q")).body("message", containsString("NUL"));
        for (String filter : new String[] { "actor", "action", "resource", "outcome" }) {
            given().auth().oauth2(Tokens.of("dave")).urlEncodingEnabled(false).get("/api/audit?" + filter + "=x%00")
                    .then().statusCode(400).body("field", equalTo(filter));
        }
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).urlEncodingEnabled(false).get("/admin/grants?subject=%00").then()
                .statusCode(400);
        // A page says so in HTML.
        given().auth().oauth2(Tokens.of("alice")).accept("text/html").urlEncodingEnabled(false).get("/catalog?q=%00")
                .then().statusCode(400).contentType(containsString("text/html")).body(containsString("NUL"));
    }

    @Test
    void pathParametersWithANulAreRefused() {
        // A team slug is looked up as it stands: without the check, PostgreSQL refuses the query.
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).accept("text/html").urlEncodingEnabled(false).get("/admin/teams/a%00b")
                .then().statusCode(400).body(containsString("NUL"));
    }

    @Test
    void jsonFieldsWithANulOrALoneSurrogateAreRefusedAndNothingIsWritten() {
        long grants = count("SELECT count(*) FROM access_grant");
        Instant now = Instant.now();
        for (String reason : new String[] { "because\u0000", "half \uD800 a pair" }) {
            given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType(ContentType.JSON)
                    .body(Map.of("subjectType", "USER", "subject", "alice", "resourceType", "PREFIX",
                            "resource", Fixtures.uniquePrefix(), "permission", "READ", "validFrom", now.toString(),
                            "validUntil", now.plusSeconds(3600).toString(), "reason", reason))
                    .post("/api/admin/grants").then().statusCode(400).body("field", equalTo("reason"))
                    .body("code", equalTo("invalid_request"));
        }
        assertThat(count("SELECT count(*) FROM access_grant")).isEqualTo(grants);
    }

    @Test
    void formFieldsAndCsvCellsWithANulAreRefusedAndNothingIsWritten() {
        long grants = count("SELECT count(*) FROM access_grant");
        BrowserSession carol = BrowserSession.signIn(Fixtures.ADMIN);
        var refused = carol.postForm("/admin/grants", "/admin/grants", Map.of("subjectType", "USER", "subject", "alice",
                "resourceType", "PREFIX", "resource", Fixtures.uniquePrefix(), "permission", "READ", "validFor", "1d",
                "reason", "nul\u0000here"));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.asString()).contains("reason").contains("NUL");

        String csv = "subject_type,subject,resource_type,resource,permission,valid_from,valid_until,max_uses,reason\n"
                + "USER,alice,PREFIX," + Fixtures.uniquePrefix() + ",READ,,2030-01-01,,bad\u0000cell\n";
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType("text/csv").body(csv).post("/api/admin/grants/import")
                .then().statusCode(422).body(containsString("NUL"));
        assertThat(count("SELECT count(*) FROM access_grant")).isEqualTo(grants);
    }

    private long count(String sql) {
        return Fixtures.number(db, sql);
    }
}
