package io.gatehouse.web;

/**
 * Text Gatehouse will store: PostgreSQL refuses NUL in text, and an unpaired surrogate would be stored as "?". Both
 * are the caller's mistake, answered with a 400 that names the field, before anything is written.
 */
public final class TextInput {

    private TextInput() {
    }

    /** Null when the text can be stored as it is, else why not. */
    public static String problemWith(String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\0') {
                return "contains a NUL character";
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "contains an invalid (unpaired surrogate) character";
            }
        }
        return null;
    }

    /** Refuses (400 naming the field) text that cannot be stored as it is. */
    public static void require(String field, String value) {
        String problem = problemWith(value);
        if (problem != null) {
            throw GatehouseException.badRequest(field, "The " + field + " " + problem + ", which Gatehouse does not accept.");
        }
    }
}
