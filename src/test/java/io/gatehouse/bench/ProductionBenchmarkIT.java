package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import io.gatehouse.dev.ProdStack;
import io.gatehouse.support.Ports;
import io.gatehouse.support.Tokens;
import io.gatehouse.system.PackagedApp;

/**
 * The production benchmark (on demand, never part of CI's pass/fail): the packaged app, {@code java -jar} in the
 * prod profile with the JVM settings the container image uses, against a real PostgreSQL, an S3 server and an IdP
 * issuing RS256 tokens (the packaged-app tests' {@link ProdStack}). Prints one table: start-to-ready on a migrated
 * database, then per endpoint req/s, p50, p99, app and database CPU per request and RSS, under wrk -t2 -c50.
 * Run: {@code ./mvnw verify -Dbenchmark -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ProductionBenchmarkIT}
 * ({@code -Dbench.seconds=20} per measured run, {@code -Dbench.warmup=30} before the first, {@code -Dbench.grants=1000000}
 * other grants in the table for the one-client decision latency; more options in README "Benchmarks").
 */
@EnabledIfSystemProperty(named = "benchmark", matches = ".*")
class ProductionBenchmarkIT {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in these
    private static final String TEAM = "team-a";
    private static final String DECLARATION = "{\"team\":\"team-u\",\"filename\":\"bench-{n}.txt\",\"size\":16,"
            + "\"contentType\":\"text/plain\",\"sha256\":\"zgKDMBTkSCknOumNUjBrQuOs0DaUv53JDLuF/giv32M=\"}";
    private static final byte[] UPLOADED = "sixteen bytes!!\n".getBytes();

    private final int seconds = Integer.getInteger("bench.seconds", 20);
    private final int warmup = Integer.getInteger("bench.warmup", 30);
    private final HttpClient http = HttpClient.newHttpClient();
    private Statements statements = Statements.OFF;
    private final List<String> table = new ArrayList<>();

    @Test
    void productionFigures() throws Exception {
        int port = Ports.free();
        try (ProdStack stack = new ProdStack()) {
            Map<String, String> environment = new LinkedHashMap<>(stack.start(List.of("http://localhost:" + port)));
            // Signing through an access point needs S3 Control configured; nothing calls it while URLs are signed.
            environment.put("GATEHOUSE_ACCESS_POINTS_ACCOUNT_ID", "123456789012");
            environment.put("GATEHOUSE_ACCESS_POINTS_GATEHOUSE_ROLE_ARN", "arn:aws:iam::123456789012:role/gatehouse");
            environment.put("GATEHOUSE_ACCESS_POINTS_CONTROL_ENDPOINT", "http://127.0.0.1:9");
            // No browser here: the benchmark's own client PUTs uploads where the app reaches the store.
            environment.put("GATEHOUSE_S3_PUBLIC_ENDPOINT", environment.get("GATEHOUSE_S3_ENDPOINT"));
            // The load declares thousands of files per user: lift the per-session count, not what is checked per file.
            environment.put("GATEHOUSE_UPLOADS_MAX_FILES_PER_SESSION", "100000000");
            // One address and a few users at thousands a second: the limits stay on (their cost is measured), above that.
            for (String limit : List.of("URLS", "UPLOADS", "DENIALS")) {
                environment.put("GATEHOUSE_RATE_LIMIT_" + limit + "_PER_USER", "100000000");
                environment.put("GATEHOUSE_RATE_LIMIT_" + limit + "_PER_ADDRESS", "100000000");
            }
            List<String> jvm = new ArrayList<>(JvmSettings.options());
            environment.putAll(JvmSettings.environment());
            String extra = System.getProperty("bench.jvm-extra", "").strip();
            if (!extra.isEmpty()) {
                jvm.addAll(List.of(extra.split("\\s+"))); // to try a setting before it goes into the image
            }
            if (Boolean.getBoolean("bench.jfr")) {
                // a profile of the measured app: jfr print --events jdk.ExecutionSample target/bench.jfr
                jvm.add("-XX:StartFlightRecording=filename=" + Path.of("target/bench.jfr").toAbsolutePath() + ",settings=profile");
            }
            System.out.println("BENCH JVM settings (from src/main/docker/Dockerfile.jvm): " + String.join(" ", jvm) + " "
                    + JvmSettings.environment());

            new PackagedApp("bench-migrate", environment, port, jvm).close(); // migrates the empty database
            List<Long> ready = new ArrayList<>();
            List<String> startedIn = new ArrayList<>();
            for (int i = 0; i < Integer.getInteger("bench.starts", 3); i++) {
                PackagedApp app = new PackagedApp("bench-start-" + i, environment, port, jvm);
                ready.add(app.readyMillis);
                startedIn.add(startedIn(app.log));
                app.close();
            }
            System.out.printf("BENCH start-to-ready (java -jar to /q/health/ready 200, migrated database): %s ms; "
                    + "Quarkus \"started in\": %s%n", ready, startedIn);
            if (Boolean.getBoolean("bench.start-only")) {
                return;
            }
            try (PackagedApp app = new PackagedApp("bench", environment, port, jvm);
                    Connection db = DriverManager.getConnection(environment.get("GATEHOUSE_DB_URL"),
                            environment.get("GATEHOUSE_DB_OWNER_USER"), environment.get("GATEHOUSE_DB_OWNER_PASSWORD"))) {
                statements = Boolean.getBoolean("bench.statements") ? new Statements(db) : Statements.OFF;
                Seeded seeded = seed(db, environment.get("GATEHOUSE_S3_BUCKET"));
                String dbSetup = System.getProperty("bench.db-setup", "");
                if (!dbSetup.isBlank()) {
                    System.out.printf("BENCH database setup: %s%n", dbSetup);
                    try (var statement = db.createStatement()) {
                        statement.execute(dbSetup);
                    }
                }
                Path readers = tokens("bench-reader", 8);
                Path uploaders = tokens("bench-uploader", 8);
                Processes processes = new Processes(app.pid());
                String base = "http://127.0.0.1:" + port;

                System.out.printf("BENCH warm-up: %d s of download-url%n", warmup);
                wrk(readers, "POST", base + "/api/items/" + seeded.bucketItem + "/download-url", warmup, null);
                boolean uploadsOnly = Boolean.getBoolean("bench.uploads-only");
                if (!uploadsOnly) {
                    measure("HTTP floor GET /q/health/live (management, no auth)", processes, readers, "GET",
                            app.management("/q/health/live").replace("localhost", "127.0.0.1"), null);
                    measure("bearer only GET /api/me", processes, readers, "GET", base + "/api/me", null);
                    measure("download-url, bucket", processes, readers, "POST",
                            base + "/api/items/" + seeded.bucketItem + "/download-url", null);
                    measure("download-url, access point", processes, readers, "POST",
                            base + "/api/items/" + seeded.accessPointItem + "/download-url", null);
                }
                // Cost that must not grow with the table: one client's decision latency with 1M other grants present.
                int grants = uploadsOnly ? 0 : Integer.getInteger("bench.grants", 1_000_000);
                if (grants > 0) {
                    seedGrants(db, environment.get("GATEHOUSE_S3_BUCKET"), grants);
                    measure("download-url, 1 client, " + grants + " more grants", processes, readers, "POST",
                            base + "/api/items/" + seeded.bucketItem + "/download-url", null, 1);
                }
                if (!Boolean.getBoolean("bench.downloads-only")) {
                    // Nothing before has run the upload code: it gets the downloads' warm-up, not only the 10 s of each row.
                    measure("upload start POST /api/uploads", processes, uploaders, "POST", base + "/api/uploads", DECLARATION,
                            50, warmup);
                    completions(processes, uploaders, base, environment);
                }
                long audited = count(db, "SELECT count(*) FROM audit_event WHERE action = 'DOWNLOAD_URL_ISSUED'");
                System.out.println();
                System.out.printf("BENCH production benchmark, %s, %d cores, load average %.2f (1 min) after the run%n",
                        Instant.now(), Runtime.getRuntime().availableProcessors(),
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                System.out.printf("BENCH start-to-ready (java -jar to /q/health/ready 200, migrated database): %s ms; "
                        + "Quarkus \"started in\": %s%n", ready, startedIn);
                System.out.printf("BENCH %-52s %9s %8s %8s %11s %10s %10s %8s %6s%n", "endpoint (wrk -t2 -c50 -d" + seconds + "s unless 1 client)",
                        "req/s", "p50 ms", "p99 ms", "app µs/req", "of it JIT", "db µs/req", "RSS MB", "errors");
                table.forEach(row -> System.out.println("BENCH " + row));
                System.out.printf("BENCH download URLs issued during the run: %d, each with its audit row%n", audited);
                assertThat(table).isNotEmpty();
            }
        }
    }

    /** What the benchmark's users may do: read grants, one item in the bucket and one in the team's access point. */
    record Seeded(long bucketItem, long accessPointItem) {
    }

    private Seeded seed(Connection db, String bucket) throws Exception {
        team(db, TEAM);
        update(db, "INSERT INTO access_point (team_slug, name, arn, network_origin, policy, state, updated_by) VALUES (?, ?, ?, "
                + "'INTERNET', '{}', 'OK', 'bench') ON CONFLICT DO NOTHING", TEAM, "gatehouse-team-a",
                "arn:aws:s3:us-east-1:123456789012:accesspoint/gatehouse-team-a");
        // Uploads go to a team without an access point (the benchmark's client PUTs to the store it can reach).
        team(db, "team-u");
        long bucketItem = item(db, bucket, "bench/catalog/report.pdf", null);
        long accessPointItem = item(db, bucket, "teams/team-a/report.pdf", TEAM);
        for (int i = 0; i < 8; i++) {
            grant(db, "bench-reader-" + i, bucket, "bench/", "READ");
            grant(db, "bench-reader-" + i, bucket, "teams/team-a/", "READ");
            grant(db, "bench-uploader-" + i, bucket, "teams/team-u/", "WRITE");
        }
        return new Seeded(bucketItem, accessPointItem);
    }

    private static void team(Connection db, String slug) throws Exception {
        update(db, "INSERT INTO team (slug, display_name, key_prefix) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", slug, slug,
                "teams/" + slug + "/");
    }

    /** A user's grant on a prefix, valid for a day. */
    private static void grant(Connection db, String user, String bucket, String prefix, String permission) throws Exception {
        Instant now = Instant.now();
        update(db, "INSERT INTO access_grant (subject_type, subject, bucket, resource_type, resource, permission, valid_from, "
                + "valid_until, reason, created_by) VALUES ('USER', ?, ?, 'PREFIX', ?, ?, ?, ?, 'benchmark', 'bench')",
                user, bucket, prefix, permission, Timestamp.from(now.minusSeconds(60)), Timestamp.from(now.plus(Duration.ofDays(1))));
    }

    private static long item(Connection db, String bucket, String key, String team) throws Exception {
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO content_item (bucket, object_key, title, size_bytes, "
                + "content_type, owner_team, created_by) VALUES (?, ?, ?, 1024, 'application/pdf', ?, 'bench') RETURNING id")) {
            insert.setString(1, bucket);
            insert.setString(2, key);
            insert.setString(3, "Benchmark " + key);
            insert.setString(4, team);
            try (var rows = insert.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static void update(Connection db, String sql, Object... parameters) throws Exception {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        }
    }

    private static long count(Connection db, String sql) throws Exception {
        try (var rows = db.createStatement().executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Path tokens(String prefix, int users) throws IOException {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < users; i++) {
            tokens.add(Tokens.of(prefix + "-" + i));
        }
        Path file = Files.createTempFile(prefix, ".txt");
        Files.write(file, tokens);
        return file;
    }

    /** Grants of other users on other keys, as a large deployment holds them (the lookup index must keep it flat). */
    private static void seedGrants(Connection db, String bucket, int count) throws Exception {
        long started = System.nanoTime();
        try (var statement = db.createStatement()) {
            statement.execute("INSERT INTO access_grant (subject_type, subject, bucket, resource_type, resource, permission, "
                    + "valid_from, valid_until, reason, created_by) SELECT CASE g % 3 WHEN 0 THEN 'USER' WHEN 1 THEN 'TEAM' "
                    + "ELSE 'ROLE' END, 'other-' || (g % 50000), '" + bucket + "', 'OBJECT', 'other/' || g || '.bin', "
                    + "CASE WHEN g % 4 = 0 THEN 'WRITE' ELSE 'READ' END, now() - interval '1 day', now() + interval '1 day', "
                    + "'benchmark', 'bench' FROM generate_series(1, " + count + ") g");
            statement.execute("ANALYZE access_grant");
        }
        System.out.printf("BENCH seeded %d grants in %.0f s%n", count, (System.nanoTime() - started) / 1e9);
    }

    /** A 10 s warm-up of the endpoint, then the measured run with the CPU the app and the database spent in it. */
    private void measure(String name, Processes processes, Path tokens, String method, String url, String body)
            throws Exception {
        measure(name, processes, tokens, method, url, body, 50);
    }

    /** {@code connections} 1: one client at a time, so the latency is the request's own cost, not queueing. */
    private void measure(String name, Processes processes, Path tokens, String method, String url, String body,
            int connections) throws Exception {
        measure(name, processes, tokens, method, url, body, connections, 10);
    }

    private void measure(String name, Processes processes, Path tokens, String method, String url, String body,
            int connections, int warmupSeconds) throws Exception {
        wrk(tokens, method, url, warmupSeconds, body, connections);
        statements.reset();
        Processes.Cpu before = processes.cpu();
        Map<String, String> result = wrk(tokens, method, url, seconds, body, connections);
        Processes.Cpu after = processes.cpu();
        long requests = Long.parseLong(result.get("requests"));
        statements.print(name, requests);
        long errors = Long.parseLong(result.get("non2xx")) + Long.parseLong(result.get("socket_errors"));
        if (errors > 0) {
            // The row's errors column adds these up; which kind they were is what tells a server fault from a client one.
            System.out.printf("BENCH errors of %s: %s non-2xx; socket: %s connect, %s read, %s write, %s timeout (wrk's 2 s)%n", name,
                    result.get("non2xx"), result.get("connect"), result.get("read"), result.get("write"), result.get("timeout"));
        }
        addRow(name, Double.parseDouble(result.get("rps")), Double.parseDouble(result.get("p50_ms")),
                Double.parseDouble(result.get("p99_ms")), requests, before, after, processes, errors);
    }

    /**
     * Upload completion (HeadObject, checks, item row, audit row): uploads declared and PUT to the store beforehand,
     * then completed by 50 concurrent clients; the store's own HeadObject latency is printed next to it.
     */
    private void completions(Processes processes, Path uploaderTokens, String base, Map<String, String> environment)
            throws Exception {
        List<String> tokens = Files.readAllLines(uploaderTokens);
        int count = 3000;
        ExecutorService pool = Executors.newFixedThreadPool(50);
        try {
            // Nothing before has completed an upload: a first round, not measured, lets the JIT compile that code too.
            complete(pool, tokens, base, declareAndPut(pool, tokens, base, count, "warm-"));
            List<String> ids = declareAndPut(pool, tokens, base, count, "complete-");
            statements.reset();
            Processes.Cpu before = processes.cpu();
            long started = System.nanoTime();
            long[] latencies = complete(pool, tokens, base, ids);
            double elapsed = (System.nanoTime() - started) / 1e9;
            Processes.Cpu after = processes.cpu();
            statements.print("upload complete", count);
            long errors = Arrays.stream(latencies).filter(latency -> latency < 0).count();
            Arrays.sort(latencies);
            addRow("upload complete (50 clients, 3000 uploads)", count / elapsed, latencies[count / 2] / 1e6,
                    latencies[(int) (count * 0.99)] / 1e6, count, before, after, processes, errors);
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code count} uploads declared and PUT to the store, by the pool's clients; their session ids. */
    private List<String> declareAndPut(ExecutorService pool, List<String> tokens, String base, int count, String name)
            throws Exception {
        List<Future<String>> declared = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String token = tokens.get(i % tokens.size());
            String body = DECLARATION.replace("{n}", name + i);
            declared.add(pool.submit(() -> startAndPut(base, token, body)));
        }
        List<String> ids = new ArrayList<>();
        for (Future<String> id : declared) {
            ids.add(id.get());
        }
        return ids;
    }

    /** Completes the uploads, by the pool's clients; each one's latency in ns, -1 for a failure (the first is printed). */
    private long[] complete(ExecutorService pool, List<String> tokens, String base, List<String> ids) throws Exception {
        var firstFailure = new java.util.concurrent.atomic.AtomicReference<String>();
        List<Future<Long>> timings = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String token = tokens.get(i % tokens.size());
            String id = ids.get(i);
            timings.add(pool.submit(() -> {
                long t0 = System.nanoTime();
                HttpResponse<String> done = http.send(HttpRequest.newBuilder(URI.create(base + "/api/uploads/" + id + "/complete"))
                        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (done.statusCode() != 200) {
                    firstFailure.compareAndSet(null, done.statusCode() + " " + done.body());
                    return -1L;
                }
                return System.nanoTime() - t0;
            }));
        }
        long[] latencies = new long[ids.size()];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = timings.get(i).get();
        }
        if (firstFailure.get() != null) {
            System.out.println("BENCH upload complete: first failure: " + firstFailure.get());
        }
        return latencies;
    }

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern URL = Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern HEADERS = Pattern.compile("\"headers\"\\s*:\\s*\\{([^}]*)\\}");
    private static final Pattern HEADER = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\"");

    private String startAndPut(String base, String token, String body) throws Exception {
        HttpResponse<String> started = http.send(HttpRequest.newBuilder(URI.create(base + "/api/uploads"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(201);
        Matcher id = ID.matcher(started.body());
        Matcher url = URL.matcher(started.body());
        Matcher headers = HEADERS.matcher(started.body());
        assertThat(id.find() && url.find() && headers.find()).as(started.body()).isTrue();
        HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(url.group(1).replace("\\u0026", "&")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(UPLOADED));
        Matcher header = HEADER.matcher(headers.group(1));
        while (header.find()) {
            if (!header.group(1).equalsIgnoreCase("content-length") && !header.group(1).equalsIgnoreCase("host")) {
                put.header(header.group(1), header.group(2));
            }
        }
        HttpResponse<String> stored = http.send(put.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);
        return id.group(1);
    }

    /** One line of the table (printed at once as well, so a run cut short still shows what it measured). */
    private void addRow(String name, double rps, double p50, double p99, long requests, Processes.Cpu before,
            Processes.Cpu after, Processes processes, long errors) throws IOException {
        String row = String.format("%-52s %9.0f %8.2f %8.2f %11.0f %10.0f %10.0f %8d %6d", name, rps, p50, p99,
                after.appMicros(before) / (double) requests, after.jitMicros(before) / (double) requests,
                after.dbMicros(before) / (double) requests, processes.rssMegabytes(), errors);
        System.out.println("BENCH measured: " + row);
        table.add(row);
    }

    private static String startedIn(Path log) throws IOException {
        Matcher matcher = Pattern.compile("started in ([0-9.]+s)").matcher(Files.readString(log));
        return matcher.find() ? matcher.group(1) : "?";
    }

    private static Map<String, String> wrk(Path tokens, String method, String url, int duration, String body)
            throws IOException, InterruptedException {
        return wrk(tokens, method, url, duration, body, 50);
    }

    private static Map<String, String> wrk(Path tokens, String method, String url, int duration, String body, int connections)
            throws IOException, InterruptedException {
        String line = Wrk.run(tokens, method, url, duration, connections, body);
        return Arrays.stream(line.substring("RESULT ".length()).split(" ")).map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> pair[1]));
    }

    /**
     * {@code -Dbench.statements=true}: what each measured endpoint cost PostgreSQL, statement by statement
     * (pg_stat_statements, nested statements such as triggers' included), per request of the endpoint.
     */
    static class Statements {

        static final Statements OFF = new Statements(null);

        private final Connection db;

        Statements(Connection db) {
            this.db = db;
            if (db != null) {
                execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            }
        }

        void reset() {
            if (db != null) {
                execute("SELECT pg_stat_statements_reset()");
            }
        }

        void print(String endpoint, long requests) throws Exception {
            if (db == null) {
                return;
            }
            try (PreparedStatement top = db.prepareStatement("SELECT calls, total_exec_time, toplevel, "
                    + "regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements "
                    + "WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC LIMIT 15");
                    var rows = top.executeQuery()) {
                System.out.printf("BENCH statements of %s (%d requests): calls/request, µs/request, nested?, statement%n",
                        endpoint, requests);
                while (rows.next()) {
                    String query = rows.getString(4);
                    System.out.printf("BENCH   %6.2f %8.1f %s %s%n", rows.getLong(1) / (double) requests,
                            rows.getDouble(2) * 1000 / requests, rows.getBoolean(3) ? " " : "n",
                            query.length() > 160 ? query.substring(0, 160) + "…" : query);
                }
            }
        }

        private void execute(String sql) {
            try (var statement = db.createStatement()) {
                statement.execute(sql);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(sql, e);
            }
        }
    }

    /** CPU time and memory of the app's JVM and of every PostgreSQL process, from /proc. */
    static final class Processes {

        /** {@code jitTicks}: the part of the app's time its JIT compiler threads spent (compiling, not serving). */
        record Cpu(long appTicks, long dbTicks, long jitTicks) {
            long appMicros(Cpu before) {
                return (appTicks - before.appTicks) * 1_000_000 / TICKS_PER_SECOND;
            }

            long jitMicros(Cpu before) {
                return (jitTicks - before.jitTicks) * 1_000_000 / TICKS_PER_SECOND;
            }

            long dbMicros(Cpu before) {
                return (dbTicks - before.dbTicks) * 1_000_000 / TICKS_PER_SECOND;
            }
        }

        private final long app;

        Processes(long app) {
            this.app = app;
        }

        Cpu cpu() throws IOException {
            long db = 0;
            try (var entries = Files.list(Path.of("/proc"))) {
                for (Path entry : entries.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    try {
                        String stat = Files.readString(entry.resolve("stat"));
                        if (stat.contains("(postgres)")) {
                            // own time plus that of finished children (backends of closed connections)
                            String[] fields = fields(stat);
                            db += Long.parseLong(fields[11]) + Long.parseLong(fields[12]) + Long.parseLong(fields[13])
                                    + Long.parseLong(fields[14]);
                        }
                    } catch (IOException | RuntimeException gone) {
                        // a process that ended between the listing and the read
                    }
                }
            }
            String[] fields = fields(Files.readString(Path.of("/proc/" + app + "/stat")));
            return new Cpu(Long.parseLong(fields[11]) + Long.parseLong(fields[12]), db, jitTicks());
        }

        /** CPU of the app's "C1/C2 CompilerThreadN" threads (their names as /proc shows them, cut to 15 characters). */
        private long jitTicks() throws IOException {
            long jit = 0;
            try (var threads = Files.list(Path.of("/proc/" + app + "/task"))) {
                for (Path thread : threads.toList()) {
                    try {
                        String stat = Files.readString(thread.resolve("stat"));
                        if (stat.contains(" CompilerThre")) {
                            String[] fields = fields(stat);
                            jit += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                        }
                    } catch (IOException | RuntimeException gone) {
                        // a thread that ended between the listing and the read
                    }
                }
            }
            return jit;
        }

        /** The fields of a /proc stat line after its "(name)": [11] utime, [12] stime, [13] cutime, [14] cstime. */
        private static String[] fields(String stat) {
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        }

        long rssMegabytes() throws IOException {
            return Files.readAllLines(Path.of("/proc/" + app + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElse(-1L);
        }
    }
}
