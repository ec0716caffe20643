package io.gatehouse.support;

import java.util.concurrent.ConcurrentHashMap;

import io.quarkus.test.oidc.client.OidcTestClient;

/** Bearer tokens for the demo users, from the embedded OIDC provider (password grant), cached per test run. */
public final class Tokens {

    private static final OidcTestClient CLIENT = new OidcTestClient();
    private static final ConcurrentHashMap<String, String> CACHE = new ConcurrentHashMap<>();

    private Tokens() {
    }

    public static String of(String user) {
        return CACHE.computeIfAbsent(user, name -> CLIENT.getAccessToken(name, name));
    }
}
