package io.gatehouse.grants;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gatehouse.support.Audit;
import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

@QuarkusTest
class GrantImportTest {

    private static final String HEADER = "subject_type,subject,resource_type,resource,permission,valid_from,valid_until,max_uses,reason\n";

    @Inject
    DataSource db;

    /** Users become known to the directory when they use Gatehouse once. */
    @BeforeEach
    void aliceAndBobHaveSignedIn() {
        given().auth().oauth2(Tokens.of("alice")).get("/api/me").then().statusCode(200);
        given().auth().oauth2(Tokens.of("bob")).get("/api/me").then().statusCode(200);
    }

    @Test
    void aDryRunReportsEveryRowAndWritesNothingThenTheImportWritesAll() {
        String prefix = Fixtures.uniquePrefix();
        String until = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        String csv = HEADER
                + "USER,alice,PREFIX," + prefix + "a/,READ,," + until + ",5,\"quarterly, report\"\n"
                + "team,team-b,OBJECT," + prefix + "b.txt,read,2026-01-01," + until + ",,team access\r\n";
        JsonPath dryRun = post(csv, true, 200);
        assertThat(dryRun.getList("rows.line", Integer.class)).containsExactly(2, 3);
        assertThat(dryRun.getBoolean("imported")).isFalse();
        assertThat(grantsUnder(prefix)).isZero();

        long importsBefore = Audit.count(db, Fixtures.ADMIN, "GRANTS_IMPORTED", "SUCCEEDED");
        JsonPath imported = post(csv, false, 201);
        assertThat(imported.getList("rows.grantId")).hasSize(2).doesNotContainNull();
        assertThat(grantsUnder(prefix)).isEqualTo(2);
        assertThat(Audit.count(db, Fixtures.ADMIN, "GRANTS_IMPORTED", "SUCCEEDED")).isEqualTo(importsBefore + 1);
        given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).get("/api/admin/grants?subject=alice").then()
                .body("find { it.resource == '" + prefix + "a/' }.reason", org.hamcrest.Matchers.equalTo("quarterly, report"))
                .body("find { it.resource == '" + prefix + "a/' }.maxUses", org.hamcrest.Matchers.equalTo(5));

        // The same file again overlaps the grants it just created: refused, nothing written.
        JsonPath again = post(csv, false, 422);
        assertThat(again.getList("rows.problems.message.flatten()", String.class)).allMatch(m -> m.startsWith("Overlaps grant "));
        assertThat(grantsUnder(prefix)).isEqualTo(2);
    }

    @Test
    void oneBadRowAndTheWholeFileIsRefusedWithAReportPerRow() {
        String prefix = Fixtures.uniquePrefix();
        String csv = HEADER
                + "USER,alice,PREFIX," + prefix + ",READ,,2030-01-01,,valid row\n"
                + "USER,nobody-ever-" + prefix.hashCode() + ",PREFIX," + prefix + ",READ,,2030-01-01,,unknown user\n"
                + "TEAM,no-such-team,PREFIX," + prefix + ",READ,,2030-01-01,,unknown team\n"
                + "USER,bob,PREFIX," + prefix + ",READ,2030-01-01,2029-01-01,,inverted window\n"
                + "USER,bob,OBJECT," + prefix + "x.txt,READ,2029-01-01,2029-06-01,,first of two\n"
                + "USER,bob,OBJECT," + prefix + "x.txt,READ,2029-05-01,2029-09-01,,overlaps the row above\n"
                + "USER,bob,PREFIX," + prefix + "no-slash,DELETE,,someday,0,\n"
                + "USER,bob,PREFIX\n";
        JsonPath report = post(csv, false, 422);
        assertThat(report.getBoolean("imported")).isFalse();
        assertThat(problems(report, 2)).isEmpty();
        assertThat(problems(report, 3)).containsExactly("subject: Unknown user \"nobody-ever-" + prefix.hashCode()
                + "\": nobody with this id has signed in to Gatehouse.");
        assertThat(problems(report, 4)).singleElement().asString().startsWith("subject: There is no team \"no-such-team\"");
        assertThat(problems(report, 5)).containsExactly("validUntil: The grant must end after it starts.");
        assertThat(problems(report, 6)).isEmpty();
        assertThat(problems(report, 7)).containsExactly("valid_from: Overlaps the window of line 6 for the same subject and resource.");
        assertThat(problems(report, 8)).extracting(p -> p.substring(0, p.indexOf(':'))).containsExactlyInAnyOrder("permission",
                "valid_until", "max_uses", "reason");
        assertThat(problems(report, 9)).hasSizeGreaterThan(1).first().asString().contains("has 3 fields, the header 9");
        assertThat(grantsUnder(prefix)).isZero();
    }

    @Test
    void aFileWithWrongColumnsOrTooManyRowsIsRefusedAsAWhole() {
        JsonPath columns = post("subject,resource,perm\nalice,x/,READ\n", false, 422);
        assertThat(columns.getString("fileProblem")).contains("unknown: perm").contains("missing: subject_type");

        // A million rows, streamed: refused after the 10,000th with a clear message; nothing written.
        String prefix = Fixtures.uniquePrefix();
        byte[] row = ("USER,alice,PREFIX," + prefix + ",READ,,2030-01-01,,bulk\n").getBytes(StandardCharsets.UTF_8);
        InputStream million = new SequenceInputStream(new ByteArrayInputStream(HEADER.getBytes(StandardCharsets.UTF_8)),
                new InputStream() {
                    long left = 1_000_000L * row.length;

                    @Override
                    public int read() {
                        return left-- > 0 ? row[(int) ((1_000_000L * row.length - left - 1) % row.length)] : -1;
                    }
                });
        var response = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType("text/csv").body(million)
                .post("/api/admin/grants/import?dryRun=true");
        assertThat(response.statusCode()).as(response.asString()).isIn(413, 422);
        assertThat(response.asString()).contains("10000");
        assertThat(grantsUnder(prefix)).isZero();
    }

    @Test
    void theConsolePageChecksAFileThenImportsItAfterConfirmation() {
        String prefix = Fixtures.uniquePrefix();
        String csv = HEADER + "USER,alice,PREFIX," + prefix + ",READ,,2030-01-01,,<b>console</b> import\n";
        BrowserSession carol = BrowserSession.signIn(Fixtures.ADMIN);
        var checked = carol.postMultipart("/admin/grants/import", "/admin/grants/import", Map.of("action", "check"), "file",
                "grants.csv", csv.getBytes(StandardCharsets.UTF_8));
        assertThat(checked.statusCode()).isEqualTo(200);
        assertThat(checked.asString()).contains("All 1 rows are valid. Nothing has been written yet.")
                .contains("Import all 1 grants").doesNotContain("<b>console</b>");
        assertThat(grantsUnder(prefix)).isZero();

        var imported = carol.postMultipart("/admin/grants/import", "/admin/grants/import",
                Map.of("action", "import", "csv", csv), null, null, null);
        assertThat(imported.asString()).contains("Imported 1 grants");
        assertThat(grantsUnder(prefix)).isEqualTo(1);

        var noToken = given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).multiPart("csv", csv).multiPart("action", "import")
                .post("/admin/grants/import");
        assertThat(noToken.statusCode()).isEqualTo(403);
    }

    private static List<String> problems(JsonPath report, int line) {
        return report.getList("rows.find { it.line == " + line + " }.problems", Map.class).stream()
                .map(p -> (p.get("field") == null ? "" : p.get("field") + ": ") + p.get("message")).toList();
    }

    private static JsonPath post(String csv, boolean dryRun, int status) {
        return given().auth().oauth2(Tokens.of(Fixtures.ADMIN)).contentType("text/csv").body(csv)
                .post("/api/admin/grants/import?dryRun=" + dryRun)
                .then().log().ifValidationFails().statusCode(status).extract().jsonPath();
    }

    private long grantsUnder(String prefix) {
        try (var connection = db.getConnection();
                var query = connection.prepareStatement("SELECT count(*) FROM access_grant WHERE resource LIKE ?")) {
            query.setString(1, prefix + "%");
            var rows = query.executeQuery();
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
