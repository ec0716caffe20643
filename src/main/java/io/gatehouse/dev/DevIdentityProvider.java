package io.gatehouse.dev;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

import org.jboss.logging.Logger;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The embedded default's OpenID Connect provider: a small, real OIDC server on loopback with the demo users, so
 * that {@code ./mvnw quarkus:dev} and the tests sign in through the authorization-code flow and send bearer tokens
 * shaped like Keycloak's — {@code aud} and {@code azp} naming the client, {@code auth_time} on browser sign-ins
 * (none on the password grant, as Keycloak does), realm roles in {@code realm_access.roles}, teams as full group
 * paths in {@code groups}, refresh tokens, {@code prompt=login}, {@code max_age} and {@code acr_values}.
 * <p>
 * Several clients share the realm, as in any real IdP, so that a token minted for another client (another
 * audience, or none) can be tried against Gatehouse. JVM-wide switches (system properties) let tests make the key
 * endpoint stall, shorten token lifetimes and misissue ID tokens. Dev and test only: nothing here is reachable in prod.
 */
final class DevIdentityProvider {

    private static final Logger LOG = Logger.getLogger(DevIdentityProvider.class);

    /** Milliseconds the key endpoint waits before answering (tests of a stalling IdP). */
    static final String JWKS_DELAY_PROPERTY = "gatehouse.dev-idp.jwks-delay-ms";
    /** Lifetime of access and ID tokens, in seconds. */
    static final String TOKEN_LIFESPAN_PROPERTY = "gatehouse.dev-idp.token-lifespan-seconds";
    /** The JVM-wide count of key requests (see {@link #count}). */
    static final String JWKS_REQUESTS_PROPERTY = "gatehouse.dev-idp.jwks-requests";
    /** The JVM-wide count of refresh-token grants answered (a session kept alive past its token's lifetime). */
    static final String REFRESHES_PROPERTY = "gatehouse.dev-idp.refreshes";
    /** Epoch milliseconds: browser sessions signed in before it are over (no single sign-on, no refresh). */
    static final String SESSIONS_ENDED_PROPERTY = "gatehouse.dev-idp.sessions-ended-at";
    /** When set, ID tokens name this audience instead of the client (tests of a misissued sign-in). */
    static final String ID_TOKEN_AUDIENCE_PROPERTY = "gatehouse.dev-idp.id-token-audience";
    /**
     * When set, a JSON object whose members replace the access token's claims (a JSON null removes one): correctly
     * signed tokens that are expired, not yet valid, from another issuer or for nobody (tests of token attacks).
     */
    static final String ACCESS_TOKEN_CLAIMS_PROPERTY = "gatehouse.dev-idp.access-token-claims";

    static final String CLIENT_ID = "gatehouse";
    static final String CLIENT_SECRET = "gatehouse-dev-secret";
    private static final String SESSION_COOKIE = "gatehouse_dev_idp";
    private static final Duration DEFAULT_TOKEN_LIFESPAN = Duration.ofMinutes(30);
    private static final Duration CODE_LIFESPAN = Duration.ofMinutes(1);

    /** A demo user: roles become {@code realm_access.roles}, teams become groups {@code /team}. */
    record User(String name, String displayName, List<String> roles, List<String> teams) {
    }

    /** A client of the realm: who the tokens it gets are for, and how its group claim is shaped. */
    record Client(String id, String secret, List<String> audience, boolean fullGroupPaths) {
    }

    static final List<User> USERS = List.of(
            new User("alice", "Alice", List.of("user"), List.of("team-a")),
            new User("bob", "Bob", List.of("user", "premium"), List.of("team-b")),
            new User("frank", "Frank", List.of("user"), List.of("team-b")),
            new User("erin", "Erin", List.of("user"), List.of("team-a")),
            new User("carol", "Carol", List.of("user", "admin"), List.of()),
            new User("dave", "Dave", List.of("auditor"), List.of()),
            new User("mallory", "Mallory", List.of("user"), List.of()));

    static final List<Client> CLIENTS = List.of(
            new Client(CLIENT_ID, CLIENT_SECRET, List.of(CLIENT_ID), true),
            // The same portal registered with Keycloak's "full group path" off: groups arrive as bare team names.
            new Client("gatehouse-short-groups", CLIENT_SECRET, List.of("gatehouse-short-groups"), false),
            // Other applications of the same realm: their tokens are correctly signed but not meant for Gatehouse.
            new Client("reports-app", "reports-secret", List.of("reports-app"), true),
            new Client("no-audience-app", "no-audience-secret", List.of(), true));

    private record Session(User user, Instant authTime, String acr) {
    }

    private record Grant(Client client, Session session, String sid, String scope, String redirectUri, String nonce,
            String codeChallenge, String codeChallengeMethod, Instant expiresAt) {
    }

    private final SecureRandom random = new SecureRandom();
    private final RsaJsonWebKey key;
    private final HttpServer server;
    private final String issuer;
    private final List<String> allowedRedirectOrigins;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, Grant> refreshTokens = new ConcurrentHashMap<>();

    private DevIdentityProvider(int port, List<String> allowedRedirectOrigins) throws IOException, JoseException {
        this.key = RsaJwkGenerator.generateJwk(2048);
        this.key.setKeyId(randomId(8));
        this.key.setUse("sig");
        this.key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
        this.allowedRedirectOrigins = allowedRedirectOrigins;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        // Several threads: a stalled key endpoint must not hold up sign-ins.
        this.server.setExecutor(Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "dev-idp");
            thread.setDaemon(true);
            return thread;
        }));
        this.issuer = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/", this::route);
        server.start();
    }

    private static final Map<String, DevIdentityProvider> RUNNING = new ConcurrentHashMap<>();

    /** Starts a provider on loopback ({@code port} 0: any free port) and returns its issuer URL. */
    static String start(int port, List<String> allowedRedirectOrigins) {
        try {
            DevIdentityProvider provider = new DevIdentityProvider(port, allowedRedirectOrigins);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> provider.server.stop(0), "dev-idp-stop"));
            RUNNING.put(provider.issuer, provider);
            return provider.issuer;
        } catch (IOException | JoseException e) {
            throw new IllegalStateException("Could not start the embedded OIDC provider on port " + port + ": " + e.getMessage(), e);
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            switch (method + " " + path) {
                case "GET /.well-known/openid-configuration" -> json(exchange, 200, discovery());
                case "GET /keys" -> keys(exchange);
                case "GET /authorize" -> authorize(exchange, query(exchange));
                case "POST /login" -> login(exchange, form(exchange));
                case "POST /token" -> token(exchange, form(exchange));
                case "GET /userinfo" -> userInfo(exchange);
                case "GET /logout" -> logout(exchange, query(exchange));
                case "GET /" -> html(exchange, 200, "<p>Gatehouse's embedded OIDC provider (dev and test only).</p>");
                default -> json(exchange, 404, Map.of("error", "not_found"));
            }
        } catch (RuntimeException e) {
            LOG.warnf("Embedded OIDC provider failed on %s: %s", exchange.getRequestURI().getPath(), e.toString());
            json(exchange, 500, Map.of("error", "server_error"));
        }
    }

    /** Stops the provider of this issuer, as an IdP outage would (tests of what Gatehouse does without its IdP). */
    static void stop(String issuer) {
        DevIdentityProvider provider = RUNNING.remove(issuer);
        if (provider != null) {
            provider.server.stop(0);
        }
    }

    private Map<String, Object> discovery() {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("issuer", issuer);
        metadata.put("authorization_endpoint", issuer + "/authorize");
        metadata.put("token_endpoint", issuer + "/token");
        metadata.put("jwks_uri", issuer + "/keys");
        metadata.put("userinfo_endpoint", issuer + "/userinfo");
        metadata.put("end_session_endpoint", issuer + "/logout");
        metadata.put("response_types_supported", List.of("code"));
        metadata.put("subject_types_supported", List.of("public"));
        metadata.put("id_token_signing_alg_values_supported", List.of("RS256"));
        metadata.put("grant_types_supported", List.of("authorization_code", "refresh_token", "password"));
        metadata.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        metadata.put("code_challenge_methods_supported", List.of("S256", "plain"));
        metadata.put("claims_parameter_supported", false);
        // No introspection endpoint: JWTs are verified with the keys, as Gatehouse is configured to do.
        return metadata;
    }

    private void keys(HttpExchange exchange) throws IOException {
        count(JWKS_REQUESTS_PROPERTY);
        long delay = Long.getLong(JWKS_DELAY_PROPERTY, 0);
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        json(exchange, 200, Map.of("keys", List.of(key.toParams(org.jose4j.jwk.JsonWebKey.OutputControlLevel.PUBLIC_ONLY))));
    }

    private void authorize(HttpExchange exchange, Map<String, String> params) throws IOException {
        Client client = client(params.get("client_id"));
        String redirectUri = params.get("redirect_uri");
        if (client == null || !allowedRedirect(redirectUri)) {
            html(exchange, 400, "<p>Unknown client or redirect URI not allowed.</p>");
            return;
        }
        if (!"code".equals(params.get("response_type"))) {
            redirectWithError(exchange, redirectUri, params.get("state"), "unsupported_response_type");
            return;
        }
        Session session = currentSession(exchange);
        String prompt = params.getOrDefault("prompt", "");
        Long maxAge = parseLong(params.get("max_age"));
        boolean fresh = session != null && !prompt.contains("login")
                && (maxAge == null || Duration.between(session.authTime(), Instant.now()).toSeconds() <= maxAge)
                && acrSatisfies(session.acr(), params.get("acr_values"));
        if (fresh) {
            // Single sign-on: the IdP session is recent and strong enough, no login page.
            issueCode(exchange, client, session, sessionId(exchange), params);
            return;
        }
        if (prompt.contains("none")) {
            redirectWithError(exchange, redirectUri, params.get("state"), "login_required");
            return;
        }
        html(exchange, 200, loginPage(params));
    }

    private String loginPage(Map<String, String> params) {
        StringBuilder page = new StringBuilder("<!doctype html><html><head><title>Sign in</title></head><body>")
                .append("<h1>Sign in to Gatehouse (embedded demo IdP)</h1><form method='post' action='/login'>");
        for (String name : List.of("client_id", "redirect_uri", "state", "nonce", "scope", "code_challenge",
                "code_challenge_method", "acr_values")) {
            if (params.get(name) != null) {
                page.append("<input type='hidden' name='").append(name).append("' value='").append(escape(params.get(name)))
                        .append("'>");
            }
        }
        if (params.get("acr_values") != null) {
            page.append("<p><label>One-time code (any 6 digits) <input name='otp' inputmode='numeric'></label></p>");
        }
        page.append("<p>Pick a demo user (no password):</p>");
        for (User user : USERS) {
            page.append("<button name='predefined-").append(user.name()).append("' value='").append(user.name())
                    .append("' type='submit'>").append(user.name()).append("</button> ");
        }
        return page.append("</form></body></html>").toString();
    }

    private void login(HttpExchange exchange, Map<String, String> params) throws IOException {
        Client client = client(params.get("client_id"));
        String redirectUri = params.get("redirect_uri");
        User user = params.keySet().stream().filter(name -> name.startsWith("predefined-"))
                .map(name -> user(name.substring("predefined-".length()))).filter(u -> u != null).findFirst()
                .orElse(user(params.get("username")));
        if (client == null || !allowedRedirect(redirectUri) || user == null) {
            html(exchange, 400, "<p>Unknown client, redirect URI or user.</p>");
            return;
        }
        String requestedAcr = params.get("acr_values");
        boolean secondFactor = params.getOrDefault("otp", "").matches("\\d{6}");
        String acr = secondFactor && requestedAcr != null ? requestedAcr.split(" ")[0] : "1";
        Session session = new Session(user, Instant.now(), acr);
        String sid = randomId(16);
        sessions.put(sid, session);
        exchange.getResponseHeaders().add("Set-Cookie", SESSION_COOKIE + "=" + sid + "; Path=/; HttpOnly; SameSite=Lax");
        issueCode(exchange, client, session, sid, params);
    }

    private void issueCode(HttpExchange exchange, Client client, Session session, String sid, Map<String, String> params)
            throws IOException {
        String code = randomId(24);
        codes.put(code, new Grant(client, session, sid, params.getOrDefault("scope", "openid"), params.get("redirect_uri"),
                params.get("nonce"), params.get("code_challenge"), params.get("code_challenge_method"),
                Instant.now().plus(CODE_LIFESPAN)));
        StringBuilder location = new StringBuilder(params.get("redirect_uri"))
                .append(params.get("redirect_uri").contains("?") ? '&' : '?').append("code=").append(code);
        if (params.get("state") != null) {
            location.append("&state=").append(URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8));
        }
        redirect(exchange, location.toString());
    }

    private void token(HttpExchange exchange, Map<String, String> params) throws IOException {
        Client client = authenticatedClient(exchange, params);
        if (client == null) {
            json(exchange, 401, Map.of("error", "invalid_client"));
            return;
        }
        String grantType = params.getOrDefault("grant_type", "");
        Grant grant;
        switch (grantType) {
            case "authorization_code" -> {
                grant = codes.remove(params.getOrDefault("code", ""));
                if (grant == null || grant.expiresAt().isBefore(Instant.now()) || !grant.client().id().equals(client.id())
                        || !grant.redirectUri().equals(params.get("redirect_uri")) || !pkceMatches(grant, params.get("code_verifier"))) {
                    json(exchange, 400, Map.of("error", "invalid_grant"));
                    return;
                }
            }
            case "refresh_token" -> {
                // Like Keycloak's default: a refresh token stays usable (concurrent refreshes work) until its session ends.
                grant = refreshTokens.get(params.getOrDefault("refresh_token", ""));
                if (grant == null || !grant.client().id().equals(client.id()) || ended(grant.session())) {
                    json(exchange, 400, Map.of("error", "invalid_grant"));
                    return;
                }
                count(REFRESHES_PROPERTY);
            }
            case "password" -> {
                User user = user(params.get("username"));
                if (user == null) {
                    json(exchange, 401, Map.of("error", "invalid_grant"));
                    return;
                }
                // Like Keycloak's direct-access grant: no browser sign-in happened, so no auth_time.
                grant = new Grant(client, new Session(user, null, "1"), randomId(16), params.getOrDefault("scope", "openid"),
                        null, null, null, null, null);
            }
            default -> {
                json(exchange, 400, Map.of("error", "unsupported_grant_type"));
                return;
            }
        }
        json(exchange, 200, tokens(grant));
    }

    private Map<String, Object> tokens(Grant grant) {
        Duration lifespan = Duration.ofSeconds(Long.getLong(TOKEN_LIFESPAN_PROPERTY, DEFAULT_TOKEN_LIFESPAN.toSeconds()));
        String refreshToken = randomId(32);
        refreshTokens.put(refreshToken, grant);
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("access_token", sign(overridden(claims(grant, lifespan, "Bearer", grant.client().audience()))));
        response.put("token_type", "Bearer");
        response.put("expires_in", lifespan.toSeconds());
        response.put("refresh_token", refreshToken);
        response.put("scope", grant.scope());
        if (grant.scope().contains("openid")) {
            JwtClaims id = claims(grant, lifespan, "ID",
                    List.of(System.getProperty(ID_TOKEN_AUDIENCE_PROPERTY, grant.client().id())));
            if (grant.nonce() != null) {
                id.setClaim("nonce", grant.nonce());
            }
            response.put("id_token", sign(id));
        }
        return response;
    }

    private JwtClaims claims(Grant grant, Duration lifespan, String type, List<String> audience) {
        User user = grant.session().user();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(issuer);
        claims.setSubject(user.name());
        if (audience.size() == 1) {
            claims.setAudience(audience.get(0));
        } else if (!audience.isEmpty()) {
            claims.setAudience(audience);
        }
        claims.setIssuedAtToNow();
        claims.setExpirationTime(org.jose4j.jwt.NumericDate.fromSeconds(Instant.now().getEpochSecond() + lifespan.toSeconds()));
        claims.setGeneratedJwtId();
        claims.setClaim("typ", type);
        claims.setClaim("azp", grant.client().id());
        claims.setClaim("sid", grant.sid());
        if (grant.session().authTime() != null) {
            claims.setClaim("auth_time", grant.session().authTime().getEpochSecond());
        }
        claims.setClaim("acr", grant.session().acr());
        claims.setClaim("scope", grant.scope());
        claims.setClaim("name", user.displayName());
        claims.setClaim("preferred_username", user.name());
        claims.setClaim("email", user.name() + "@example.com");
        claims.setClaim("realm_access", Map.of("roles", user.roles()));
        claims.setStringListClaim("groups", user.teams().stream()
                .map(team -> grant.client().fullGroupPaths() ? "/" + team : team).toList());
        return claims;
    }

    private static JwtClaims overridden(JwtClaims claims) {
        String overrides = System.getProperty(ACCESS_TOKEN_CLAIMS_PROPERTY);
        if (overrides != null) {
            try {
                JsonUtil.parseJson(overrides).forEach((name, value) -> {
                    if (value == null) {
                        claims.unsetClaim(name);
                    } else {
                        claims.setClaim(name, value);
                    }
                });
            } catch (JoseException e) {
                throw new IllegalArgumentException(ACCESS_TOKEN_CLAIMS_PROPERTY + " is not a JSON object", e);
            }
        }
        return claims;
    }

    private String sign(JwtClaims claims) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private void userInfo(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setCompactSerialization(authorization == null ? "" : authorization.replaceFirst("(?i)^Bearer ", ""));
            jws.setKey(key.getPublicKey());
            if (jws.verifySignature()) {
                Map<String, Object> claims = JsonUtil.parseJson(jws.getPayload());
                Map<String, Object> info = new LinkedHashMap<>();
                for (String name : List.of("sub", "name", "preferred_username", "email", "groups")) {
                    info.put(name, claims.get(name));
                }
                json(exchange, 200, info);
                return;
            }
        } catch (JoseException e) {
            // refused below
        }
        exchange.getResponseHeaders().add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        json(exchange, 401, Map.of("error", "invalid_token"));
    }

    private void logout(HttpExchange exchange, Map<String, String> params) throws IOException {
        String sid = sessionId(exchange);
        if (sid != null) {
            sessions.remove(sid);
        }
        exchange.getResponseHeaders().add("Set-Cookie", SESSION_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
        String back = params.get("post_logout_redirect_uri");
        if (back != null && allowedRedirect(back)) {
            redirect(exchange, back + (params.get("state") == null ? ""
                    : (back.contains("?") ? "&" : "?") + "state=" + URLEncoder.encode(params.get("state"), StandardCharsets.UTF_8)));
        } else {
            html(exchange, 200, "<p>Signed out of the embedded IdP.</p>");
        }
    }

    private Client authenticatedClient(HttpExchange exchange, Map<String, String> params) {
        String id = params.get("client_id");
        String secret = params.get("client_secret");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                id = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
                secret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
            }
        }
        Client client = client(id);
        return client != null && client.secret().equals(secret) ? client : null;
    }

    private static boolean pkceMatches(Grant grant, String verifier) {
        if (grant.codeChallenge() == null) {
            return true;
        }
        if (verifier == null) {
            return false;
        }
        if ("S256".equals(grant.codeChallengeMethod())) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
                return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).equals(grant.codeChallenge());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return verifier.equals(grant.codeChallenge());
    }

    private static boolean acrSatisfies(String acr, String requested) {
        return requested == null || List.of(requested.split(" ")).contains(acr);
    }

    /** Loopback and the portal's own origins only: a demo IdP must not become an open redirector. */
    private boolean allowedRedirect(String uri) {
        if (uri == null) {
            return false;
        }
        try {
            URI parsed = URI.create(uri);
            String origin = parsed.getScheme() + "://" + parsed.getAuthority();
            return ("http".equals(parsed.getScheme()) || "https".equals(parsed.getScheme()))
                    && ("localhost".equals(parsed.getHost()) || "127.0.0.1".equals(parsed.getHost())
                            || allowedRedirectOrigins.contains(origin));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Session currentSession(HttpExchange exchange) {
        String sid = sessionId(exchange);
        Session session = sid == null ? null : sessions.get(sid);
        return session == null || ended(session) ? null : session;
    }

    /** Whether a test ended every browser session signed in before now (as an IdP's idle timeout would). */
    private static boolean ended(Session session) {
        long endedAt = Long.getLong(SESSIONS_ENDED_PROPERTY, 0);
        return session.authTime() != null && endedAt > 0 && !session.authTime().isAfter(Instant.ofEpochMilli(endedAt));
    }

    private static String sessionId(HttpExchange exchange) {
        List<String> cookies = exchange.getRequestHeaders().getOrDefault("Cookie", List.of());
        for (String header : cookies) {
            for (String cookie : header.split(";")) {
                String[] pair = cookie.strip().split("=", 2);
                if (pair.length == 2 && pair[0].equals(SESSION_COOKIE)) {
                    return pair[1];
                }
            }
        }
        return null;
    }

    private static Client client(String id) {
        return CLIENTS.stream().filter(c -> c.id().equals(id)).findFirst().orElse(null);
    }

    /**
     * Counts requests JVM-wide (a system property: every class loader sees the same one; kept as text, since other
     * libraries copy all system properties as strings), so a test can tell whether Gatehouse piles requests onto a
     * stalling IdP, or refreshed a session.
     */
    private static void count(String property) {
        synchronized (System.getProperties()) {
            System.setProperty(property, Long.toString(Long.getLong(property, 0) + 1));
        }
    }

    /** A demo user, or for any other plain name (tests make up users) a plain user in no team. */
    private static User user(String name) {
        if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
            return null;
        }
        return USERS.stream().filter(u -> u.name().equals(name)).findFirst()
                .orElseGet(() -> new User(name, Character.toUpperCase(name.charAt(0)) + name.substring(1), List.of("user"), List.of()));
    }

    private static Long parseLong(String value) {
        try {
            return value == null ? null : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private String randomId(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    private static Map<String, String> query(HttpExchange exchange) {
        return decode(exchange.getRequestURI().getRawQuery());
    }

    private static Map<String, String> form(HttpExchange exchange) throws IOException {
        try (InputStream body = exchange.getRequestBody()) {
            return decode(new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8));
        }
    }

    private static Map<String, String> decode(String encoded) {
        Map<String, String> values = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return values;
        }
        for (String pair : encoded.split("&")) {
            String[] parts = pair.split("=", 2);
            values.putIfAbsent(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                    parts.length == 2 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
        }
        return values;
    }

    private static void redirectWithError(HttpExchange exchange, String redirectUri, String state, String error)
            throws IOException {
        redirect(exchange, redirectUri + (redirectUri.contains("?") ? "&" : "?") + "error=" + error
                + (state == null ? "" : "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8)));
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().add("Location", location);
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(302, -1);
    }

    private static void json(HttpExchange exchange, int status, Map<String, ?> body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        send(exchange, status, JsonUtil.toJson(new LinkedHashMap<>(body)));
    }

    private static void html(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
        send(exchange, status, body);
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace("\"", "&quot;");
    }
}
