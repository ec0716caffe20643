package io.gatehouse.grants;

import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.audit.RequestOrigin;
import io.gatehouse.identity.CurrentUser;
import io.gatehouse.identity.Directory;
import io.gatehouse.storage.S3Config;

/**
 * Grants from CSV: every row is checked (the create rules, known subjects, windows that overlap another row or a
 * grant already in force) and reported; the grants are written only when every row is valid, in one transaction.
 */
@ApplicationScoped
public class GrantImport {

    public static final List<String> COLUMNS = List.of("subject_type", "subject", "resource_type", "resource", "permission",
            "valid_from", "valid_until", "max_uses", "reason");
    public static final int MAX_ROWS = 10_000;
    private static final int MAX_ROW_CHARS = 8_192;

    /** One data row: its line in the file, what it asked for, and what is wrong with it (empty when valid). */
    public record Row(int line, Map<String, String> values, List<GrantAdminService.Problem> problems, Long grantId) {
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    /**
     * The outcome: {@code fileProblem} when the file itself is unusable (columns, size, syntax); otherwise every
     * row's result. {@code imported} is true only when the grants were written.
     */
    public record Report(String fileProblem, List<Row> rows, boolean dryRun, boolean imported, String importId) {
        public boolean valid() {
            return fileProblem == null && !rows.isEmpty() && rows.stream().allMatch(Row::valid);
        }

        public long invalidRows() {
            return rows.stream().filter(row -> !row.valid()).count();
        }
    }

    private final GrantAdminService admin;
    private final Directory directory;
    private final AuditService audit;
    private final S3Config s3;
    private final io.gatehouse.db.Sql sql;

    GrantImport(GrantAdminService admin, Directory directory, AuditService audit, S3Config s3, io.gatehouse.db.Sql sql) {
        this.sql = sql;
        this.admin = admin;
        this.directory = directory;
        this.audit = audit;
        this.s3 = s3;
    }

    /**
     * Checks the file; when {@code dryRun} is false and every row is valid, writes all grants (or none). The file is
     * read before the transaction starts, so a slow upload never holds a database connection.
     */
    public Report run(CurrentUser user, Reader csv, boolean dryRun, RequestOrigin origin) {
        List<Row> rows = new ArrayList<>();
        List<GrantAdminResource.CreateGrant> requests = new ArrayList<>();
        String fileProblem = read(csv, rows, requests);
        if (fileProblem != null) {
            return new Report(fileProblem, List.of(), dryRun, false, null);
        }
        if (rows.isEmpty()) {
            return new Report("The file has a header but no rows.", List.of(), dryRun, false, null);
        }
        return io.quarkus.narayana.jta.QuarkusTransaction.joiningExisting()
                .call(() -> checkAndWrite(user, rows, requests, dryRun, origin));
    }

    private Report checkAndWrite(CurrentUser user, List<Row> rows, List<GrantAdminResource.CreateGrant> requests, boolean dryRun,
            RequestOrigin origin) {
        for (int i = 0; i < rows.size(); i++) {
            if (requests.get(i) != null) {
                rows.get(i).problems().addAll(admin.problemsWith(requests.get(i)));
            }
        }
        checkSubjects(rows, requests);
        checkOverlaps(rows, requests);
        boolean valid = rows.stream().allMatch(Row::valid);
        if (dryRun || !valid) {
            return new Report(null, rows, dryRun, false, null);
        }
        String importId = UUID.randomUUID().toString();
        List<Row> written = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Grant grant = admin.insert(user, requests.get(i), origin, importId);
            Row row = rows.get(i);
            written.add(new Row(row.line(), row.values(), row.problems(), grant.id));
        }
        audit.record(AuditEntry.of(user.id(), AuditAction.GRANTS_IMPORTED, AuditOutcome.SUCCEEDED).from(origin)
                .detail("import", importId).detail("grants", written.size()));
        return new Report(null, written, false, true, importId);
    }

    /** Parses header and rows; returns a file-level problem or null. Rows get their field-level problems. */
    private String read(Reader csv, List<Row> rows, List<GrantAdminResource.CreateGrant> requests) {
        CsvReader reader = new CsvReader(csv);
        try {
            List<String> header = reader.next(MAX_ROW_CHARS);
            if (header == null) {
                return "The file is empty. The first line must name the columns: " + String.join(",", COLUMNS) + ".";
            }
            List<String> names = header.stream().map(name -> name.strip().toLowerCase(Locale.ROOT).replace("\uFEFF", "")).toList();
            List<String> unknown = names.stream().filter(name -> !COLUMNS.contains(name)).toList();
            List<String> missing = COLUMNS.stream().filter(name -> !names.contains(name)).toList();
            if (!unknown.isEmpty() || !missing.isEmpty() || Set.copyOf(names).size() != names.size()) {
                return "The columns must be exactly " + String.join(",", COLUMNS)
                        + (unknown.isEmpty() ? "" : "; unknown: " + String.join(", ", unknown))
                        + (missing.isEmpty() ? "" : "; missing: " + String.join(", ", missing))
                        + (Set.copyOf(names).size() != names.size() ? "; a column is named twice" : "") + ".";
            }
            int line = 1;
            for (List<String> fields; (fields = reader.next(MAX_ROW_CHARS)) != null;) {
                line++;
                if (fields.size() == 1 && fields.get(0).isBlank()) {
                    continue;
                }
                if (rows.size() == MAX_ROWS) {
                    return "The file has more than " + MAX_ROWS + " rows; split it into files of at most " + MAX_ROWS
                            + " rows. Nothing was written.";
                }
                Map<String, String> values = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    values.put(names.get(i), i < fields.size() ? fields.get(i).strip() : "");
                }
                List<GrantAdminService.Problem> problems = new ArrayList<>();
                if (fields.size() != names.size()) {
                    problems.add(new GrantAdminService.Problem(null, "has " + fields.size() + " fields, the header " + names.size() + "."));
                }
                GrantAdminResource.CreateGrant request = parse(values, problems);
                rows.add(new Row(line, values, problems, null));
                requests.add(request);
            }
            return null;
        } catch (IOException e) {
            return "The file is not valid CSV: " + e.getMessage() + ". Nothing was written.";
        }
    }

    private GrantAdminResource.CreateGrant parse(Map<String, String> v, List<GrantAdminService.Problem> problems) {
        Grant.SubjectType subjectType = enumValue(Grant.SubjectType.class, "subject_type", v.get("subject_type"), problems);
        String subject = required("subject", v.get("subject"), GrantAdminService.MAX_SUBJECT_LENGTH, problems);
        Grant.ResourceType resourceType = enumValue(Grant.ResourceType.class, "resource_type", v.get("resource_type"), problems);
        String resource = required("resource", v.get("resource"), io.gatehouse.storage.ObjectKeys.MAX_BYTES, problems);
        Grant.Permission permission = enumValue(Grant.Permission.class, "permission", v.get("permission"), problems);
        Instant validFrom = v.get("valid_from").isEmpty() ? null : instant("valid_from", v.get("valid_from"), problems);
        Instant validUntil = instant("valid_until", v.get("valid_until"), problems);
        Integer maxUses = null;
        if (!v.get("max_uses").isEmpty()) {
            try {
                maxUses = Integer.parseInt(v.get("max_uses"));
                if (maxUses < 1 || maxUses > GrantAdminService.MAX_USES_LIMIT) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                problems.add(new GrantAdminService.Problem("max_uses", "Use a whole number from 1 to " + GrantAdminService.MAX_USES_LIMIT + ", or leave it empty."));
            }
        }
        String reason = required("reason", v.get("reason"), GrantAdminService.MAX_REASON_LENGTH, problems);
        if (!problems.isEmpty()) {
            return null;
        }
        return new GrantAdminResource.CreateGrant(subjectType, subject, resourceType, resource, permission, validFrom, validUntil,
                maxUses, reason);
    }

    /** USER subjects must have signed in at least once; TEAM and ROLE subjects are checked by the create rules. */
    private void checkSubjects(List<Row> rows, List<GrantAdminResource.CreateGrant> requests) {
        List<String> users = java.util.stream.IntStream.range(0, requests.size()).filter(i -> checkable(rows, requests, i))
                .mapToObj(requests::get).filter(r -> r.subjectType() == Grant.SubjectType.USER)
                .map(GrantAdminResource.CreateGrant::subject).distinct().toList();
        Set<String> known = directory.knownUsers(users);
        for (int i = 0; i < rows.size(); i++) {
            var request = requests.get(i);
            if (request != null && request.subjectType() == Grant.SubjectType.USER && !known.contains(request.subject())) {
                rows.get(i).problems().add(new GrantAdminService.Problem("subject",
                        "Unknown user \"" + request.subject() + "\": nobody with this id has signed in to Gatehouse."));
            }
        }
    }

    /**
     * Two grants for the same subject, resource and permission whose windows overlap are a mistake in a bulk
     * file (one of them is redundant or the dates are off): flagged against other rows and grants in force.
     */
    private void checkOverlaps(List<Row> rows, List<GrantAdminResource.CreateGrant> requests) {
        Map<String, List<Integer>> bySubject = new HashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            var request = requests.get(i);
            if (request != null) {
                bySubject.computeIfAbsent(key(request.subjectType(), request.subject(), request.resourceType(), request.resource(),
                        request.permission()), k -> new ArrayList<>()).add(i);
            }
        }
        for (List<Integer> same : bySubject.values()) {
            for (int a = 0; a < same.size(); a++) {
                for (int b = a + 1; b < same.size(); b++) {
                    var first = requests.get(same.get(a));
                    var second = requests.get(same.get(b));
                    if (overlap(first.effectiveFrom(), first.validUntil(), second.effectiveFrom(), second.validUntil())) {
                        rows.get(same.get(b)).problems().add(new GrantAdminService.Problem("valid_from",
                                "Overlaps the window of line " + rows.get(same.get(a)).line() + " for the same subject and resource."));
                    }
                }
            }
        }
        overlapsInForce(rows, requests);
    }

    /** Grants in force that a row's window overlaps: one round trip for the whole file (10,000 rows). */
    private void overlapsInForce(List<Row> rows, List<GrantAdminResource.CreateGrant> requests) {
        List<Integer> index = new ArrayList<>();
        List<String[]> columns = List.of(new String[requests.size()], new String[requests.size()], new String[requests.size()],
                new String[requests.size()], new String[requests.size()]);
        java.sql.Timestamp[] from = new java.sql.Timestamp[requests.size()];
        java.sql.Timestamp[] until = new java.sql.Timestamp[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            var request = requests.get(i);
            if (checkable(rows, requests, i)) {
                int n = index.size();
                index.add(i);
                columns.get(0)[n] = request.subjectType().name();
                columns.get(1)[n] = request.subject().strip();
                columns.get(2)[n] = request.resourceType().name();
                columns.get(3)[n] = request.resource();
                columns.get(4)[n] = request.permission().name();
                from[n] = java.sql.Timestamp.from(request.effectiveFrom());
                until[n] = java.sql.Timestamp.from(request.validUntil());
            }
        }
        int n = index.size();
        sql.on("check the import against the grants in force", connection -> {
            try (var select = connection.prepareStatement("""
                SELECT u.n, g.id FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::timestamptz[])
                       WITH ORDINALITY AS u(subject_type, subject, resource_type, resource, permission, valid_from, valid_until, n)
                JOIN LATERAL (SELECT id FROM access_grant g
                              WHERE g.bucket = ? AND g.permission = u.permission AND g.resource = u.resource
                                AND g.subject_type = u.subject_type AND g.subject = u.subject AND g.resource_type = u.resource_type
                                AND g.revoked_at IS NULL AND g.valid_from < u.valid_until AND g.valid_until > u.valid_from
                              ORDER BY g.id LIMIT 1) g ON true""")) {
            for (int c = 0; c < 5; c++) {
                select.setArray(c + 1, connection.createArrayOf("text", java.util.Arrays.copyOf(columns.get(c), n)));
            }
            select.setArray(6, connection.createArrayOf("timestamptz", java.util.Arrays.copyOf(from, n)));
            select.setArray(7, connection.createArrayOf("timestamptz", java.util.Arrays.copyOf(until, n)));
            select.setString(8, s3.bucket());
            try (var found = select.executeQuery()) {
                while (found.next()) {
                    rows.get(index.get(found.getInt(1) - 1)).problems().add(new GrantAdminService.Problem("valid_from",
                            "Overlaps grant " + found.getLong(2) + ", already in force for the same subject and resource."));
                }
            }
            }
            return null;
        });
    }

    /**
     * Whether a row is worth asking the database about: parsed, and within the create rules (a row already refused
     * may hold text the database cannot even take, such as a NUL).
     */
    private static boolean checkable(List<Row> rows, List<GrantAdminResource.CreateGrant> requests, int i) {
        return requests.get(i) != null && rows.get(i).problems().isEmpty();
    }

    private static boolean overlap(Instant fromA, Instant untilA, Instant fromB, Instant untilB) {
        return fromA.isBefore(untilB) && fromB.isBefore(untilA);
    }

    private static String key(Object... parts) {
        return java.util.Arrays.toString(parts);
    }

    private static String required(String field, String value, int max, List<GrantAdminService.Problem> problems) {
        if (value == null || value.isEmpty()) {
            problems.add(new GrantAdminService.Problem(field, "is required."));
            return null;
        }
        if (value.length() > max) {
            problems.add(new GrantAdminService.Problem(field, "is longer than " + max + " characters."));
            return null;
        }
        return value;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String field, String value,
            List<GrantAdminService.Problem> problems) {
        if (value == null || value.isEmpty()) {
            problems.add(new GrantAdminService.Problem(field, "is required."));
            return null;
        }
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            problems.add(new GrantAdminService.Problem(field, "\"" + value + "\" is not one of "
                    + java.util.Arrays.toString(type.getEnumConstants()) + "."));
            return null;
        }
    }

    /** 2026-12-31 (midnight UTC) or an ISO-8601 instant such as 2026-12-31T18:00:00Z. */
    private static Instant instant(String field, String value, List<GrantAdminService.Problem> problems) {
        if (value == null || value.isEmpty()) {
            problems.add(new GrantAdminService.Problem(field, "is required."));
            return null;
        }
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(value);
        } catch (DateTimeParseException e) {
            problems.add(new GrantAdminService.Problem(field, "\"" + value + "\" is not a date (2026-12-31) or time (2026-12-31T18:00:00Z)."));
            return null;
        }
    }
}
