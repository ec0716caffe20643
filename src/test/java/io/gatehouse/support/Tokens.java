package io.gatehouse.support;

import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.test.oidc.client.OidcTestClient;

/**
 * Bearer tokens for the demo users, from the embedded OIDC provider (password grant), cached per provider: a test
 * profile restarts the app and with it the provider (new port, new keys), so tokens follow the current one.
 */
public final class Tokens {

    private static final ConcurrentHashMap<String, String> CACHE = new ConcurrentHashMap<>();
    private static volatile String provider;
    private static volatile OidcTestClient client;

    private Tokens() {
    }

    public static String of(String user) {
        OidcTestClient current = client();
        return CACHE.computeIfAbsent(provider + " " + user, key -> current.getAccessToken(user, user));
    }

    /** A token issued just now: for actions that need a recent sign-in (step-up), whatever ran before. */
    public static String fresh(String user) {
        return client().getAccessToken(user, user);
    }

    private static synchronized OidcTestClient client() {
        String url = ConfigProvider.getConfig().getValue("quarkus.oidc.auth-server-url", String.class);
        if (!url.equals(provider)) {
            if (client != null) {
                client.close();
            }
            client = new OidcTestClient();
            provider = url;
        }
        return client;
    }
}
