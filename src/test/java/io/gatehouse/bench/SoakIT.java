package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.gatehouse.dev.ProdStack;
import io.gatehouse.support.Ports;
import io.gatehouse.support.Tokens;
import io.gatehouse.system.PackagedApp;

/**
 * The soak (on demand, never part of CI's pass/fail): the packaged app in prod with the image's JVM settings, against
 * the production-like stack, for {@code -Dsoak.minutes} (default 5): 200 simulated users each browsing the catalog,
 * asking for a download URL and fetching it from the store, and every few rounds declaring an upload, PUTting it and
 * completing it; an admin revoking and re-granting users' read grants all along; the database server stopped for a
 * few seconds half-way. Prints the report: 5xx outside and inside the restart window, URLs received vs audit rows,
 * uploads verified vs items, orphan objects, rows lost, p50/p99 per step, heap and RSS over time.
 * Run: {@code ./mvnw verify -Dsoak -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SoakIT}
 */
@EnabledIfSystemProperty(named = "soak", matches = ".*")
class SoakIT {

    private static final int USERS = Integer.getInteger("soak.users", 200);
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
    private static final Pattern GRANT_ID = Pattern.compile("^\\{\"id\"\\s*:\\s*(\\d+)");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Queue<Long>> latencies = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final Queue<String> serverErrors = new ConcurrentLinkedQueue<>();
    private final AtomicLong urlsReceived = new AtomicLong();
    private final AtomicLong uploadsStarted = new AtomicLong();
    private final AtomicLong uploadsVerified = new AtomicLong();
    private final AtomicLong fetchesOk = new AtomicLong();
    private final Queue<Long> grantsCreated = new ConcurrentLinkedQueue<>();
    private final Map<String, Long> currentGrant = new ConcurrentHashMap<>();
    private volatile Instant outageStart = Instant.MAX;
    private volatile Instant outageEnd = Instant.MAX;
    private String base;

    @Test
    void soak() throws Exception {
        Duration length = Duration.ofSeconds((long) (Double.parseDouble(System.getProperty("soak.minutes", "5")) * 60));
        int port = Ports.free();
        try (ProdStack stack = new ProdStack()) {
            Map<String, String> environment = new java.util.LinkedHashMap<>(stack.start(List.of("http://localhost:" + port)));
            environment.put("GATEHOUSE_S3_PUBLIC_ENDPOINT", environment.get("GATEHOUSE_S3_ENDPOINT"));
            environment.put("GATEHOUSE_UPLOADS_MAX_FILES_PER_SESSION", "100000000");
            // One address stands for 200 people: its limits are theirs together; each user keeps the default.
            for (String limit : List.of("URLS", "UPLOADS", "DENIALS")) {
                environment.put("GATEHOUSE_RATE_LIMIT_" + limit + "_PER_ADDRESS", "100000000");
            }
            environment.putAll(JvmSettings.environment());
            try (PackagedApp app = new PackagedApp("soak", environment, port, JvmSettings.options())) {
                try (Connection db = stack.database(); var statement = db.createStatement()) {
                    statement.execute("INSERT INTO team (slug, display_name, key_prefix) VALUES ('soak', 'Soak', 'teams/soak/')");
                }
                base = "http://localhost:" + port;
                String bucket = environment.get("GATEHOUSE_S3_BUCKET");
                List<String> users = new ArrayList<>();
                for (int i = 0; i < USERS; i++) {
                    users.add("soak-" + i);
                }
                // Every user signs in once (the directory then knows them), gets a write grant and a read grant.
                for (String user : users) {
                    call("me", "GET", "/api/me", Tokens.of(user), null);
                    grant(user, "WRITE");
                    currentGrant.put(user, grant(user, "READ"));
                }
                for (int i = 0; i < 20; i++) {
                    upload(users.get(i), i);
                }
                List<String> trend = new ArrayList<>();
                Instant start = Instant.now();
                Instant end = start.plus(length);
                ExecutorService pool = Executors.newFixedThreadPool(USERS + 3);
                for (String user : users) {
                    pool.submit(() -> user(user, end));
                }
                pool.submit(() -> admin(users, end));
                pool.submit(() -> sample(app, end, start, trend));
                // Half-way, the database server goes away for five seconds and comes back.
                Thread.sleep(length.toMillis() / 2);
                outageStart = Instant.now();
                stack.stopDatabase();
                Thread.sleep(5_000); // the outage itself, not a wait for something to happen
                stack.startDatabase();
                while (status(app.management("/q/health/ready")) != 200 && Instant.now().isBefore(end)) {
                    Thread.sleep(100);
                }
                outageEnd = Instant.now();
                pool.shutdown();
                assertThat(pool.awaitTermination(length.toSeconds() + 120, TimeUnit.SECONDS)).isTrue();
                report(stack, bucket, start, trend);
            }
        }
    }

    private void user(String user, Instant end) {
        int round = 0;
        while (Instant.now().isBefore(end)) {
            try {
                String token = Tokens.of(user);
                HttpResponse<String> catalog = call("catalog", "GET", "/api/items", token, null);
                List<Long> items = new ArrayList<>();
                Matcher found = ID.matcher(catalog.statusCode() == 200 ? catalog.body() : "");
                while (found.find()) {
                    items.add(Long.parseLong(found.group(1)));
                }
                if (!items.isEmpty()) {
                    long item = items.get(ThreadLocalRandom.current().nextInt(items.size()));
                    HttpResponse<String> url = call("download-url", "POST", "/api/items/" + item + "/download-url", token, "");
                    if (url.statusCode() == 200) {
                        urlsReceived.incrementAndGet();
                        String signed = url.body().replaceAll("(?s).*\"url\"\\s*:\\s*\"([^\"]+)\".*", "$1").replace("\\u0026", "&");
                        long started = System.nanoTime();
                        int fetched = http.send(HttpRequest.newBuilder(URI.create(signed)).GET().build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        record("fetch", fetched, started);
                        if (fetched == 200) {
                            fetchesOk.incrementAndGet();
                        }
                    }
                }
                if (++round % 5 == 0) {
                    upload(user, round);
                }
            } catch (Exception e) {
                count("client-error " + e.getClass().getSimpleName());
            }
        }
    }

    private void upload(String user, int round) throws Exception {
        String token = Tokens.of(user);
        byte[] body = (user + " round " + round + " " + Instant.now()).getBytes(StandardCharsets.UTF_8);
        String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body));
        HttpResponse<String> started = call("upload-start", "POST", "/api/uploads", token, "{\"team\":\"soak\",\"filename\":\""
                + user + "-" + round + ".txt\",\"size\":" + body.length + ",\"contentType\":\"text/plain\",\"sha256\":\"" + sha + "\"}");
        if (started.statusCode() != 201) {
            return;
        }
        uploadsStarted.incrementAndGet();
        String id = field(started.body(), "id");
        String url = started.body().replaceAll("(?s).*\"put\"\\s*:\\s*\\{\\s*\"method\"\\s*:\\s*\"PUT\"\\s*,\\s*\"url\"\\s*:\\s*\"([^\"]+)\".*", "$1")
                .replace("\\u0026", "&");
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        Matcher headers = Pattern.compile("\"headers\"\\s*:\\s*\\{([^}]*)\\}").matcher(started.body());
        if (headers.find()) {
            Matcher header = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\"").matcher(headers.group(1));
            while (header.find()) {
                if (!header.group(1).equalsIgnoreCase("host") && !header.group(1).equalsIgnoreCase("content-length")) {
                    put.header(header.group(1), header.group(2));
                }
            }
        }
        long sent = System.nanoTime();
        record("put", http.send(put.build(), HttpResponse.BodyHandlers.discarding()).statusCode(), sent);
        // A completion refused by an outage is asked again, a bounded number of times: the client's part of "nothing lost".
        for (int attempt = 0; attempt < 60; attempt++) {
            HttpResponse<String> completed = call("upload-complete", "POST", "/api/uploads/" + id + "/complete", token, "");
            if (completed.statusCode() == 200 && completed.body().contains("\"verified\"")) {
                uploadsVerified.incrementAndGet();
                return;
            }
            if (completed.statusCode() < 500 && completed.statusCode() != 202) {
                return;
            }
            Thread.sleep(500);
        }
    }

    /** Revokes a random user's read grant and grants a new one, again and again. */
    private void admin(List<String> users, Instant end) {
        while (Instant.now().isBefore(end)) {
            try {
                String user = users.get(ThreadLocalRandom.current().nextInt(users.size()));
                Long old = currentGrant.get(user);
                HttpResponse<String> revoked = call("admin-revoke", "POST", "/api/admin/grants/" + old + "/revoke",
                        Tokens.of("carol"), "{\"reason\":\"soak\"}");
                if (revoked.statusCode() == 200) {
                    Long fresh = grant(user, "READ");
                    if (fresh != null) {
                        currentGrant.put(user, fresh);
                    }
                }
                Thread.sleep(200); // the admin's pace
            } catch (Exception e) {
                count("client-error " + e.getClass().getSimpleName());
            }
        }
    }

    private Long grant(String user, String permission) throws Exception {
        HttpResponse<String> created = call("admin-grant", "POST", "/api/admin/grants", Tokens.of("carol"),
                "{\"subjectType\":\"USER\",\"subject\":\"" + user + "\",\"resourceType\":\"PREFIX\",\"resource\":\"teams/soak/\","
                        + "\"permission\":\"" + permission + "\",\"validUntil\":\"" + Instant.now().plus(Duration.ofDays(1))
                        + "\",\"reason\":\"soak\"}");
        Matcher id = GRANT_ID.matcher(created.body());
        if (created.statusCode() == 201 && id.find()) {
            long grant = Long.parseLong(id.group(1));
            grantsCreated.add(grant);
            return grant;
        }
        return null;
    }

    private void sample(PackagedApp app, Instant end, Instant start, List<String> trend) {
        while (Instant.now().isBefore(end)) {
            try {
                long rss = Files.readAllLines(Path.of("/proc/" + app.pid() + "/status")).stream()
                        .filter(line -> line.startsWith("VmRSS:")).mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                        .findFirst().orElse(0) / 1024;
                double heap = http.send(HttpRequest.newBuilder(URI.create(app.management("/q/metrics"))).build(),
                        HttpResponse.BodyHandlers.ofString()).body().lines()
                        .filter(line -> line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\""))
                        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum() / 1048576;
                synchronized (trend) {
                    trend.add(String.format("%4ds rss %4d MB heap %5.1f MB", Duration.between(start, Instant.now()).toSeconds(), rss, heap));
                }
                Thread.sleep(15_000); // the sampling interval
            } catch (Exception e) {
                count("sampler " + e.getClass().getSimpleName());
            }
        }
    }

    private HttpResponse<String> call(String step, String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        long started = System.nanoTime();
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        record(step, response.statusCode(), started);
        return response;
    }

    private void record(String step, int status, long startedNanos) {
        latencies.computeIfAbsent(step, k -> new ConcurrentLinkedQueue<>()).add(System.nanoTime() - startedNanos);
        count(step + " " + status);
        if (status >= 500) {
            serverErrors.add(Instant.now() + " " + step + " " + status);
        }
    }

    private void count(String what) {
        statuses.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return 0;
        }
    }

    private void report(ProdStack stack, String bucket, Instant start, List<String> trend) throws Exception {
        long inWindow = 0;
        long outside = 0;
        Instant windowFrom = outageStart.minusSeconds(1);
        Instant windowTo = outageEnd.plusSeconds(5);
        for (String error : serverErrors) {
            Instant at = Instant.parse(error.substring(0, error.indexOf(' ')));
            if (at.isAfter(windowFrom) && at.isBefore(windowTo)) {
                inWindow++;
            } else {
                outside++;
            }
        }
        long issuedRows;
        long startedRows;
        long items;
        long presentGrants;
        long unsealed;
        java.util.Set<String> listedOrOpen = new java.util.HashSet<>();
        Map<String, Long> sessions = new TreeMap<>();
        try (Connection db = stack.database(); var statement = db.createStatement()) {
            issuedRows = one(statement, "SELECT count(*) FROM audit_event WHERE action = 'DOWNLOAD_URL_ISSUED' AND actor LIKE 'soak-%'");
            startedRows = one(statement, "SELECT count(*) FROM audit_event WHERE action = 'UPLOAD_STARTED' AND actor LIKE 'soak-%'");
            items = one(statement, "SELECT count(*) FROM content_item WHERE object_key LIKE 'teams/soak/%'");
            presentGrants = one(statement, "SELECT count(*) FROM access_grant WHERE id IN (" + grantsCreated.stream()
                    .map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("0") + ")");
            unsealed = one(statement, "SELECT count(*) FROM audit_unsealed");
            try (var rows = statement.executeQuery("SELECT object_key FROM content_item WHERE object_key LIKE 'teams/soak/%' "
                    + "UNION SELECT object_key FROM upload_session WHERE team_slug = 'soak' AND status NOT IN ('VERIFIED', 'REJECTED', 'ABORTED', 'EXPIRED')")) {
                while (rows.next()) {
                    listedOrOpen.add(rows.getString(1));
                }
            }
            try (var rows = statement.executeQuery("SELECT status, count(*) FROM upload_session WHERE team_slug = 'soak' GROUP BY status")) {
                while (rows.next()) {
                    sessions.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        long objects;
        long orphans;
        try (var s3 = stack.s3()) {
            List<String> keys = s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix("teams/soak/")).contents().stream()
                    .map(software.amazon.awssdk.services.s3.model.S3Object::key).toList();
            objects = keys.size();
            orphans = keys.stream().filter(key -> !listedOrOpen.contains(key)).count();
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format("SOAK %d users for %ds; load average %s", USERS, Duration.between(start, Instant.now()).toSeconds(),
                Files.readString(Path.of("/proc/loadavg")).strip()));
        lines.add(String.format("SOAK database stopped at +%ds, ready again after %d ms",
                Duration.between(start, outageStart).toSeconds(), Duration.between(outageStart, outageEnd).toMillis()));
        lines.add(String.format("SOAK 5xx: %d outside the restart window, %d inside it (%s .. %s)", outside, inWindow, windowFrom, windowTo));
        lines.add(String.format("SOAK download URLs received %d, DOWNLOAD_URL_ISSUED rows %d; uploads started %d, UPLOAD_STARTED rows %d",
                urlsReceived.get(), issuedRows, uploadsStarted.get(), startedRows));
        lines.add(String.format("SOAK uploads verified %d (20 of them before the load), items %d; objects in the team's space %d, "
                + "of them neither listed nor in an open session (orphans) %d; sessions by status %s",
                uploadsVerified.get(), items, objects, orphans, sessions));
        lines.add(String.format("SOAK grants created by the admin %d, still in the table %d (rows lost %d); audit rows not yet sealed %d; fetches from the store OK %d",
                grantsCreated.size(), presentGrants, grantsCreated.size() - presentGrants, unsealed, fetchesOk.get()));
        new TreeMap<>(latencies).forEach((step, samples) -> {
            List<Long> sorted = new ArrayList<>(samples);
            Collections.sort(sorted);
            lines.add(String.format("SOAK %-16s n=%7d p50 %7.2f ms p99 %8.2f ms", step, sorted.size(),
                    sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) (sorted.size() * 0.99)) / 1e6));
        });
        lines.add("SOAK statuses " + new TreeMap<>(statuses.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()))));
        synchronized (trend) {
            trend.forEach(sample -> lines.add("SOAK memory " + sample));
        }
        lines.forEach(System.out::println);
        Files.write(Path.of("target/soak-report.txt"), lines);
    }

    private static long one(java.sql.Statement statement, String sql) throws java.sql.SQLException {
        try (var rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String field(String json, String name) {
        Matcher value = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        return value.find() ? value.group(1) : null;
    }
}
