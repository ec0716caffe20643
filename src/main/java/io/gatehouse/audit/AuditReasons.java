package io.gatehouse.audit;

import java.util.Map;

/**
 * Every reason code the audit trail stores for a denial, a rejection or a failure, and its label for people: the
 * one place labels come from (the dashboard's legend, the audit viewer, the catalog's badges). Rows store the code;
 * a reason written by an admin (a revocation, a deletion) is shown as written.
 */
public final class AuditReasons {

    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("role", "role not allowed"),
            Map.entry("step_up", "fresh sign-in needed"),
            Map.entry("no_grant", "no grant"),
            Map.entry("grant_expired", "grant expired"),
            Map.entry("grant_revoked", "grant revoked"),
            Map.entry("grant_not_yet_valid", "grant not yet valid"),
            Map.entry("grant_used_up", "grant used up"),
            Map.entry("premium_required", "premium tier needed"),
            Map.entry("nothing_uploaded", "nothing uploaded"),
            Map.entry("parts_missing", "parts missing"),
            Map.entry("assembly_refused", "parts not assembled"),
            Map.entry("size_mismatch", "size differs"),
            Map.entry("type_mismatch", "type differs"),
            Map.entry("not_this_upload", "another upload's object"),
            Map.entry("encryption_mismatch", "not encrypted as required"),
            Map.entry("content_differs", "content differs"),
            Map.entry("changed_while_verifying", "changed while verified"),
            Map.entry("store_refused", "refused by the store"),
            Map.entry("cancelled", "cancelled"),
            Map.entry("window_ended", "window ended"),
            Map.entry("ended_upload_url", "written after the upload ended"),
            Map.entry("not_supported", "not supported by the store"),
            Map.entry("store_unavailable", "store unavailable"),
            Map.entry("kms_budget", "KMS request budget reached"),
            Map.entry("would_lock_out", "would lock Gatehouse out"));

    private AuditReasons() {
    }

    /** Whether a stored reason is one of the codes above (not an admin's own words): metrics tag only codes. */
    static boolean isCode(String reason) {
        return reason != null && LABELS.containsKey(reason);
    }

    /** The label of a code; anything else (an admin's own words) as it stands. */
    public static String label(String reason) {
        return reason == null ? "" : LABELS.getOrDefault(reason, reason);
    }
}
