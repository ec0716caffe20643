package io.gatehouse.grants;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.BrowserSession;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.s3.S3Client;

@QuarkusTest
class GrantConsoleTest {

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Test
    void anAdminGrantsAndRevokesInTheConsoleAndTheUserSeesItAtOnce() {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "console.txt", "c", "text/plain", "STANDARD");
        lockedBecause(item, "no_grant");

        BrowserSession carol = BrowserSession.signIn("carol");
        var created = carol.postForm("/admin/grants", "/admin/grants", Map.of("subjectType", "USER", "subject", "alice",
                "resourceType", "PREFIX", "resource", prefix, "permission", "READ", "validFor", "7d",
                "reason", "console test <script>alert(1)</script>"));
        assertThat(created.statusCode()).isEqualTo(303);
        Matcher id = Pattern.compile("created-(\\d+)").matcher(created.getHeader("Location"));
        assertThat(id.find()).isTrue();
        lockedBecause(item, null);
        given().auth().oauth2(Tokens.of("alice")).when().post("/api/items/" + item + "/download-url").then().statusCode(200);
        String detail = carol.get("/admin/grants/" + id.group(1)).asString();
        assertThat(detail).contains("Use history").contains("DOWNLOAD_URL_ISSUED").contains(prefix + "console.txt");
        assertThat(carol.get("/admin/grants/999999999").statusCode()).isEqualTo(404);
        String page = carol.get("/admin/grants?subject=alice").asString();
        assertThat(page).contains("console test &lt;script&gt;").doesNotContain("<script>alert(1)");

        var revoked = carol.postForm("/admin/grants", "/admin/grants/" + id.group(1) + "/revoke", Map.of("reason", "test over"));
        assertThat(revoked.statusCode()).isEqualTo(303);
        lockedBecause(item, "grant_revoked");
        given().auth().oauth2(Tokens.of("alice")).when().post("/api/items/" + item + "/download-url")
                .then().statusCode(403).body("code", equalTo("grant_revoked"));
    }

    @Test
    void formsWithoutTheTokenOrWithBadFieldsAreRefusedClearly() {
        BrowserSession carol = BrowserSession.signIn("carol");
        assertThat(carol.postRaw("/admin/grants", Map.of("subjectType", "USER", "subject", "x", "resourceType", "PREFIX",
                "resource", "a/", "permission", "READ", "validFor", "7d", "reason", "r")).statusCode()).isEqualTo(403);
        var invalid = carol.postForm("/admin/grants", "/admin/grants", Map.of("subjectType", "USER", "subject", "x",
                "resourceType", "PREFIX", "resource", "no-trailing-slash", "permission", "READ", "validFor", "7d", "reason", "r"));
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.asString()).contains("resource: A prefix must end with");
        assertThat(BrowserSession.signIn("alice").get("/admin/grants").statusCode()).isEqualTo(403);
    }

    private static void lockedBecause(long item, String reason) {
        var items = given().auth().oauth2(Tokens.of("alice")).queryParam("q", "").when().get("/api/items")
                .then().statusCode(200).extract().jsonPath();
        String path = "items.find { it.id == " + item + " }.lockedReason";
        assertThat(items.getString(path)).isEqualTo(reason);
    }
}
