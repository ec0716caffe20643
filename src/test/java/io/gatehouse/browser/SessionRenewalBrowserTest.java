package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;

import io.gatehouse.support.Chromium;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Browser sessions and the IdP's short tokens (Keycloak's access tokens live 5 minutes): the embedded IdP is told to
 * issue 3-second tokens, and the test waits (on the clock, bounded) until they have expired. Then the session's next
 * request needs a refresh — which the IdP refuses once it has ended the session.
 */
@QuarkusTest
class SessionRenewalBrowserTest {

    private static final Browser browser = Chromium.shared();

    private static final String TOKEN_LIFESPAN = "gatehouse.dev-idp.token-lifespan-seconds";
    private static final String REFRESHES = "gatehouse.dev-idp.refreshes";
    private static final String SESSIONS_ENDED = "gatehouse.dev-idp.sessions-ended-at";
    private static final Locator.WaitForOptions A_MINUTE = new Locator.WaitForOptions().setTimeout(60_000);


    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @AfterEach
    void idpAsUsual() {
        System.clearProperty(TOKEN_LIFESPAN);
        System.clearProperty(SESSIONS_ENDED);
    }

    @Test
    void aSessionWhoseTokensExpiredIsRefreshedWithoutAskingTheUser() {
        System.setProperty(TOKEN_LIFESPAN, "3");
        try (BrowserContext context = browser.newContext()) {
            Page page = signedIn(context, "/catalog");
            long expired = System.currentTimeMillis() + 4_000; // issued during the sign-in, for 3 seconds
            System.clearProperty(TOKEN_LIFESPAN);
            untilTheClockPasses(page, expired);
            long before = Long.getLong(REFRESHES, 0);

            // A content call: the refreshed session is a full one (roles, permissions), not just "signed in".
            Object status = page.evaluate("async () => (await fetch('/api/uploads', "
                    + "{ headers: { 'X-Requested-With': 'JavaScript', Accept: 'application/json' } })).status");

            assertThat(status).isEqualTo(200);
            assertThat(Long.getLong(REFRESHES, 0)).as("refresh-token grants answered by the IdP").isEqualTo(before + 1);
            page.navigate(base() + "/catalog");
            assertThat(page.url()).isEqualTo(base() + "/catalog");
        }
    }

    @Test
    void whenTheIdpEndedTheSessionTheUploadPageAsksToSignInAgainAndTheUploadCarriesOn() throws Exception {
        Path file = Files.createTempDirectory("gatehouse-renewal").resolve("renewal-" + UUID.randomUUID() + ".txt");
        Files.writeString(file, "uploaded across a renewed sign-in\n");
        System.setProperty(TOKEN_LIFESPAN, "3");
        try (BrowserContext context = browser.newContext()) {
            Page page = signedIn(context, "/upload");
            long expired = System.currentTimeMillis() + 4_000; // issued during the sign-in, for 3 seconds
            // The IdP ends every session (an idle timeout, an admin's "sign out everywhere"): no refresh, no SSO.
            System.setProperty(SESSIONS_ENDED, Long.toString(System.currentTimeMillis()));
            System.clearProperty(TOKEN_LIFESPAN);
            untilTheClockPasses(page, expired);

            page.locator(".uppy-Dashboard-input").first().setInputFiles(file);
            page.click(".uppy-StatusBar-actionBtn--upload");
            page.locator("#session-ended").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE)
                    .setTimeout(60_000));
            assertThat(page.locator("#upload-results li[data-status='failed']").count()).isZero();

            Page renewal = context.waitForPage(() -> page.click("#session-ended a"));
            renewal.click("button[name='predefined-alice']");
            renewal.waitForURL(base() + "/uploads/signed-in-again");

            page.locator("#upload-results li[data-status='verified']").waitFor(A_MINUTE);
            assertThat(page.locator("#session-ended").isHidden()).isTrue();
            assertThat(page.locator("#upload-results li[data-status='failed']").count()).isZero();
        }
    }

    /** Waits (bounded) until the page's tokens have expired by the clock; nothing else is waited for. */
    private static void untilTheClockPasses(Page page, long epochMillis) {
        page.waitForFunction("t => Date.now() > t", (double) epochMillis, new Page.WaitForFunctionOptions().setTimeout(30_000));
    }

    private Page signedIn(BrowserContext context, String path) {
        Page page = context.newPage();
        page.navigate(base() + path);
        page.click("button[name='predefined-alice']");
        page.waitForURL(base() + path);
        return page;
    }

    private String base() {
        return "http://localhost:" + port;
    }
}
