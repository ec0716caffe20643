package io.gatehouse.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.gatehouse.db.Sql;

/**
 * One row of the audit trail as written (the only read model of audit_event; rows are written from an
 * {@link AuditEntry}), with its seal when it has one. Insert-only: the table refuses UPDATE and DELETE (V1, V20).
 */
public record AuditEvent(long id, Instant occurredAt, String actor, String action, String outcome, String reason,
        String resource, Long grantId, String clientIp, String userAgent, String details, String rowHash) {

    private static final ObjectMapper DETAILS = new ObjectMapper();

    /** One value of the JSON details, as text; empty when absent. */
    public String detail(String name) {
        try {
            JsonNode value = DETAILS.readTree(details).get(name);
            return value == null || value.isNull() ? "" : value.asText();
        } catch (JsonProcessingException e) {
            return "";
        }
    }

    /** What people read for the reason: the label of a code, an admin's own words as written. */
    public String reasonLabel() {
        return AuditReasons.label(reason);
    }

    /** The one JDBC mapping of audit_event. */
    static AuditEvent fromRow(ResultSet row) throws SQLException {
        byte[] hash = row.getBytes("row_hash");
        return new AuditEvent(row.getLong("id"), row.getTimestamp("occurred_at").toInstant(), row.getString("actor"),
                row.getString("action"), row.getString("outcome"), row.getString("reason"), row.getString("resource"),
                Sql.longOrNull(row, "grant_id"), row.getString("client_ip"), row.getString("user_agent"), row.getString("details"),
                hash == null ? "" : HexFormat.of().formatHex(hash));
    }
}
