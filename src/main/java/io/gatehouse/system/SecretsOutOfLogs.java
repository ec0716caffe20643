package io.gatehouse.system;

import java.util.List;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logmanager.ExtLogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * The last guard between a secret and the log: whatever logs it (Gatehouse, the SDK, Vert.x, an exception's message),
 * a pre-signed URL's signature and security token, a bearer token or any JWT, a session cookie's value and an SSE-C
 * key are cut down to a stub before a handler writes the record. Gatehouse itself never logs them; this catches what
 * a library does. Installed on the console and file handlers ({@code quarkus.log.*.filter}).
 */
@LoggingFilter(name = "secrets-out-of-logs")
public final class SecretsOutOfLogs implements Filter {

    private record Rule(Pattern pattern, String replacement) {
    }

    private static final List<Rule> RULES = List.of(
            // A signature keeps 8 characters (enough to tell two apart), a security token none.
            new Rule(Pattern.compile("(X-Amz-Signature=)([0-9a-fA-F]{8})[0-9a-fA-F]+"), "$1$2…"),
            new Rule(Pattern.compile("(X-Amz-Security-Token=)[^&\\s\"']+"), "$1…"),
            new Rule(Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}"), "$1…"),
            new Rule(Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*"), "eyJ…(a JWT)"),
            new Rule(Pattern.compile("((?:__Host-)?q_session[A-Za-z0-9_]*=)[^;\\s\"']+"), "$1…"),
            new Rule(Pattern.compile("(?i)(x-amz-(?:copy-source-)?server-side-encryption-customer-key[\"']?\\s*[:=]\\s*[\"']?)[A-Za-z0-9+/]{20,}={0,2}"), "$1…"));

    private static final Pattern WORTH_A_LOOK = Pattern.compile("X-Amz-|(?i)bearer|eyJ|q_session|customer-key");

    /** The text with every secret the rules know cut down; the same instance when there is none. */
    static String redact(String text) {
        if (text == null || !WORTH_A_LOOK.matcher(text).find()) {
            return text;
        }
        String redacted = text;
        for (Rule rule : RULES) {
            Matcher matcher = rule.pattern().matcher(redacted);
            if (matcher.find()) {
                redacted = matcher.replaceAll(rule.replacement());
            }
        }
        return redacted;
    }

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            String message = ext.getFormattedMessage();
            String redacted = redact(message);
            if (redacted != message) {
                ext.setMessage(redacted, ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            }
        }
        if (record.getThrown() != null) {
            record.setThrown(redacted(record.getThrown(), 0));
        }
        return true;
    }

    /** The exception as is, or, when its message or a cause's carries a secret, a copy that does not (same trace). */
    private static Throwable redacted(Throwable thrown, int depth) {
        if (thrown == null || depth > 10) {
            return thrown;
        }
        Throwable cause = redacted(thrown.getCause(), depth + 1);
        String message = thrown.getMessage();
        String redacted = redact(message);
        if (redacted == message && cause == thrown.getCause()) {
            return thrown;
        }
        Throwable copy = new Throwable(thrown.getClass().getName() + (redacted == null ? "" : ": " + redacted), cause);
        copy.setStackTrace(thrown.getStackTrace());
        return copy;
    }
}
