package io.gatehouse.support;

import org.eclipse.microprofile.config.ConfigProvider;

/** The management interface (health, metrics, OpenAPI) of the app under test: a port of its own, never the app's. */
public final class Management {

    private Management() {
    }

    public static String url(String path) {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001);
        return "http://localhost:" + port + path;
    }
}
