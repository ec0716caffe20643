package io.gatehouse.audit;

public enum AuditOutcome {
    /** An access decision that let the request through (a URL was issued). */
    ALLOWED,
    /** An access decision that refused the request. */
    DENIED,
    /** A change (grant, configuration) that was carried out. */
    SUCCEEDED,
    /** A change that was attempted and failed. */
    FAILED
}
