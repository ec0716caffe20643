package io.gatehouse.support;

import java.nio.file.Path;
import java.util.List;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;

/**
 * Debian's Chromium driven by Playwright (never a browser Playwright downloads): headless, with the flags this
 * machine's closed network needs. One per test JVM ({@link #shared}), closed when the JVM ends: every browser test
 * opens its own context (cookies, storage) in it.
 */
public final class Chromium {

    private final Playwright playwright;
    private final Browser browser;

    private Chromium() {
        playwright = Playwright.create();
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(Path.of(System.getProperty("gatehouse.chromium", "/usr/bin/chromium")))
                .setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync")));
    }

    private static Chromium shared;

    /** The test JVM's browser, launched on first use. */
    public static synchronized Browser shared() {
        if (shared == null) {
            shared = new Chromium();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared.browser;
    }

    private void close() {
        browser.close();
        playwright.close();
    }
}
