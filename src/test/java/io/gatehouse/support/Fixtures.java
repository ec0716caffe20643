package io.gatehouse.support;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import io.restassured.http.ContentType;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Test data made the way the product makes it: objects go into the real S3 server, items and grants are created
 * through the admin API (as carol, the demo admin), so every fixture is also audited.
 */
public final class Fixtures {

    public static final String ADMIN = "carol";

    private Fixtures() {
    }

    /** A key space no demo grant covers, unique to one test. */
    public static String uniquePrefix() {
        return "tests/" + UUID.randomUUID() + "/";
    }

    public static long item(S3Client s3, String bucket, String key, String body, String contentType, String tier) {
        s3.putObject(r -> r.bucket(bucket).key(key).contentType(contentType),
                RequestBody.fromString(body, StandardCharsets.UTF_8));
        return given().auth().oauth2(Tokens.of(ADMIN)).contentType(ContentType.JSON)
                .body(Map.of("key", key, "title", "Test item " + key, "tier", tier))
                .when().post("/api/admin/items")
                .then().log().ifValidationFails().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    public static long grant(String subjectType, String subject, String resourceType, String resource, Instant validFrom,
            Instant validUntil, Integer maxUses) {
        return grant(subjectType, subject, resourceType, resource, "READ", validFrom, validUntil, maxUses);
    }

    /** A WRITE grant valid from a minute ago for a day. */
    public static long writeGrant(String subjectType, String subject, String prefix) {
        Instant now = Instant.now();
        return grant(subjectType, subject, "PREFIX", prefix, "WRITE", now.minus(Duration.ofMinutes(1)),
                now.plus(Duration.ofDays(1)), null);
    }

    public static long grant(String subjectType, String subject, String resourceType, String resource, String permission,
            Instant validFrom, Instant validUntil, Integer maxUses) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("subjectType", subjectType);
        body.put("subject", subject);
        body.put("resourceType", resourceType);
        body.put("resource", resource);
        body.put("permission", permission);
        body.put("validFrom", validFrom.toString());
        body.put("validUntil", validUntil.toString());
        if (maxUses != null) {
            body.put("maxUses", maxUses);
        }
        body.put("reason", "test fixture");
        return given().auth().oauth2(Tokens.of(ADMIN)).contentType(ContentType.JSON).body(body)
                .when().post("/api/admin/grants")
                .then().log().ifValidationFails().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    /** A grant valid from a minute ago for a day. */
    public static long readGrant(String subjectType, String subject, String resourceType, String resource) {
        Instant now = Instant.now();
        return grant(subjectType, subject, resourceType, resource, now.minus(Duration.ofMinutes(1)),
                now.plus(Duration.ofDays(1)), null);
    }

    /** Whether the S3 server holds the object (HEAD); any answer but 200 or 404 fails the test. */
    public static boolean objectExists(S3Client s3, String bucket, String key) {
        try {
            s3.headObject(r -> r.bucket(bucket).key(key));
            return true;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    /** A team of its own (no member in any token), with these policy overrides (null: the default). */
    public static String team(DataSource db, Long quotaBytes, Integer maxFilesPerSession) {
        String slug = "t-" + UUID.randomUUID().toString().substring(0, 8);
        sql(db, "INSERT INTO team (slug, display_name, key_prefix, quota_bytes, max_files_per_session) VALUES (?, ?, ?, ?, ?)",
                slug, slug, "teams/" + slug + "/", quotaBytes, maxFilesPerSession);
        return slug;
    }

    /**
     * Waits (at most 20 s, polling) until some session waits for a lock in a statement {@code LIKE} the pattern: the
     * other side of a race is then known to be blocked where the test wants it.
     */
    public static void awaitWaitingFor(DataSource db, String statement) {
        await(20, "nothing waited for a lock in: " + statement, () -> waitingFor(db, statement) > 0);
    }

    /** How many of this database's connections wait for a lock in a statement like {@code statement} (a LIKE pattern). */
    public static long waitingFor(DataSource db, String statement) {
        return number(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                + "AND wait_event_type = 'Lock' AND query LIKE ?", statement);
    }

    /** Polls the query until it answers a number above 0; fails with {@code failure} after {@code seconds}. */
    public static void awaitPositive(DataSource db, long seconds, String failure, String query, Object... parameters) {
        await(seconds, failure, () -> number(db, query, parameters) != 0);
    }

    /** Polls until the condition holds; fails with {@code failure} after {@code seconds}. */
    public static void await(long seconds, String failure, BooleanSupplier condition) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // polling interval, bounded by the deadline
        }
    }

    /** The one number a query answers (a count, an id), straight from PostgreSQL. */
    public static long number(DataSource db, String query, Object... parameters) {
        try (var connection = db.getConnection(); var prepared = connection.prepareStatement(query)) {
            for (int i = 0; i < parameters.length; i++) {
                prepared.setObject(i + 1, parameters[i]);
            }
            try (var rows = prepared.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One statement straight to PostgreSQL (fixtures and settings the API has no call for). */
    public static int sql(DataSource db, String statement, Object... parameters) {
        try (var connection = db.getConnection(); var prepared = connection.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                prepared.setObject(i + 1, parameters[i]);
            }
            return prepared.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void revoke(long grantId) {
        given().auth().oauth2(Tokens.of(ADMIN)).contentType(ContentType.JSON).body(Map.of("reason", "test revoke"))
                .when().post("/api/admin/grants/" + grantId + "/revoke")
                .then().log().ifValidationFails().statusCode(200);
    }
}
