package io.gatehouse.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes audit rows. Always inside the caller's transaction ({@code MANDATORY}): the row commits with the decision
 * it records or not at all, so a failed audit write undoes the decision.
 */
@ApplicationScoped
public class AuditService {

    private final ObjectMapper json;

    AuditService(ObjectMapper json) {
        this.json = json;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public AuditEvent record(AuditEntry entry) {
        AuditEvent event = new AuditEvent();
        event.actor = entry.actor;
        event.action = entry.action;
        event.outcome = entry.outcome.name();
        event.reason = entry.reason;
        event.resource = entry.resource;
        event.grantId = entry.grantId;
        event.clientIp = entry.clientIp;
        event.userAgent = entry.userAgent;
        try {
            event.details = json.writeValueAsString(entry.details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit details are not serialisable", e);
        }
        event.persist();
        return event;
    }
}
