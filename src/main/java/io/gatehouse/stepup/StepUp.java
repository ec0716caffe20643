package io.gatehouse.stepup;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.gatehouse.audit.AuditAction;
import io.gatehouse.audit.AuditEntry;
import io.gatehouse.audit.AuditOutcome;
import io.gatehouse.audit.AuditService;
import io.gatehouse.identity.CurrentUser;
import io.quarkus.security.identity.SecurityIdentity;

/**
 * Decides whether the current sign-in is recent (and strong) enough for a destructive action. Reads the token
 * the request was authenticated with: the ID token of a browser session, the access token of an API call.
 */
@ApplicationScoped
public class StepUp {

    private final StepUpConfig config;
    private final SecurityIdentity identity;
    private final AuditService audit;

    StepUp(StepUpConfig config, SecurityIdentity identity, AuditService audit) {
        this.config = config;
        this.identity = identity;
        this.audit = audit;
    }

    /**
     * Refuses (401 {@code step_up_required}) unless the sign-in satisfies the policy; the refusal is audited in its
     * own transaction, so it stays on record although the action's transaction never starts.
     */
    public void require(CurrentUser user, String action, String returnTo) {
        String missing = missing();
        if (missing != null) {
            audit.recordAlone(AuditEntry.of(user.id(), AuditAction.STEP_UP_REQUIRED, AuditOutcome.DENIED).reason("step_up")
                    .detail("action", action));
            throw new StepUpRequired(missing, returnTo);
        }
    }

    /** Null when the sign-in satisfies the policy, else what is missing, in words for the user. */
    public String missing() {
        if (!(identity.getPrincipal() instanceof JsonWebToken token)) {
            return "This needs a signed-in user.";
        }
        Long authTime = seconds(token.getClaim("auth_time"));
        if (authTime == null && config.acceptIssuedAt()) {
            authTime = seconds(token.getClaim("iat"));
        }
        if (authTime == null) {
            return "Your identity provider did not say when you signed in (no auth_time), so this action cannot be confirmed.";
        }
        Duration age = Duration.between(Instant.ofEpochSecond(authTime), Instant.now());
        if (age.compareTo(config.maxAge()) > 0) {
            return "You signed in " + words(age) + " ago; this action needs a sign-in within the last " + words(config.maxAge())
                    + ".";
        }
        if (config.acrValues().isPresent()) {
            Object acr = token.getClaim("acr");
            String value = acr == null ? null : acr.toString().replace("\"", "");
            if (value == null || !config.acrValues().get().contains(value)) {
                return "This action needs a sign-in with " + String.join(" or ", config.acrValues().get())
                        + " (your sign-in was " + (value == null ? "without an authentication level" : value) + ").";
            }
        }
        return null;
    }

    void recordCompleted(CurrentUser user) {
        audit.recordAlone(AuditEntry.of(user.id(), AuditAction.STEP_UP_COMPLETED, AuditOutcome.SUCCEEDED));
    }

    StepUpConfig config() {
        return config;
    }

    /** A NumericDate claim; null when absent (smallrye-jwt answers 0 for a missing registered claim). */
    private static Long seconds(Object claim) {
        long value = claim instanceof Number number ? number.longValue()
                : claim instanceof jakarta.json.JsonNumber number ? number.longValue() : 0;
        return value > 0 ? value : null;
    }

    static String words(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 120) {
            return seconds + " seconds";
        }
        if (seconds < 7200) {
            return seconds / 60 + " minutes";
        }
        return seconds / 3600 + " hours";
    }
}
