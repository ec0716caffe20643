package io.gatehouse.hardening;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.gatehouse.storage.S3Config;
import io.gatehouse.support.Fixtures;
import io.gatehouse.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The checked-in corpus ({@code security/hostile-inputs.txt}, 250+ cases) applied to every text input: upload
 * declarations, search and filter parameters, grant fields (JSON and form), CSV cells, team settings, item fields,
 * and path and query ids. Each answer is a clear 4xx (a message, no stack trace, no 5xx) that changed nothing in the
 * database or the bucket, or, where the text is acceptable, an answer that shows it escaped: reads change nothing,
 * an accepted write writes only what it should (an upload's key always under the team's prefix, chosen by Gatehouse).
 * Every target is first sent a harmless value and must accept it: a target that refuses everything proves nothing.
 */
@QuarkusTest
class HostileInputTest {

    private static final Pattern JAVA_FRAME = Pattern.compile("at [\\w$.]+\\([\\w$]+\\.java:\\d+\\)");
    private static final String CSRF = "h".repeat(43);
    private static final String SHA256_OF_A = "ypeBEsobvcr6wjGzmiPcTaeG7/gUfE5yuYB3ha/uSLs=";

    enum Kind {
        READ, WRITE
    }

    record Target(String name, Kind kind, String harmless, Function<String, Response> send) {
    }

    @Inject
    DataSource db;

    @Inject
    S3Client s3;

    @Inject
    S3Config config;

    private String team;
    private String writer;
    private long item;

    @BeforeEach
    void fixtures() {
        team = Fixtures.team(db, null, 1_000_000);
        writer = "writer-" + UUID.randomUUID();
        Fixtures.writeGrant("USER", writer, "teams/" + team + "/");
        String prefix = Fixtures.uniquePrefix();
        item = Fixtures.item(s3, config.bucket(), prefix + "a.txt", "a", "text/plain", "STANDARD");
        Fixtures.readGrant("USER", "alice", "PREFIX", prefix);
    }

    @Test
    void everyTextInputAnswersEveryHostileCaseWithAClear4xxOrSafelyAndChangesNothingItShouldNot() throws IOException {
        List<String> corpus = corpus();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(200);
        List<String> wrong = new ArrayList<>();
        Map<String, String> accepted = new LinkedHashMap<>();
        for (Target target : targets()) {
            long started = System.nanoTime();
            long objects = objectsInTheBucket();
            Response control = target.send().apply(target.harmless());
            if (control.statusCode() >= 400) {
                wrong.add(target.name() + ": the harmless value " + target.harmless() + " was refused, " + control.statusCode()
                        + " " + control.asString().replaceAll("(?s).*<main", "<main").replaceAll("\\s+", " "));
                continue;
            }
            int accepts = 0;
            for (int i = 0; i < corpus.size(); i++) {
                String hostile = corpus.get(i);
                String before = databaseState();
                Response response;
                try {
                    response = target.send().apply(hostile);
                } catch (Exception closed) {
                    // The server may refuse a request line or header block over its limit by closing the connection.
                    if (hostile.length() <= 8192 || !(rootCause(closed) instanceof java.net.SocketException)) {
                        wrong.add(target.name() + " case " + (i + 1) + " " + printable(hostile) + ": " + closed);
                    } else if (!databaseState().equals(before)) {
                        wrong.add(target.name() + " case " + (i + 1) + ": connection closed, but the database changed");
                    }
                    continue;
                }
                String problem = problem(target, hostile, response, before);
                if (problem != null) {
                    wrong.add(target.name() + " case " + (i + 1) + " " + printable(hostile) + ": " + problem);
                }
                if (response.statusCode() < 400) {
                    accepts++;
                }
            }
            accepted.put(target.name(), accepts + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
            if (objectsInTheBucket() != objects) {
                wrong.add(target.name() + ": the bucket now holds " + objectsInTheBucket() + " objects, not " + objects);
            }
        }
        System.out.println("HOSTILE-INPUT cases accepted per target (the rest refused with 4xx), and the time taken: " + accepted);
        assertThat(wrong).as("hostile cases answered wrongly (" + wrong.size() + ")").isEmpty();
    }

    @Test
    void rawTraversalInPathsNeverReachesFilesOrOtherEndpoints() {
        String alice = Tokens.of("alice");
        List<String> wrong = new ArrayList<>();
        for (String path : List.of("/assets/../application.properties", "/assets/..%2fapplication.properties",
                "/assets/%2e%2e/%2e%2e/application.properties", "/assets/..%5capplication.properties",
                "/assets/%c0%ae%c0%ae/application.properties", "/assets/%2e%2e%2f%2e%2e%2fMETA-INF/MANIFEST.MF",
                "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/assets/app.js%00.html", "/assets/..%00/application.properties",
                "/api/../admin/grants", "/api/%2e%2e/admin/grants", "/api/me/..;/admin/grants", "/api/me/%2e%2e%2f..%2fadmin/grants",
                "/catalog/..%2f..%2fadmin/grants", "//admin/grants", "/api/me;x=y", "/api/me%00", "/api/items/1%2f..%2f2")) {
            Response response = request(alice).get(path);
            String body = response.asString();
            if (response.statusCode() >= 500 || JAVA_FRAME.matcher(body).find() || body.contains("quarkus.oidc")
                    || body.contains("root:x:0") || body.contains("Manifest-Version")
                    || response.statusCode() == 200 && body.contains("Grants · Gatehouse")) {
                wrong.add(path + ": " + response.statusCode() + " " + abbreviate(body));
            }
        }
        assertThat(wrong).as("raw paths answered wrongly").isEmpty();
    }

    @Test
    void deeplyNestedAndHugeJsonBodiesAreRefusedCleanly() throws Exception {
        String writerToken = Tokens.of(writer);
        String before = databaseState();
        // A plain client: RestAssured would pretty-print these bodies for its failure log.
        var http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        for (String body : List.of("[".repeat(100_000) + "]".repeat(100_000), "{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000),
                "{\"team\":\"" + team + "\",\"filename\":\"" + "a".repeat(12 << 20) + "\",\"size\":1}")) {
            var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/api/uploads"))
                    .header("Authorization", "Bearer " + writerToken).header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("nesting or size refused as the client's mistake: " + abbreviate(response.body()))
                    .isBetween(400, 499);
            assertThat(JAVA_FRAME.matcher(response.body()).find()).isFalse();
        }
        assertThat(databaseState()).isEqualTo(before);
    }

    /** Null when the answer is right for this case, else what is wrong with it. */
    private String problem(Target target, String hostile, Response response, String before) {
        String body = response.asString();
        int status = response.statusCode();
        if (status >= 500) {
            return "answered " + status + " " + abbreviate(body);
        }
        if (JAVA_FRAME.matcher(body).find()) {
            return "a stack trace in the answer";
        }
        if (response.header("X-Injected") != null
                || response.headers().getValues("Set-Cookie").stream().anyMatch(cookie -> cookie.startsWith("injected"))) {
            return "a header was injected";
        }
        String location = response.header("Location");
        String site = io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/";
        if (location != null && (location.startsWith("//") || !location.startsWith("/") && !location.startsWith(site)
                && !location.startsWith(Tokens.issuer()))) {
            return "a redirect off the site: " + location;
        }
        if (String.valueOf(response.contentType()).startsWith("text/html") && hostile.contains("<") && body.contains(hostile)) {
            return "the markup is in the page unescaped";
        }
        if (status == 414 || status == 431) {
            // Refused by the HTTP codec before any Gatehouse code runs: Quarkus 3.33 answers these without a body and
            // offers no hook to add one (quarkusio/quarkus#55082). Nothing can have changed.
            return databaseState().equals(before) ? null : "refused (" + status + ") but the database changed";
        }
        if (status >= 400) {
            // JSON errors carry a message; the CSV import's report a fileProblem or per-row problems; pages a heading.
            if (body.isBlank() || !body.contains("message") && !body.contains("fileProblem") && !body.contains("<h1")) {
                return "a " + status + " without a message: " + abbreviate(body);
            }
            String after = databaseState();
            if (!after.equals(before)) {
                return "refused (" + status + ") but the database changed: " + before + " -> " + after;
            }
            return null;
        }
        if (target.kind() == Kind.READ && !databaseState().equals(before)) {
            return "a read changed the database";
        }
        if (target.name().startsWith("upload declaration")) {
            String key = response.jsonPath().getString("key");
            if (key == null || !key.startsWith("teams/" + team + "/") || List.of(key.split("/", -1)).stream()
                    .anyMatch(segment -> segment.isEmpty() || segment.equals(".") || segment.equals(".."))
                    || key.contains("\\") || key.chars().anyMatch(Character::isISOControl)) {
                return "an upload key outside the team's space or unsafe: " + printable(String.valueOf(key));
            }
        }
        return null;
    }

    private List<Target> targets() {
        String alice = Tokens.of("alice");
        String dave = Tokens.of("dave");
        String admin = Tokens.fresh(Fixtures.ADMIN);
        String writerToken = Tokens.of(writer);
        List<Target> targets = new ArrayList<>();

        Map<String, String> declaration = new LinkedHashMap<>(Map.of("team", team, "filename", "f.txt", "contentType",
                "text/plain", "sha256", SHA256_OF_A));
        Map<String, String> harmlessDeclaration = Map.of("team", team, "filename", "notes.txt", "contentType", "text/plain",
                "sha256", SHA256_OF_A, "clientEncryption", "", "sseCustomerKeyMd5", "", "contentMd5", "");
        for (String field : List.of("filename", "contentType", "team", "sha256", "clientEncryption", "sseCustomerKeyMd5",
                "contentMd5")) {
            targets.add(new Target("upload declaration " + field, Kind.WRITE, harmlessDeclaration.get(field),
                    value -> json(writerToken, "POST", "/api/uploads", with(declaration, field, value), "\"size\":1")));
        }

        targets.add(query("catalog search (JSON)", alice, "/api/items", "q", "handbook"));
        targets.add(query("catalog search (page)", alice, "/catalog", "q", "handbook"));
        targets.add(query("catalog page cursor", alice, "/api/items", "after", "1"));
        targets.add(query("catalog notice", alice, "/catalog", "notice", "saved"));
        for (String filter : List.of("actor", "action", "resource", "outcome", "from", "to", "before")) {
            targets.add(query("audit filter " + filter + " (JSON)", dave, "/api/audit", filter,
                    switch (filter) {
                        case "outcome" -> "ALLOWED";
                        case "from", "to" -> "2026-01-01T00:00:00Z";
                        case "before" -> "1000";
                        case "action" -> "DOWNLOAD_URL_ISSUED";
                        default -> "alice";
                    }));
        }
        targets.add(query("audit filter actor (page)", dave, "/audit", "actor", "alice"));
        targets.add(query("audit filter resource (page)", dave, "/audit", "resource", "gatehouse-demo/teams/"));
        targets.add(query("audit export filter", dave, "/api/audit/export.csv", "actor", "nobody-at-all"));
        for (String filter : List.of("subject", "resource", "permission", "status", "createdBy", "before", "notice",
                "grantResource")) {
            targets.add(query("grant console filter " + filter, admin, "/admin/grants", filter,
                    switch (filter) {
                        case "permission" -> "READ";
                        case "status" -> "active";
                        case "before" -> "1000";
                        default -> "alice";
                    }));
        }
        targets.add(query("grant search (JSON)", admin, "/api/admin/grants", "subject", "alice"));
        targets.add(query("step-up return", admin, "/auth/step-up", "return", "/admin/grants"));

        Map<String, String> grant = new LinkedHashMap<>(Map.of("subjectType", "USER", "subject", "hostile-input-test",
                "resourceType", "PREFIX", "resource", "tests/hostile/", "permission", "READ",
                "validUntil", "2099-01-01T00:00:00Z", "reason", "hostile input test"));
        Map<String, String> harmlessGrant = Map.of("subjectType", "USER", "subject", "hostile-input-test",
                "resourceType", "PREFIX", "resource", "tests/hostile/harmless/", "permission", "READ",
                "validFrom", Instant.now().toString(), "validUntil", "2099-01-01T00:00:00Z", "reason", "harmless");
        for (String field : List.of("subjectType", "subject", "resourceType", "resource", "permission", "validFrom",
                "validUntil", "reason")) {
            targets.add(new Target("grant (JSON) " + field, Kind.WRITE, harmlessGrant.get(field),
                    value -> json(admin, "POST", "/api/admin/grants", with(grant, field, value), null)));
        }
        Map<String, String> grantForm = new LinkedHashMap<>(Map.of("subjectType", "USER", "subject", "hostile-input-test",
                "resourceType", "PREFIX", "resource", "tests/hostile/", "permission", "READ", "validFor", "1d",
                "reason", "hostile input test"));
        Map<String, String> harmlessForm = Map.of("subject", "hostile-input-test", "resource", "tests/hostile/form/",
                "validFor", "7d", "reason", "harmless", "maxUses", "3", "validUntil", "");
        for (String field : List.of("subject", "resource", "validFor", "validUntil", "maxUses", "reason")) {
            targets.add(new Target("grant (form) " + field, Kind.WRITE, harmlessForm.get(field),
                    value -> form(admin, "/admin/grants", with(grantForm, field, value))));
        }
        for (int column : new int[] { 1, 3, 8 }) {
            // alice and bob have signed in: the import names only users Gatehouse has seen.
            String[] row = { "USER", "alice", "PREFIX", "tests/hostile/csv/", "READ", "", "2099-01-01T00:00:00Z", "",
                    "hostile csv test" };
            String name = List.of("subject_type", "subject", "resource_type", "resource", "permission", "valid_from",
                    "valid_until", "max_uses", "reason").get(column);
            targets.add(new Target("grant CSV cell " + name, Kind.WRITE, column == 1 ? "dave"
                    : column == 3 ? "tests/hostile/csv/harmless/" : "harmless",
                    value -> {
                        String[] cells = row.clone();
                        cells[column] = value;
                        return csv(admin, String.join(",", io.gatehouse.grants.GrantImport.COLUMNS) + "\n" + csvRow(cells) + "\n");
                    }));
        }

        Map<String, String> teamForm = new LinkedHashMap<>(Map.of("displayName", "Hostile input team",
                "allowedContentTypes", "", "maxObjectBytes", "", "quotaBytes", "", "maxFilesPerSession", "10000",
                "sseMode", "DEFAULT", "kmsKeyId", ""));
        Map<String, String> harmlessTeam = Map.of("displayName", "Team H", "allowedContentTypes", "text/plain, image/png",
                "maxObjectBytes", "1048576", "quotaBytes", "1073741824", "maxFilesPerSession", "5000", "sseMode", "DEFAULT",
                "kmsKeyId", "");
        for (String field : List.of("displayName", "allowedContentTypes", "maxObjectBytes", "quotaBytes", "maxFilesPerSession",
                "sseMode", "kmsKeyId")) {
            targets.add(new Target("team setting " + field, Kind.WRITE, harmlessTeam.get(field),
                    value -> form(admin, "/admin/teams/" + team, with(teamForm, field, value))));
        }

        for (String field : List.of("key", "title", "description", "tier", "ownerTeam")) {
            // An object in the bucket but in no item yet, for each: the harmless value lists it, every acceptable case
            // after it is then "already listed" (409), every unacceptable one is refused before that.
            String unlisted = Fixtures.uniquePrefix() + "unlisted.txt";
            s3.putObject(r -> r.bucket(config.bucket()).key(unlisted).contentType("text/plain"),
                    software.amazon.awssdk.core.sync.RequestBody.fromString("u"));
            Map<String, String> newItem = new LinkedHashMap<>(Map.of("key", unlisted, "title", "T", "tier", "STANDARD"));
            targets.add(new Target("item " + field, Kind.WRITE, Map.of("key", unlisted, "title", "A harmless title",
                    "description", "Harmless.", "tier", "PREMIUM", "ownerTeam", team).get(field),
                    value -> json(admin, "POST", "/api/admin/items", with(newItem, field, value), null)));
        }

        targets.add(path("item id", alice, "POST", "/api/items/{}/download-url", Long.toString(item)));
        targets.add(path("grant id (page)", admin, "GET", "/admin/grants/{}", "1"));
        targets.add(path("team slug (page)", admin, "GET", "/admin/teams/{}", team));
        targets.add(path("audit row id", dave, "GET", "/api/audit/{}", "1"));
        String upload = json(writerToken, "POST", "/api/uploads", Map.of("team", team, "filename", "big.bin", "contentType",
                "application/octet-stream"), "\"size\":" + (70L << 20)).then().statusCode(201).extract().jsonPath().getString("id");
        targets.add(path("upload id", writerToken, "GET", "/api/uploads/{}/parts", upload));
        targets.add(path("team slug (access point)", admin, "GET", "/api/admin/teams/{}/access-point", team));
        targets.add(query("download lifetime", alice, "/api/items/" + item + "/download-url", "ttlSeconds", "60", "POST"));
        return targets;
    }

    // ---- the channels a hostile value travels in ---------------------------------------------------------------

    private static Target query(String name, String token, String path, String parameter, String harmless) {
        return query(name, token, path, parameter, harmless, "GET");
    }

    private static Target query(String name, String token, String path, String parameter, String harmless, String method) {
        return new Target(name, Kind.READ, harmless,
                value -> request(token).request(method, path + "?" + parameter + "=" + percent(value)));
    }

    private static Target path(String name, String token, String method, String template, String harmless) {
        return new Target(name, method.equals("GET") ? Kind.READ : Kind.WRITE, harmless,
                value -> request(token).request(method, template.replace("{}", percent(value))));
    }

    private static Response json(String token, String method, String path, Map<String, String> fields, String extra) {
        StringBuilder body = new StringBuilder("{");
        fields.forEach((name, value) -> body.append(body.length() > 1 ? "," : "").append(jsonString(name)).append(':')
                .append(jsonString(value)));
        if (extra != null) {
            body.append(',').append(extra);
        }
        return request(token).contentType("application/json").body(body.append('}').toString()).request(method, path);
    }

    private static Response form(String token, String path, Map<String, String> fields) {
        StringBuilder body = new StringBuilder("csrf-token=" + CSRF);
        fields.forEach((name, value) -> body.append('&').append(name).append('=').append(percent(value)));
        return request(token).cookie("gatehouse-csrf", CSRF).contentType("application/x-www-form-urlencoded")
                .body(body.toString()).post(path);
    }

    private static Response csv(String token, String text) {
        return request(token).contentType("text/csv").body(text.getBytes(StandardCharsets.UTF_8)).post("/api/admin/grants/import");
    }

    private static RequestSpecification request(String token) {
        return given().auth().oauth2(token).redirects().follow(false).urlEncodingEnabled(false);
    }

    private static Map<String, String> with(Map<String, String> base, String field, String value) {
        Map<String, String> copy = new LinkedHashMap<>(base);
        copy.put(field, value);
        return copy;
    }

    /**
     * Percent-encodes every byte but the unreserved characters, a lone surrogate as the three bytes a careless encoder
     * would send (invalid UTF-8): what arrives decoded is the case itself, whatever it holds.
     */
    static String percent(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            byte[] bytes;
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes = value.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes = new byte[] { (byte) (0xE0 | c >> 12), (byte) (0x80 | c >> 6 & 0x3F), (byte) (0x80 | c & 0x3F) };
            } else if (c < 128 && (Character.isLetterOrDigit(c) || "-_~".indexOf(c) >= 0)) {
                out.append(c);
                continue;
            } else {
                bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
            }
            for (byte b : bytes) {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    /** A JSON string that carries every UTF-16 unit as it is (lone surrogates as \\u escapes). */
    private static String jsonString(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }

    private static String csvRow(String[] cells) {
        List<String> quoted = new ArrayList<>();
        for (String cell : cells) {
            quoted.add("\"" + cell.replace("\"", "\"\"") + "\"");
        }
        return String.join(",", quoted);
    }

    // ---- what must not change ------------------------------------------------------------------------------------

    /**
     * The newest ids and the row counts where there is no id to go by, and the fixture team's settings; refusals
     * (DENIED rows) may be audited. Cheap enough to take around every case.
     */
    private String databaseState() {
        try (var connection = db.getConnection(); var query = connection.prepareStatement("""
                SELECT (SELECT max(id) FROM access_grant) || ' grant, ' || (SELECT count(*) FROM upload_session)
                    || ' uploads, ' || (SELECT max(id) FROM content_item) || ' item, ' || (SELECT count(*) FROM team)
                    || ' teams, ' || (SELECT max(id) FROM audit_event WHERE outcome <> 'DENIED') || ' audit row, team '
                    || md5(t::text)
                FROM team t WHERE t.slug = ?""")) {
            query.setString(1, team);
            var result = query.executeQuery();
            result.next();
            return result.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private long objectsInTheBucket() {
        return s3.listObjectsV2Paginator(r -> r.bucket(config.bucket())).contents().stream().count();
    }

    // ---- the corpus ----------------------------------------------------------------------------------------------

    static List<String> corpus() throws IOException {
        List<String> cases = new ArrayList<>();
        try (var in = HostileInputTest.class.getResourceAsStream("/security/hostile-inputs.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n", -1)) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("@repeat:")) {
                    int last = line.lastIndexOf(':');
                    cases.add(unescape(line.substring(8, last)).repeat(Integer.parseInt(line.substring(last + 1))));
                } else {
                    cases.add(unescape(line));
                }
            }
        }
        return cases;
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                out.append(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case '0' -> out.append('\0');
                case 'u' -> {
                    out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> throw new IllegalArgumentException("unknown escape \\" + next + " in " + text);
            }
        }
        return out.toString();
    }

    private static Throwable rootCause(Throwable thrown) {
        return thrown.getCause() == null ? thrown : rootCause(thrown.getCause());
    }

    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        value.chars().limit(40).forEach(c -> out.append(c < 0x20 || c > 0x7E ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return "\"" + out + (value.length() > 40 ? "…(" + value.length() + ")" : "") + "\"";
    }

    private static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ");
        return flat.length() > 160 ? flat.substring(0, 160) + "…" : flat;
    }
}
