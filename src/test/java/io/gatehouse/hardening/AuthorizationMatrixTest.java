package io.gatehouse.hardening;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Management;
import io.gatehouse.support.Presigned;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * Every endpoint the app exposes × every kind of caller, from {@code security/authorization-matrix.tsv}: the
 * endpoints are read from the running app (its OpenAPI document, its static files and the OIDC logout path), so an
 * endpoint without a row fails here, as does a row for an endpoint that no longer exists. Each cell is the status
 * that caller must get; {@code +url} marks the cells that must carry a pre-signed URL, and any other cell that
 * carries one fails. No cell may be a 5xx or show a stack trace, and every answer carries the security headers
 * ({@link #headerProblems}).
 */
@QuarkusTest
class AuthorizationMatrixTest {

    private static final java.util.regex.Pattern JAVA_FRAME = java.util.regex.Pattern.compile("at [\\w$.]+\\([\\w$]+\\.java:\\d+\\)");
    private static final String CSRF = "m".repeat(43);
    private static final List<String> CALLERS = List.of("anon", "alice", "frank", "bob", "dave", "stale-admin",
            "other-audience", "expired", "admin");

    @Inject
    DataSource db;

    @ConfigProperty(name = "quarkus.oidc.logout.path")
    String logoutPath;

    record Row(String method, String path, String with, String body, Map<String, String> expected, int line) {

        String endpoint() {
            return method + " " + path;
        }
    }

    @Test
    void everyEndpointAnswersEveryCallerAsTheMatrixSays() throws IOException, URISyntaxException {
        List<Row> rows = rows();
        assertThat(rows.stream().map(Row::endpoint).distinct()).as("one row per endpoint").hasSize(rows.size());
        assertThat(new TreeSet<>(rows.stream().map(Row::endpoint).toList())).as("the rows name exactly the app's endpoints")
                .isEqualTo(endpointsOfTheRunningApp());

        Map<String, Supplier<String>> tokens = tokens();
        Map<String, String> resolved = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        StringBuilder observed = new StringBuilder("# method\tpath\twith\tbody\t" + String.join("\t", CALLERS) + "\n");
        for (Row row : rows) {
            observed.append(row.method()).append('\t').append(row.path()).append('\t').append(row.with()).append('\t')
                    .append(row.body());
            for (String path : concretePaths(row, resolved)) {
                for (String caller : CALLERS) {
                    Response response = send(row, path, tokens.get(caller));
                    String expected = row.expected().get(caller);
                    String got = outcome(response);
                    if (path.equals(concretePaths(row, resolved).get(0))) {
                        observed.append('\t').append(got);
                    }
                    if (!got.equals(expected)) {
                        wrong.add("line " + row.line() + " " + row.method() + " " + path + " as " + caller + ": expected "
                                + expected + ", got " + got + " " + abbreviate(response.asString()));
                    }
                    headerProblems(response).forEach(problem -> wrong.add("line " + row.line() + " " + row.method() + " "
                            + path + " as " + caller + ": " + problem));
                    if (response.statusCode() >= 500 || JAVA_FRAME.matcher(response.asString()).find()) {
                        wrong.add("line " + row.line() + " " + row.method() + " " + path + " as " + caller
                                + ": a server error or a stack trace " + abbreviate(response.asString()));
                    }
                }
            }
            observed.append('\n');
        }
        Files.writeString(Path.of("target/authorization-matrix.observed.tsv"), observed);
        assertThat(wrong).as("cells that differ (the whole observed table: target/authorization-matrix.observed.tsv)")
                .isEmpty();
    }

    /** Tokens per caller; the admin's is fetched when first used, so its sign-in is recent for the step-up. */
    private static Map<String, Supplier<String>> tokens() {
        String expired = withAccessTokenClaims("{\"exp\":" + (Instant.now().getEpochSecond() - 120) + "}",
                () -> Tokens.fresh(Fixtures.ADMIN));
        String otherAudience = Tokens.forClient("reports-app", "reports-secret", Fixtures.ADMIN);
        String stale = Tokens.passwordGrant(Fixtures.ADMIN);
        String admin = Tokens.fresh(Fixtures.ADMIN);
        Map<String, Supplier<String>> tokens = new LinkedHashMap<>();
        tokens.put("anon", () -> null);
        for (String user : List.of("alice", "frank", "bob", "dave")) {
            tokens.put(user, () -> Tokens.of(user));
        }
        tokens.put("stale-admin", () -> stale);
        tokens.put("other-audience", () -> otherAudience);
        tokens.put("expired", () -> expired);
        tokens.put("admin", () -> admin);
        return tokens;
    }

    /** A token from the embedded IdP with these claims replaced (see DevIdentityProvider). */
    static String withAccessTokenClaims(String claims, Supplier<String> token) {
        System.setProperty("gatehouse.dev-idp.access-token-claims", claims);
        try {
            return token.get();
        } finally {
            System.clearProperty("gatehouse.dev-idp.access-token-claims");
        }
    }

    private Response send(Row row, String path, Supplier<String> token) {
        RequestSpecification request = given().redirects().follow(false).urlEncodingEnabled(false);
        String bearer = token.get();
        if (bearer != null) {
            request.auth().oauth2(bearer);
        }
        String body = row.body();
        String kind = body.contains(":") ? body.substring(0, body.indexOf(':')) : body;
        String content = body.contains(":") ? body.substring(body.indexOf(':') + 1) : "";
        switch (kind) {
            case "-" -> {
            }
            case "json" -> request.contentType("application/json").body(content);
            case "text" -> request.contentType("text/plain").body(content);
            case "csv" -> request.contentType("text/csv").body(content.replace("\\n", "\n"));
            case "xml" -> request.contentType("application/xml").body(content);
            case "form" -> request.contentType("application/x-www-form-urlencoded").cookie("gatehouse-csrf", CSRF)
                    .body("csrf-token=" + CSRF + (content.isEmpty() ? "" : "&" + content));
            case "multipart" -> request.cookie("gatehouse-csrf", CSRF).multiPart("csrf-token", CSRF)
                    .multiPart("file", "grants.csv", content.replace("\\n", "\n").getBytes(StandardCharsets.UTF_8), "text/csv");
            default -> throw new IllegalArgumentException("line " + row.line() + ": unknown body kind " + kind);
        }
        return request.request(row.method(), path);
    }

    /** The row's path with its placeholders filled in: fixtures made on first use, or values as written. */
    private List<String> concretePaths(Row row, Map<String, String> resolved) throws IOException, URISyntaxException {
        if (row.path().endsWith("/*")) {
            String folder = row.path().substring(0, row.path().length() - 1);
            return staticFiles().stream().filter(file -> file.startsWith(folder)).toList();
        }
        String path = row.path();
        if (!row.with().equals("-")) {
            for (String binding : row.with().split(",")) {
                if (binding.startsWith("?=")) {
                    path += "?" + binding.substring(2);
                    continue;
                }
                String name = binding.substring(0, binding.indexOf('='));
                String value = binding.substring(binding.indexOf('=') + 1);
                String concrete = value.startsWith("@") ? resolved.computeIfAbsent(value, this::fixture) : value;
                path = path.replace("{" + name + "}", concrete);
            }
        }
        return List.of(path);
    }

    private String fixture(String name) {
        return switch (name) {
            // A standard item in team A's space: team A's members read it without a grant, nobody else does.
            case "@team-a-item" -> Long.toString(teamAItem(db));
            case "@grant" -> Long.toString(Fixtures.readGrant("USER", "mallory", "PREFIX", Fixtures.uniquePrefix()));
            case "@audit-row" -> Long.toString(Fixtures.number(db, "SELECT max(id) FROM audit_event"));
            default -> {
                if (name.startsWith("@alice-upload")) {
                    // A multipart upload alice declared (each name its own, for rows that end or complete one).
                    yield given().auth().oauth2(Tokens.of("alice")).contentType("application/json")
                            .body(Map.of("filename", name.substring(1) + ".bin", "size", 70L << 20,
                                    "contentType", "application/octet-stream"))
                            .post("/api/uploads").then().statusCode(201).extract().jsonPath().getString("id");
                }
                throw new IllegalArgumentException("no fixture " + name);
            }
        };
    }

    /** A standard demo item in team A's space: team A's members read it without a grant, nobody else does. */
    static long teamAItem(DataSource db) {
        return Fixtures.number(db, "SELECT id FROM content_item WHERE owner_team = 'team-a' AND tier = 'STANDARD' ORDER BY id LIMIT 1");
    }

    /** What the running app serves: its JAX-RS endpoints, its static files (by folder) and the OIDC logout path. */
    private TreeSet<String> endpointsOfTheRunningApp() throws IOException, URISyntaxException {
        JsonNode paths = new ObjectMapper().readTree(given().get(Management.url("/q/openapi?format=json")).asString())
                .path("paths");
        TreeSet<String> endpoints = new TreeSet<>();
        paths.fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (!method.equals("parameters")) {
                endpoints.add(method.toUpperCase() + " " + path.getKey());
            }
        }));
        for (String file : staticFiles()) {
            endpoints.add("GET " + file.substring(0, file.lastIndexOf('/') + 1) + "*");
        }
        endpoints.add("GET " + logoutPath);
        endpoints.add("POST " + logoutPath);
        return endpoints;
    }

    private static List<String> staticFiles() throws IOException, URISyntaxException {
        List<String> files = new ArrayList<>();
        for (URL root : java.util.Collections.list(Thread.currentThread().getContextClassLoader().getResources("META-INF/resources"))) {
            if (root.getProtocol().equals("file")) {
                Path base = Path.of(root.toURI());
                try (Stream<Path> walk = Files.walk(base)) {
                    walk.filter(Files::isRegularFile).forEach(file -> files.add("/" + base.relativize(file).toString().replace('\\', '/')));
                }
            }
        }
        return files;
    }

    private static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        List<String> lines;
        try (var in = AuthorizationMatrixTest.class.getResourceAsStream("/security/authorization-matrix.tsv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split("\t+");
            if (cells.length != 4 + CALLERS.size()) {
                throw new IllegalArgumentException("line " + (i + 1) + " has " + cells.length + " cells, not " + (4 + CALLERS.size()));
            }
            Map<String, String> expected = new LinkedHashMap<>();
            for (int c = 0; c < CALLERS.size(); c++) {
                expected.put(CALLERS.get(c), cells[4 + c]);
            }
            rows.add(new Row(cells[0], cells[1], cells[2], cells[3], expected, i + 1));
        }
        return rows;
    }

    /**
     * What every answer must carry: no Referer leaks a URL, no type sniffing; a page a CSP that allows only
     * Gatehouse's own scripts and no framing; a cookie that scripts cannot read and other sites cannot send.
     */
    static List<String> headerProblems(Response response) {
        List<String> problems = new ArrayList<>();
        if (!"no-referrer".equals(response.header("Referrer-Policy"))) {
            problems.add("Referrer-Policy is " + response.header("Referrer-Policy"));
        }
        if (!"nosniff".equals(response.header("X-Content-Type-Options"))) {
            problems.add("X-Content-Type-Options is " + response.header("X-Content-Type-Options"));
        }
        if (String.valueOf(response.contentType()).startsWith("text/html")) {
            String csp = String.valueOf(response.header("Content-Security-Policy"));
            String scripts = java.util.Arrays.stream(csp.split(";")).map(String::strip)
                    .filter(directive -> directive.startsWith("script-src ")).findFirst()
                    .orElse(java.util.Arrays.stream(csp.split(";")).map(String::strip)
                            .filter(directive -> directive.startsWith("default-src ")).findFirst().orElse(""));
            if (!scripts.equals("script-src 'self'") || !csp.contains("frame-ancestors 'none'")
                    || !csp.contains("object-src 'none'") || !csp.contains("base-uri 'none'")) {
                problems.add("a page's CSP is " + csp);
            }
        }
        for (String cookie : response.headers().getValues("Set-Cookie")) {
            String flags = cookie.toLowerCase(java.util.Locale.ROOT);
            if (!flags.contains("; httponly") || !flags.contains("; samesite=")) {
                problems.add("cookie without HttpOnly or SameSite: " + cookie.substring(0, cookie.indexOf('=')));
            }
        }
        return problems;
    }

    /**
     * The status; for a redirect, where to ({@code idp} for the IdP's sign-in, else the local path); {@code +url} when
     * the answer carries a pre-signed URL.
     */
    private static String outcome(Response response) {
        String location = response.header("Location");
        boolean url = Presigned.in(response);
        String to = "";
        if (location != null && !url) {
            java.net.URI target = java.net.URI.create(location);
            to = ">" + (location.startsWith(Tokens.issuer()) ? "idp" : target.getPath());
        }
        return response.statusCode() + to + (url ? "+url" : "");
    }

    private static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ");
        return flat.length() > 160 ? flat.substring(0, 160) + "…" : flat;
    }
}
