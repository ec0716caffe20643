package io.gatehouse.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Bearer tokens for the demo users from the embedded OIDC provider, obtained the way a browser-based client gets
 * them: the authorization-code flow through the provider's login page, so they carry {@code auth_time} like a
 * real sign-in. Cached briefly per provider and client (a test profile restarts the app on new ports and keys).
 */
public final class Tokens {

    public static final String CLIENT_SECRET = "gatehouse-dev-secret";
    private static final Duration REUSE = Duration.ofMinutes(2);
    private static final String REDIRECT = "http://localhost/test-callback";
    private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern CODE = Pattern.compile("[?&]code=([^&]+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private record Cached(String token, Instant until) {
    }

    private static final ConcurrentHashMap<String, Cached> CACHE = new ConcurrentHashMap<>();

    private Tokens() {
    }

    /** A token for Gatehouse's own client, signed in within the last two minutes. */
    public static String of(String user) {
        String client = clientId();
        String key = issuer() + " " + client + " " + user;
        Cached cached = CACHE.get(key);
        if (cached == null || cached.until().isBefore(Instant.now())) {
            cached = new Cached(codeFlow(client, CLIENT_SECRET, user), Instant.now().plus(REUSE));
            CACHE.put(key, cached);
        }
        return cached.token();
    }

    /** A token from a sign-in just now: for actions that need a recent sign-in (step-up), whatever ran before. */
    public static String fresh(String user) {
        return codeFlow(clientId(), CLIENT_SECRET, user);
    }

    /** A token the same IdP issued to another of its clients (another audience, or none). */
    public static String forClient(String clientId, String secret, String user) {
        return codeFlow(clientId, secret, user);
    }

    /** A token from the password (direct access) grant: no browser sign-in, so no {@code auth_time}. */
    public static String passwordGrant(String user) {
        return accessToken(post("/token", Map.of("grant_type", "password", "username", user, "password", user,
                "scope", "openid"), clientId(), CLIENT_SECRET));
    }

    /**
     * The app's IdP: for the packaged-app tests the one their stack started (the test JVM's own config must not be
     * asked there: it would start the embedded default), else the running test app's.
     */
    public static String issuer() {
        String packaged = System.getProperty("gatehouse.test.issuer");
        return packaged != null ? packaged : ConfigProvider.getConfig().getValue("quarkus.oidc.auth-server-url", String.class);
    }

    private static String clientId() {
        return System.getProperty("gatehouse.test.issuer") != null ? "gatehouse"
                : ConfigProvider.getConfig().getValue("quarkus.oidc.client-id", String.class);
    }

    private static String codeFlow(String clientId, String secret, String user) {
        String query = form(Map.of("response_type", "code", "client_id", clientId, "redirect_uri", REDIRECT,
                "scope", "openid profile", "state", "test"));
        send(HttpRequest.newBuilder(URI.create(issuer() + "/authorize?" + query)).GET().build());
        HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(issuer() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("client_id", clientId, "redirect_uri", REDIRECT,
                        "scope", "openid profile", "state", "test", "predefined-" + user, user))))
                .build());
        Matcher code = CODE.matcher(login.headers().firstValue("Location").orElse(""));
        if (login.statusCode() != 302 || !code.find()) {
            throw new IllegalStateException("the IdP did not sign " + user + " in: " + login.statusCode() + " " + login.body());
        }
        return accessToken(post("/token", Map.of("grant_type", "authorization_code", "code", code.group(1),
                "redirect_uri", REDIRECT), clientId, secret));
    }

    private static HttpResponse<String> post(String path, Map<String, String> fields, String clientId, String secret) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(issuer() + path))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(form(fields))).build());
    }

    private static String accessToken(HttpResponse<String> response) {
        Matcher token = ACCESS_TOKEN.matcher(response.body());
        if (response.statusCode() != 200 || !token.find()) {
            throw new IllegalStateException("no token from the IdP: " + response.statusCode() + " " + response.body());
        }
        return token.group(1);
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the IdP is unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String form(Map<String, String> fields) {
        return new LinkedHashMap<>(fields).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }
}
