package io.gatehouse.support;

import org.eclipse.microprofile.config.ConfigProvider;

/** The management interface (health, metrics, OpenAPI) of the app under test: a port of its own, never the app's. */
public final class Management {

    private Management() {
    }

    /** The value of the first metrics series starting with these characters; 0 before it was ever counted. */
    public static double meter(String series) {
        return io.restassured.RestAssured.given().when().get(url("/q/metrics")).then().statusCode(200).extract().asString()
                .lines().filter(line -> line.startsWith(series))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    public static String url(String path) {
        int port = ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001);
        return "http://localhost:" + port + path;
    }
}
