package io.gatehouse.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.gatehouse.db.Like;
import io.gatehouse.db.Sql;

/**
 * Reading the audit trail: filtered keyset pages (newest first), a streamed CSV export with the same filters, and
 * the hash-chain verifier. Plain JDBC with server-side cursors, so neither a page at 10M rows nor an export of 1M
 * rows holds more than a page in memory.
 */
@ApplicationScoped
public class AuditTrail {

    public static final int PAGE_SIZE = 50;
    private static final int EXPORT_FETCH = 1000;

    /** Filters of the viewer and the export; null fields do not filter. {@code before} is the keyset cursor. */
    public record Filter(String actor, String action, String outcome, String resource, Instant from, Instant to, Long before,
            Long grantId) {
    }

    public record Page(List<AuditEvent> rows, Long nextBefore) {
    }

    /**
     * The first row whose hash does not match its content or its predecessor, if any. {@code rowsNotYetSealed}:
     * committed rows the sealer has not reached (a large backlog, e.g. after a bulk load), not covered by this check.
     */
    public record Verification(boolean intact, long rowsChecked, Long firstBrokenId, Long firstBrokenSeq, String problem,
            long rowsNotYetSealed, Long anchoredSeq, String anchor) {

        /** With what the anchors outside the database say (see AuditAnchors): intact only if both agree. */
        Verification anchored(boolean anchorHolds, Long seq, String words) {
            return new Verification(intact && anchorHolds, rowsChecked, firstBrokenId, firstBrokenSeq,
                    problem != null ? problem : anchorHolds ? null : words, rowsNotYetSealed, seq, words);
        }
    }

    private final Sql sql;

    AuditTrail(Sql sql) {
        this.sql = sql;
    }

    /** How many of the newest rows a resource-prefix page looks at before it asks the resource index. */
    static final int RECENT_WINDOW = 20_000;

    public Page page(Filter filter) {
        List<Object> parameters = new ArrayList<>();
        String where = where(filter, parameters);
        return sql.on("read the audit trail", connection -> {
            List<AuditEvent> page = filter.resource() != null
                    ? resourcePage(connection, filter, where, parameters)
                    : rows(connection, "SELECT * FROM audit_event" + where + " ORDER BY id DESC LIMIT " + (PAGE_SIZE + 1), parameters);
            Long next = page.size() > PAGE_SIZE ? page.get(PAGE_SIZE - 1).id() : null;
            return new Page(page.size() > PAGE_SIZE ? page.subList(0, PAGE_SIZE) : page, next);
        });
    }

    /** The newest {@code limit} rows of one actor and action (e.g. "my downloads"). */
    public List<AuditEvent> latest(String actor, AuditAction action, int limit) {
        return sql.list("read the audit trail", withSeals("SELECT * FROM audit_event WHERE actor = ? AND action = ? ORDER BY id DESC "
                + "LIMIT ?"), AuditEvent::fromRow, actor, action.name(), limit);
    }

    /**
     * Newest first under a resource prefix. Walking the id index backwards (the plan PostgreSQL picks) reads every
     * newer row before the first match: 650 ms at 10M rows for a prefix whose rows are old. So: look at the newest
     * {@link #RECENT_WINDOW} rows first (a busy prefix is answered there); otherwise collect the matches from the
     * resource index and keep the newest (cost grows with the matches, not with the table).
     */
    private List<AuditEvent> resourcePage(Connection connection, Filter filter, String where, List<Object> parameters)
            throws SQLException {
        List<Object> windowParameters = new ArrayList<>();
        String cursor = "";
        if (filter.before() != null) {
            cursor = " WHERE id < ?";
            windowParameters.add(filter.before());
        }
        windowParameters.addAll(parameters);
        List<AuditEvent> recent = rows(connection, "SELECT * FROM (SELECT * FROM audit_event" + cursor + " ORDER BY id DESC LIMIT "
                + RECENT_WINDOW + ") recent" + where + " ORDER BY id DESC LIMIT " + (PAGE_SIZE + 1), windowParameters);
        if (recent.size() > PAGE_SIZE) {
            return recent;
        }
        // OFFSET 0 keeps the inner query apart, so it is planned for "all matches" (the resource index), not for order.
        return rows(connection, "SELECT * FROM audit_event WHERE id IN (SELECT id FROM (SELECT id FROM audit_event" + where
                + " OFFSET 0) matches ORDER BY id DESC LIMIT " + (PAGE_SIZE + 1) + ") ORDER BY id DESC", parameters);
    }

    /**
     * Rows of audit_event chosen by {@code select} (newest first), each with its seal if it has one (V20: seals live
     * in audit_seal). Looked up row by row (LIMIT 1 keeps PostgreSQL from turning it into a join over both tables), so
     * a page costs its rows and an export streams in id order.
     */
    static String withSeals(String select) {
        return "SELECT e.*, s.chain_seq, s.prev_hash, s.row_hash FROM (" + select + ") e LEFT JOIN LATERAL (SELECT chain_seq, "
                + "prev_hash, row_hash FROM audit_seal WHERE event_id = e.id LIMIT 1) s ON true ORDER BY e.id DESC";
    }

    private static List<AuditEvent> rows(Connection connection, String sql, List<Object> parameters) throws SQLException {
        try (PreparedStatement select = prepare(connection, withSeals(sql), parameters); ResultSet rows = select.executeQuery()) {
            List<AuditEvent> page = new ArrayList<>();
            while (rows.next()) {
                page.add(AuditEvent.fromRow(rows));
            }
            return page;
        }
    }

    /** One row in full, with its place in the hash chain (null until the sealer has sealed it). */
    public record Detail(AuditEvent row, Long chainSeq, String prevHash) {
    }

    public Detail detail(long id) {
        return sql.one("read the audit trail", withSeals("SELECT * FROM audit_event WHERE id = ?"), row -> {
            byte[] prev = row.getBytes("prev_hash");
            return new Detail(AuditEvent.fromRow(row), Sql.longOrNull(row, "chain_seq"),
                    prev == null ? null : java.util.HexFormat.of().formatHex(prev));
        }, id).orElse(null);
    }

    /** Streams every matching row as CSV (RFC 4180), newest first, a cursor batch at a time. */
    public void exportCsv(Filter filter, OutputStream out) {
        List<Object> parameters = new ArrayList<>();
        String select = withSeals("SELECT * FROM audit_event" + where(filter, parameters) + " ORDER BY id DESC");
        sql.on("export the audit trail", connection -> {
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
            try (PreparedStatement rowsOut = prepare(connection, select, parameters)) {
                rowsOut.setFetchSize(EXPORT_FETCH);
                Writer csv = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 64 * 1024);
                csv.write("id,occurred_at,actor,action,outcome,reason,resource,grant_id,client_ip,user_agent,details,row_hash\r\n");
                try (ResultSet rows = rowsOut.executeQuery()) {
                    while (rows.next()) {
                        AuditEvent row = AuditEvent.fromRow(rows);
                        csv.write(row.id() + "," + row.occurredAt() + "," + cell(row.actor()) + "," + cell(row.action()) + ","
                                + cell(row.outcome()) + "," + cell(row.reason()) + "," + cell(row.resource()) + ","
                                + (row.grantId() == null ? "" : row.grantId()) + "," + cell(row.clientIp()) + ","
                                + cell(row.userAgent()) + "," + cell(row.details()) + "," + row.rowHash() + "\r\n");
                    }
                }
                csv.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                connection.rollback();
                connection.setAutoCommit(autoCommit);
            }
            return null;
        });
    }

    /** Rows sealed per call: one transaction's worth (V20 writes their seals with one INSERT). */
    static final int SEAL_BATCH = 50_000;

    /**
     * Seals committed rows into the hash chain (V3, V20). Idempotent; one sealer at a time across replicas. Returns how
     * many rows it took off the list of rows waiting for their seal.
     */
    public int seal() {
        return sql.one("seal the audit trail", "SELECT audit_event_seal(?)", row -> row.getInt(1), SEAL_BATCH).orElse(0);
    }

    private static long unsealed(Connection connection) throws SQLException {
        // Rows without a seal, whether or not they wait in audit_unsealed: a row taken off that list is counted too.
        try (PreparedStatement count = connection.prepareStatement(
                "SELECT count(*) FROM audit_event e WHERE NOT EXISTS (SELECT 1 FROM audit_seal WHERE event_id = e.id)");
                ResultSet rows = count.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /**
     * Seals what is pending (unless another sealer holds the lock), then walks the sealed chain in order and reports
     * the first broken link, and how many rows are not sealed yet.
     */
    public Verification verify() {
        while (seal() == SEAL_BATCH) {
            // keep sealing until the backlog is gone
        }
        String sql = """
                SELECT count(*) OVER () AS checked, id, chain_seq, problem FROM (
                    SELECT s.event_id AS id, s.chain_seq,
                           CASE WHEN e.id IS NULL THEN 'row removed (its seal is still in the chain)'
                                WHEN s.row_hash <> sha256(s.prev_hash || audit_event_canonical(e, s.chain_seq))
                                    THEN 'content changed'
                                WHEN s.prev_hash <> coalesce(lag(s.row_hash) OVER (ORDER BY s.chain_seq), '\\x'::bytea)
                                    THEN 'link to the previous row broken (a row was removed, inserted or re-hashed)'
                           END AS problem
                    FROM audit_seal s LEFT JOIN audit_event e ON e.id = s.event_id) walked
                ORDER BY (problem IS NULL), chain_seq
                LIMIT 1""";
        return this.sql.on("verify the audit trail", connection -> {
            try (PreparedStatement select = connection.prepareStatement(sql); ResultSet rows = select.executeQuery()) {
                long unsealed = unsealed(connection);
                if (!rows.next()) {
                    return new Verification(true, 0, null, null, null, unsealed, null, null);
                }
                long checked = rows.getLong("checked");
                String problem = rows.getString("problem");
                if (problem == null) {
                    return new Verification(true, checked, null, null, null, unsealed, null, null);
                }
                return new Verification(false, checked, rows.getLong("id"), rows.getLong("chain_seq"), problem, unsealed, null,
                        null);
            }
        });
    }

    private static String where(Filter filter, List<Object> parameters) {
        StringBuilder where = new StringBuilder(" WHERE true");
        if (filter.actor() != null) {
            where.append(" AND actor = ?");
            parameters.add(filter.actor());
        }
        if (filter.action() != null) {
            where.append(" AND action = ?");
            parameters.add(filter.action());
        }
        if (filter.outcome() != null) {
            where.append(" AND outcome = ?");
            parameters.add(filter.outcome());
        }
        if (filter.resource() != null) {
            // A plain range as well as the LIKE: a prepared statement's generic plan cannot turn "LIKE $1" into an
            // index range, and at 10M rows the difference is 1 s against a few ms (see AuditBenchmark).
            String upper = Like.prefixUpperBound(filter.resource());
            where.append(" AND resource ~>=~ ?");
            parameters.add(filter.resource());
            if (upper != null) {
                where.append(" AND resource ~<~ ?");
                parameters.add(upper);
            }
            where.append(" AND resource LIKE ? ESCAPE '\\'");
            parameters.add(Like.escape(filter.resource()) + "%");
        }
        if (filter.from() != null) {
            where.append(" AND occurred_at >= ?");
            parameters.add(filter.from());
        }
        if (filter.to() != null) {
            where.append(" AND occurred_at < ?");
            parameters.add(filter.to());
        }
        if (filter.grantId() != null) {
            where.append(" AND grant_id = ?");
            parameters.add(filter.grantId());
        }
        if (filter.before() != null) {
            where.append(" AND id < ?");
            parameters.add(filter.before());
        }
        return where.toString();
    }

    private static PreparedStatement prepare(Connection connection, String sql, List<Object> parameters) throws SQLException {
        PreparedStatement statement = Sql.prepare(connection, sql, parameters.toArray());
        // Planned with the actual values every time: a reused generic plan cannot tell a narrow resource prefix or a
        // rare actor from a broad one, and picked a table scan at 10M rows (760 ms); planning costs well under 1 ms.
        statement.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
        return statement;
    }

    /** A CSV cell: quoted when needed, and never read as a formula by a spreadsheet. */
    static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String safe = "=+-@\t\r".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
            return "\"" + safe.replace("\"", "\"\"") + "\"";
        }
        return safe;
    }
}
