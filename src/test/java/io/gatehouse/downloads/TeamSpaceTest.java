package io.gatehouse.downloads;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A file a team member uploads into the team space is readable by the team's members without any grant (alice and
 * erin are both in team A), by nobody else, and by nobody at all once the team turns member reading off. The
 * catalog's badge and the download's answer always agree, and the audit row names the rule that allowed the URL.
 */
@QuarkusTest
class TeamSpaceTest {

    @Inject
    DataSource db;

    @Test
    void teamMembersReadWhatTheirTeamUploadedAndNobodyElseDoes() throws Exception {
        String name = "team-notes-" + UUID.randomUUID().toString().substring(0, 8) + ".txt";
        long item = uploadAsAlice(name, "shared with the team");

        for (String member : new String[] { "alice", "erin" }) {
            assertThat(badge(member, name)).as(member + "'s catalog").isEqualTo("available");
            given().auth().oauth2(Tokens.of(member)).post("/api/items/" + item + "/download-url").then().statusCode(200);
        }
        assertThat(lastIssued("erin")).containsEntry("grant_id", null).containsEntry("rule", "team-member")
                .containsEntry("team", "team-a");
        // bob is in team B; mallory in no team.
        for (String outsider : new String[] { "bob", "mallory" }) {
            assertThat(badge(outsider, name)).as(outsider + "'s catalog").isEqualTo("no_grant");
            given().auth().oauth2(Tokens.of(outsider)).post("/api/items/" + item + "/download-url")
                    .then().statusCode(403).body("code", equalTo("no_grant"));
        }

        BrowserSession carol = BrowserSession.signIn(Fixtures.ADMIN);
        try {
            assertThat(carol.postForm("/admin/teams/team-a", "/admin/teams/team-a", teamForm(false)).statusCode()).isEqualTo(303);
            assertThat(carol.get("/admin/teams").asString()).contains("no: grants only");
            for (String member : new String[] { "alice", "erin" }) {
                assertThat(badge(member, name)).as(member + " after member reading was turned off").isEqualTo("no_grant");
                given().auth().oauth2(Tokens.of(member)).post("/api/items/" + item + "/download-url")
                        .then().statusCode(403).body("code", equalTo("no_grant"));
            }
        } finally {
            assertThat(carol.postForm("/admin/teams/team-a", "/admin/teams/team-a", teamForm(true)).statusCode()).isEqualTo(303);
        }
        assertThat(badge("erin", name)).isEqualTo("available");
    }

    private static Map<String, String> teamForm(boolean membersRead) {
        Map<String, String> form = new HashMap<>(Map.of("displayName", "Team A", "sseMode", "DEFAULT"));
        if (membersRead) {
            form.put("membersRead", "on");
        }
        return form;
    }

    /** "available", or the code of the reason the item is locked for this user. */
    private static String badge(String user, String title) {
        JsonPath page = given().auth().oauth2(Tokens.of(user)).queryParam("q", title).get("/api/items")
                .then().statusCode(200).extract().jsonPath();
        return page.getBoolean("items[0].available") ? "available" : page.getString("items[0].lockedReason");
    }

    private long uploadAsAlice(String name, String text) throws Exception {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        JsonPath started = given().auth().oauth2(Tokens.of("alice")).contentType(ContentType.JSON)
                .body(Map.of("filename", name, "size", body.length, "contentType", "text/plain", "sha256", sha))
                .post("/api/uploads").then().statusCode(201).extract().jsonPath();
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(started.getString("put.url")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        started.<String, String>getMap("put.headers").forEach(put::header);
        assertThat(HttpClient.newHttpClient().send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        return given().auth().oauth2(Tokens.of("alice")).post("/api/uploads/" + started.getString("id") + "/complete")
                .then().statusCode(200).extract().jsonPath().getLong("itemId");
    }

    private Map<String, Object> lastIssued(String user) throws Exception {
        try (var connection = db.getConnection(); var select = connection.prepareStatement("""
                SELECT grant_id, details->>'rule', details->>'team' FROM audit_event
                WHERE actor = ? AND action = 'DOWNLOAD_URL_ISSUED' ORDER BY id DESC LIMIT 1""")) {
            select.setString(1, user);
            var rows = select.executeQuery();
            assertThat(rows.next()).isTrue();
            Map<String, Object> row = new HashMap<>();
            row.put("grant_id", rows.getObject(1));
            row.put("rule", rows.getString(2));
            row.put("team", rows.getString(3));
            return row;
        }
    }
}
