package io.gatehouse.grants;

/** Why a request was refused, as a stable code (API, audit trail) and a sentence for the person asking. */
public enum DenialReason {
    NO_GRANT("no_grant", "You have no grant for this item."),
    GRANT_EXPIRED("grant_expired", "Your grant for this item has expired."),
    GRANT_REVOKED("grant_revoked", "Your grant for this item was revoked."),
    GRANT_NOT_YET_VALID("grant_not_yet_valid", "Your grant for this item is not valid yet."),
    GRANT_USED_UP("grant_used_up", "Your grant for this item has no uses left."),
    PREMIUM_REQUIRED("premium_required", "This item is in the premium tier; your account is not premium.");

    private final String code;
    private final String message;

    DenialReason(String code, String message) {
        this.code = code;
        this.message = message;
    }

    public String code() {
        return code;
    }

    /** Short form for badges ("locked: grant expired"), from the one table of labels. */
    public String label() {
        return io.gatehouse.audit.AuditReasons.label(code);
    }

    public String message() {
        return message;
    }

    /** When several grants match but none allows, the most telling reason wins. */
    int precedence() {
        return switch (this) {
            case GRANT_REVOKED -> 5;
            case GRANT_USED_UP -> 4;
            case GRANT_EXPIRED -> 3;
            case GRANT_NOT_YET_VALID -> 2;
            default -> 1;
        };
    }
}
