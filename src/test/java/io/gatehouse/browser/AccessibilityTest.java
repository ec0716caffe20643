package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Chromium;
import io.gatehouse.support.Fixtures;
import io.quarkus.test.junit.QuarkusTest;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Every page, as the people who use it see it, checked by axe-core against WCAG 2 A and AA in Chromium: any
 * violation fails, so the pages still to come stay accessible too. (The CSP is bypassed for the check only: axe is
 * injected as an inline script; the CSP itself is tested elsewhere.)
 */
@QuarkusTest
class AccessibilityTest {

    private static final Browser browser = Chromium.shared();

    private static final Path AXE = Path.of("frontend/node_modules/axe-core/axe.min.js");

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    @Test
    void everyPageMeetsWcag2AAForThePeopleWhoUseIt() {
        String prefix = Fixtures.uniquePrefix();
        Fixtures.item(s3, config.bucket(), prefix + "a11y.txt", "checked", "text/plain", "STANDARD");
        long grant = Fixtures.readGrant("USER", "alice", "PREFIX", prefix);
        Map<String, List<String>> pagesByUser = Map.of(
                "alice", List.of("/", "/catalog", "/downloads", "/upload", "/uploads", "/auth/step-up", "/no-such-page"),
                "carol", List.of("/admin/grants", "/admin/grants/" + grant, "/admin/grants/import", "/admin/teams",
                        "/admin/teams/team-a", "/admin/dashboard", "/admin/bucket", "/admin/bucket/cors", "/admin/posture",
                        "/admin/access-points", "/admin/teams/team-a/access-point"),
                "dave", List.of("/audit", "/audit/1"));
        List<String> violations = new ArrayList<>();
        for (var entry : pagesByUser.entrySet()) {
            try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setBypassCSP(true))) {
                Page page = context.newPage();
                String base = "http://localhost:" + port;
                page.navigate(base + entry.getValue().get(0));
                page.click("button[name='predefined-" + entry.getKey() + "']");
                page.waitForURL(url -> url.startsWith(base));
                for (String path : entry.getValue()) {
                    page.navigate(base + path);
                    violations.addAll(check(page, entry.getKey() + " " + path));
                }
            }
        }
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setBypassCSP(true))) {
            Page page = context.newPage();
            page.navigate("http://localhost:" + port + "/signed-out");
            violations.addAll(check(page, "anyone /signed-out"));
        }
        assertThat(violations).as("WCAG 2 A/AA violations (axe-core)").isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static List<String> check(Page page, String where) {
        page.waitForLoadState();
        page.addScriptTag(new Page.AddScriptTagOptions().setPath(AXE));
        List<Map<String, Object>> found = (List<Map<String, Object>>) page.evaluate("""
                async () => (await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } }))
                    .violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ') }))""");
        return found.stream().map(v -> where + ": " + v.get("id") + " (" + v.get("impact") + ") " + v.get("help") + " at "
                + v.get("targets")).toList();
    }
}
