package io.gatehouse.stepup;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Response;

import io.gatehouse.support.Audit;
import io.gatehouse.support.Chromium;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * "Confirm it's you" in a real browser, with the page's CSP enforced and the IdP on another origin (as it always is
 * in production): "Sign in again" posts a form whose redirects end at the IdP, which Chromium allows only if the
 * CSP's form-action names the IdP's origin. Then the user signs in again and the destructive action goes through.
 */
@QuarkusTest
@TestProfile(StepUpTest.ShortWindow.class)
class StepUpBrowserTest {

    private static final Browser browser = Chromium.shared();


    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    DataSource db;

    @Inject
    io.gatehouse.storage.S3Config config;

    @Test
    void aStaleSessionSignsInAgainAtTheIdpOnAnotherOriginAndThenRevokes() {
        String base = "http://localhost:" + port;
        URI idp = URI.create(Tokens.issuer());
        assertThat(idp.getPort()).isNotEqualTo(port);
        String prefix = Fixtures.uniquePrefix();
        long grant = Fixtures.readGrant("USER", "alice", "PREFIX", prefix);
        try (BrowserContext context = browser.newContext()) {
            Page page = context.newPage();
            page.navigate(base + "/admin/grants?resource=" + prefix);
            page.click("button[name='predefined-carol']");
            page.waitForURL(base + "/admin/grants?resource=" + prefix);
            awaitStale(page, base);

            page.navigate(base + "/admin/grants?resource=" + prefix);
            page.locator("tbody tr input[name=ids]").first().check();
            page.fill("#bulk-reason", "access no longer needed");
            page.onceDialog(dialog -> dialog.accept());
            page.click("text=Revoke ticked grants");
            page.waitForURL(url -> url.contains("/auth/step-up"));
            assertThat(page.textContent("h1")).contains("Confirm it's you");
            Response confirm = page.waitForResponse(r -> r.url().contains("/auth/step-up"), () -> page.reload());

            long completedBefore = Audit.count(db, Fixtures.ADMIN, "STEP_UP_COMPLETED", "SUCCEEDED");
            page.click("text=Sign in again");
            // The form's redirects lead to the IdP's own login page (prompt=login): the CSP let the browser go there.
            page.waitForURL(url -> url.startsWith(Tokens.issuer() + "/authorize"));
            assertThat(page.url()).contains("prompt=login").contains("max_age=4");
            // Allowed by the IdP's origin in form-action, and nothing wider.
            assertThat(confirm.headers().get("content-security-policy"))
                    .contains("form-action 'self' " + config.endpoint().map(e -> e.getScheme() + "://" + e.getAuthority()).orElseThrow()
                            + " " + idp.getScheme() + "://" + idp.getAuthority() + ";");
            page.click("button[name='predefined-carol']");
            page.waitForURL(base + "/admin/grants");
            assertThat(Audit.count(db, Fixtures.ADMIN, "STEP_UP_COMPLETED", "SUCCEEDED")).isEqualTo(completedBefore + 1);

            page.navigate(base + "/admin/grants?resource=" + prefix);
            page.locator("tbody tr input[name=ids]").first().check();
            page.fill("#bulk-reason", "access no longer needed");
            page.onceDialog(dialog -> dialog.accept());
            page.click("text=Revoke ticked grants");
            assertThat(page.textContent("[role=status]")).contains("revoked 1");
        }
        assertThat(io.restassured.RestAssured.given().auth().oauth2(Tokens.fresh(Fixtures.ADMIN))
                .get("/api/admin/grants?subject=alice").jsonPath()
                .getString("find { it.id == " + grant + " }.status")).isEqualTo("grant revoked");
    }

    /** Reloads "Confirm it's you" until it says the sign-in is too old (the profile's window is 4 s); bounded. */
    private static void awaitStale(Page page, String base) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        do {
            page.navigate(base + "/auth/step-up");
            if (page.textContent("main").contains("ago")) {
                return;
            }
            page.waitForTimeout(250); // polling interval, bounded by the deadline
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("the sign-in never went stale");
    }
}
