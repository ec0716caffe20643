package io.gatehouse.audit;

import java.util.LinkedHashMap;
import java.util.Map;

/** One audit row to write, built fluently by the feature that made the decision. */
public final class AuditEntry {

    final String actor;
    final String action;
    final AuditOutcome outcome;
    String reason;
    String resource;
    Long grantId;
    String clientIp;
    String userAgent;
    final Map<String, Object> details = new LinkedHashMap<>();

    private AuditEntry(String actor, AuditAction action, AuditOutcome outcome) {
        this.actor = actor;
        this.action = action.name();
        this.outcome = outcome;
    }

    public static AuditEntry of(String actor, AuditAction action, AuditOutcome outcome) {
        return new AuditEntry(actor, action, outcome);
    }

    public AuditEntry reason(String reason) {
        this.reason = reason;
        return this;
    }

    public AuditEntry resource(String resource) {
        this.resource = resource;
        return this;
    }

    public AuditEntry grant(Long grantId) {
        this.grantId = grantId;
        return this;
    }

    public AuditEntry from(RequestOrigin origin) {
        if (origin != null) {
            this.clientIp = origin.clientIp();
            this.userAgent = origin.userAgent();
        }
        return this;
    }

    public AuditEntry detail(String name, Object value) {
        if (value != null) {
            details.put(name, value);
        }
        return this;
    }
}
