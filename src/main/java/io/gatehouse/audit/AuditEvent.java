package io.gatehouse.audit;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** One row of the audit trail. Insert-only: the table refuses UPDATE and DELETE (see V1__schema.sql). */
@Entity
@Immutable
@Table(name = "audit_event")
public class AuditEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "occurred_at", insertable = false, updatable = false)
    public Instant occurredAt;

    public String actor;

    public String action;

    @Column(name = "outcome")
    public String outcome;

    public String reason;

    public String resource;

    @Column(name = "grant_id")
    public Long grantId;

    @Column(name = "client_ip")
    public String clientIp;

    @Column(name = "user_agent")
    public String userAgent;

    @JdbcTypeCode(SqlTypes.JSON)
    public String details = "{}";

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
}
