package io.gatehouse.catalog;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.s3.S3Client;

@QuarkusTest
class CatalogTest {

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Test
    void eachItemSaysWhetherItIsAvailableOrWhyItIsLocked() {
        String prefix = Fixtures.uniquePrefix();
        long mine = Fixtures.item(s3, config.bucket(), prefix + "mine.txt", "m", "text/plain", "STANDARD");
        long premium = Fixtures.item(s3, config.bucket(), prefix + "premium.txt", "p", "text/plain", "PREMIUM");
        long other = Fixtures.item(s3, config.bucket(), prefix + "other.txt", "o", "text/plain", "STANDARD");
        Fixtures.readGrant("TEAM", "team-a", "OBJECT", prefix + "mine.txt");
        Fixtures.readGrant("TEAM", "team-a", "OBJECT", prefix + "premium.txt");
        Fixtures.revoke(Fixtures.readGrant("USER", "alice", "OBJECT", prefix + "other.txt"));

        JsonPath page = given().auth().oauth2(Tokens.of("alice")).queryParam("q", prefix)
                .when().get("/api/items").then().statusCode(200).extract().jsonPath();

        assertThat(page.getList("items.id", Long.class)).containsExactly(other, premium, mine);
        assertThat(page.getBoolean("items.find { it.id == " + mine + " }.available")).isTrue();
        assertThat(page.getString("items.find { it.id == " + premium + " }.lockedReason")).isEqualTo("premium_required");
        assertThat(page.getString("items.find { it.id == " + other + " }.lockedReason")).isEqualTo("grant_revoked");
    }

    /**
     * The badge and the button cannot disagree: for an item in every state, the catalog's "available / locked: why"
     * is exactly what asking for its download URL then answers. The grant ending in under a second is the case the
     * catalog once called available while the download refused it (no URL may live less than a second); whether the
     * check runs before or after it ends, both must say grant_expired.
     */
    @Test
    void theCatalogBadgeAndTheDownloadAnswerAgreeForEveryState() {
        String prefix = Fixtures.uniquePrefix();
        Instant now = Instant.now();
        Map<String, Long> items = new LinkedHashMap<>();
        for (String name : List.of("granted", "premium", "ungranted", "revoked", "used-up", "not-yet", "ending")) {
            items.put(name, Fixtures.item(s3, config.bucket(), prefix + name + ".txt", name, "text/plain",
                    name.equals("premium") ? "PREMIUM" : "STANDARD"));
        }
        Fixtures.readGrant("USER", "alice", "OBJECT", prefix + "granted.txt");
        Fixtures.readGrant("USER", "alice", "OBJECT", prefix + "premium.txt");
        Fixtures.revoke(Fixtures.readGrant("USER", "alice", "OBJECT", prefix + "revoked.txt"));
        Fixtures.grant("USER", "alice", "OBJECT", prefix + "used-up.txt", now.minusSeconds(60), now.plusSeconds(3600), 1);
        given().auth().oauth2(Tokens.of("alice")).post("/api/items/" + items.get("used-up") + "/download-url")
                .then().statusCode(200);
        Fixtures.grant("USER", "alice", "OBJECT", prefix + "not-yet.txt", now.plusSeconds(3600), now.plusSeconds(7200), null);
        Fixtures.grant("USER", "alice", "OBJECT", prefix + "ending.txt", now.minusSeconds(60), Instant.now().plusMillis(900), null);

        JsonPath page = given().auth().oauth2(Tokens.of("alice")).queryParam("q", prefix)
                .when().get("/api/items").then().statusCode(200).extract().jsonPath();

        Map<String, String> badges = new LinkedHashMap<>();
        Map<String, String> answers = new LinkedHashMap<>();
        items.forEach((name, id) -> {
            String item = "items.find { it.id == " + id + " }";
            badges.put(name, page.getBoolean(item + ".available") ? "available" : page.getString(item + ".lockedReason"));
            var answer = given().auth().oauth2(Tokens.of("alice")).post("/api/items/" + id + "/download-url")
                    .then().extract();
            answers.put(name, answer.statusCode() == 200 ? "available" : answer.statusCode() + " " + answer.path("code"));
        });

        assertThat(badges).containsExactlyInAnyOrderEntriesOf(Map.of("granted", "available", "premium", "premium_required",
                "ungranted", "no_grant", "revoked", "grant_revoked", "used-up", "grant_used_up",
                "not-yet", "grant_not_yet_valid", "ending", "grant_expired"));
        badges.forEach((name, badge) -> assertThat(answers.get(name)).as(name)
                .isEqualTo(badge.equals("available") ? "available" : "403 " + badge));
    }

    @Test
    void searchIsByTitleAndPagesFollowEachOtherWithoutGapsOrRepeats() {
        String prefix = Fixtures.uniquePrefix();
        for (int i = 0; i < 55; i++) {
            Fixtures.item(s3, config.bucket(), prefix + "page-" + i + ".txt", "x", "text/plain", "STANDARD");
        }
        JsonPath first = given().auth().oauth2(Tokens.of("bob")).queryParam("q", prefix)
                .when().get("/api/items").then().statusCode(200).extract().jsonPath();
        List<Long> firstIds = first.getList("items.id", Long.class);
        assertThat(firstIds).hasSize(50);
        JsonPath second = given().auth().oauth2(Tokens.of("bob")).queryParam("q", prefix)
                .queryParam("after", first.getLong("nextAfter"))
                .when().get("/api/items").then().statusCode(200).extract().jsonPath();
        List<Long> secondIds = second.getList("items.id", Long.class);
        assertThat(secondIds).hasSize(5).doesNotContainAnyElementsOf(firstIds);
        assertThat(second.getString("nextAfter")).isNull();

        given().auth().oauth2(Tokens.of("bob")).queryParam("q", "no such title " + UUID.randomUUID())
                .when().get("/api/items").then().statusCode(200).body("items.size()", equalTo(0));
        given().auth().oauth2(Tokens.of("bob")).queryParam("after", "not-a-number")
                .when().get("/api/items").then().statusCode(400).body("field", equalTo("id"));
    }

    @Test
    void theCatalogPageShowsButtonsOnlyForAvailableItemsAndEscapesTitles() {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "<script>.txt", "s", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "alice", "PREFIX", prefix);
        BrowserSession alice = BrowserSession.signIn("alice");

        var page = alice.get("/catalog?q=" + prefix);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.getHeader("Cache-Control")).isEqualTo("no-store");
        String html = page.asString();
        assertThat(html).contains("action=\"/items/" + item + "/download\"");
        assertThat(html).contains("&lt;script&gt;.txt").doesNotContain("<script>.txt");

        BrowserSession mallory = BrowserSession.signIn("mallory");
        String locked = mallory.get("/catalog?q=" + prefix).asString();
        assertThat(locked).doesNotContain("action=\"/items/" + item + "/download\"").contains("locked: no grant");
    }

    @Test
    void myDownloadsListsWhatIWasIssued() {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "listed.txt", "l", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "bob", "PREFIX", prefix);
        given().auth().oauth2(Tokens.of("bob")).when().post("/api/items/" + item + "/download-url").then().statusCode(200);

        BrowserSession bob = BrowserSession.signIn("bob");
        bob.get("/downloads").then().statusCode(200).body(containsString(prefix + "listed.txt"));
        BrowserSession carol = BrowserSession.signIn("carol");
        carol.get("/downloads").then().statusCode(200).body(not(containsString(prefix + "listed.txt")));
    }

    @Test
    void anAdminDeletesAnItemAndItsObjectWithAReason() {
        String prefix = Fixtures.uniquePrefix();
        long viaApi = Fixtures.item(s3, config.bucket(), prefix + "old.txt", "old", "text/plain", "STANDARD");
        long viaPage = Fixtures.item(s3, config.bucket(), prefix + "older.txt", "older", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "alice", "PREFIX", prefix);

        given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).contentType("application/json").body("{}")
                .post("/api/admin/items/" + viaApi + "/delete").then().statusCode(400).body("field", equalTo("reason"));
        given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).contentType("application/json").body("{\"reason\":\"outdated\"}")
                .post("/api/admin/items/" + viaApi + "/delete").then().statusCode(200).body("key", equalTo(prefix + "old.txt"));
        assertThat(Fixtures.objectExists(s3, config.bucket(), prefix + "old.txt")).isFalse();
        given().auth().oauth2(Tokens.of("alice")).post("/api/items/" + viaApi + "/download-url").then().statusCode(404);
        given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN)).contentType("application/json").body("{\"reason\":\"again\"}")
                .post("/api/admin/items/" + viaApi + "/delete").then().statusCode(404);

        BrowserSession carol = BrowserSession.signIn(Fixtures.ADMIN);
        String page = carol.get("/catalog?q=" + prefix.substring(6, 14)).asString();
        var deleted = carol.postForm("/catalog", "/admin/items/" + viaPage + "/delete", java.util.Map.of("reason", "replaced"));
        assertThat(deleted.statusCode()).isEqualTo(303);
        assertThat(deleted.getHeader("Location")).contains("/catalog?notice=deleted");
        assertThat(Fixtures.objectExists(s3, config.bucket(), prefix + "older.txt")).isFalse();
        given().auth().oauth2(Tokens.of("alice")).get("/api/items?q=" + prefix.substring(6, 14)).then()
                .body("items.id", not(org.hamcrest.Matchers.hasItem((int) viaPage)));
        assertThat(page).contains("/admin/items/" + viaPage + "/delete").contains("Grant access to this item");
        assertThat(BrowserSession.signIn("alice").get("/catalog").asString()).doesNotContain("/delete");
        // Someone who is not an admin cannot delete.
        given().auth().oauth2(Tokens.fresh("alice")).contentType("application/json").body("{\"reason\":\"mine\"}")
                .post("/api/admin/items/" + viaPage + "/delete").then().statusCode(403);
    }
}
