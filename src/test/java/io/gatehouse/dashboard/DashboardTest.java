package io.gatehouse.dashboard;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.s3.S3Client;

@QuarkusTest
class DashboardTest {

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Test
    void adminsSeeTodaysFiguresAsChartsAndTablesOthersAreRefused() {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "<b>counted</b>.txt", "d", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "bob", "PREFIX", prefix);
        long before = given().auth().oauth2(Tokens.of("carol")).get("/api/admin/dashboard").then().statusCode(200)
                .extract().jsonPath().getLong("urlsPerDay[-1].count");
        given().auth().oauth2(Tokens.of("bob")).post("/api/items/" + item + "/download-url").then().statusCode(200);

        var figures = given().auth().oauth2(Tokens.of("carol")).get("/api/admin/dashboard").then().statusCode(200)
                .body("urlsPerDay.size()", equalTo(14)).extract().jsonPath();
        assertThat(figures.getLong("urlsPerDay[-1].count")).isEqualTo(before + 1);

        String page = given().auth().oauth2(Tokens.of("carol")).accept("text/html").get("/admin/dashboard")
                .then().statusCode(200).body(containsString("<canvas id=\"urls-chart\""))
                .body(containsString("/assets/dashboard.js")).extract().asString();
        String embedded = page.substring(page.indexOf("id=\"figures\">"), page.indexOf("</script>", page.indexOf("id=\"figures\">")));
        assertThat(embedded).doesNotContain("<b>").contains("\\u003cb>counted");
        given().auth().oauth2(Tokens.of("alice")).accept("text/html").get("/admin/dashboard").then().statusCode(403);
        given().auth().oauth2(Tokens.of("dave")).get("/api/admin/dashboard").then().statusCode(403);
    }

    @Test
    void denialsAreCountedByCodeAndShownByLabel() {
        String prefix = Fixtures.uniquePrefix();
        long item = Fixtures.item(s3, config.bucket(), prefix + "locked.txt", "d", "text/plain", "STANDARD");
        given().auth().oauth2(Tokens.of("mallory")).post("/api/items/" + item + "/download-url").then().statusCode(403);
        // A role denial ("role") and a step-up denial are codes too; every reason on the dashboard is one.
        given().auth().oauth2(Tokens.of("alice")).get("/api/admin/teams").then().statusCode(403);

        var denials = given().auth().oauth2(Tokens.of("carol")).get("/api/admin/dashboard").then().statusCode(200)
                .extract().jsonPath();
        java.util.List<String> reasons = denials.getList("denialsPerDay.reason");
        assertThat(reasons).contains("no_grant", "role").allMatch(reason -> reason.matches("[a-z_]+"));
        assertThat(denials.getList("denialsPerDay.label", String.class)).contains("no grant", "role not allowed");
        String page = given().auth().oauth2(Tokens.of("carol")).accept("text/html").get("/admin/dashboard").asString();
        assertThat(page).contains("<td title=\"no_grant\">no grant</td>");
    }
}
