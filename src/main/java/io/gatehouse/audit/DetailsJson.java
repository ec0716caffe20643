package io.gatehouse.audit;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An audit row's details as JSON. The rows the hot paths write hold only text, whole numbers, booleans, instants and
 * lists of them; those are written here, as Jackson writes them, for a seventh of a download URL's issue that
 * Jackson's generic map serialisation cost. Anything else goes to Jackson. (The column is jsonb: PostgreSQL keeps the
 * meaning, not the spelling, and the hash chain hashes its own text of it.)
 */
final class DetailsJson {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private DetailsJson() {
    }

    static String write(Map<String, Object> details, ObjectMapper fallback) {
        StringBuilder json = new StringBuilder(64 + 32 * details.size()).append('{');
        for (Map.Entry<String, Object> detail : details.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            string(json, detail.getKey()).append(':');
            if (!value(json, detail.getValue())) {
                return withJackson(details, fallback);
            }
        }
        return json.append('}').toString();
    }

    /** False when the value is not one of the simple kinds. */
    private static boolean value(StringBuilder json, Object value) {
        if (value == null) {
            json.append("null");
        } else if (value instanceof String text) {
            string(json, text);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte
                || value instanceof Boolean) {
            json.append(value);
        } else if (value instanceof Instant instant) {
            // ISO-8601, as the instant prints itself.
            json.append('"').append(instant).append('"');
        } else if (value instanceof Collection<?> values) {
            json.append('[');
            boolean first = true;
            for (Object one : values) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                if (one instanceof Collection || !value(json, one)) {
                    return false;
                }
            }
            json.append(']');
        } else {
            return false;
        }
        return true;
    }

    /** Quoted, with what JSON requires escaped (quote, backslash, control characters), as Jackson escapes them. */
    private static StringBuilder string(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20) {
                        json.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }

    private static String withJackson(Map<String, Object> details, ObjectMapper json) {
        try {
            return json.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit details are not serialisable", e);
        }
    }
}
