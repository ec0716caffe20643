package io.gatehouse.web;

/**
 * Text Gatehouse will store: PostgreSQL refuses NUL in text, and an unpaired surrogate would be stored as "?". Both
 * are the caller's mistake, answered with a 400 that names the field, before anything is written. Beyond storable,
 * what a person later reads must say what it is: an identifier (a grant's subject) and a line of text (a name) carry
 * no control, invisible or text-direction characters that would make one value look like another.
 */
public final class TextInput {

    /** Controls, format characters (zero-width, bidi), line and paragraph separators, the replacement character. */
    private static final java.util.regex.Pattern NOT_IN_IDENTIFIERS =
            java.util.regex.Pattern.compile("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\uFFFD]");
    /** In a line of text: controls, separators and the characters that reorder what is shown (Trojan Source). */
    private static final java.util.regex.Pattern NOT_IN_A_LINE =
            java.util.regex.Pattern.compile("[\\p{Cc}\\p{Zl}\\p{Zp}\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]");
    /** In a paragraph (a reason, a description): the same, but tabs and line breaks are fine. */
    private static final java.util.regex.Pattern NOT_IN_A_PARAGRAPH =
            java.util.regex.Pattern.compile("[\\p{Cc}&&[^\\t\\n\\r]]|[\\p{Zl}\\p{Zp}\\u061C\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]");

    /** Null when the text can name something (a user, a team) unambiguously, else why not. */
    public static String identifierProblem(String value) {
        String storable = problemWith(value);
        if (storable != null || value == null) {
            return storable;
        }
        if (NOT_IN_IDENTIFIERS.matcher(value).find()) {
            return "contains control, invisible or text-direction characters";
        }
        if (!value.equals(value.strip())) {
            return "starts or ends with spaces";
        }
        if (!java.text.Normalizer.isNormalized(value, java.text.Normalizer.Form.NFC)) {
            return "is not in Unicode normal form C (an accent typed as a separate character)";
        }
        return null;
    }

    /** Null when the text is one line a person can read as it is meant (no reordering), else why not. */
    public static String lineProblem(String value) {
        String storable = problemWith(value);
        if (storable != null || value == null) {
            return storable;
        }
        return NOT_IN_A_LINE.matcher(value).find() ? "contains control, line-break or text-direction characters" : null;
    }

    /** As {@link #lineProblem}, but line breaks and tabs are allowed. */
    public static String paragraphProblem(String value) {
        String storable = problemWith(value);
        if (storable != null || value == null) {
            return storable;
        }
        return NOT_IN_A_PARAGRAPH.matcher(value).find() ? "contains control or text-direction characters" : null;
    }

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

    /** Refuses (400 naming the field) a paragraph with control or text-direction characters. */
    public static void requireParagraph(String field, String value) {
        String problem = paragraphProblem(value);
        if (problem != null) {
            throw GatehouseException.badRequest(field, "The " + field + " " + problem + ".");
        }
    }

    /** Refuses (400 naming the field) a line with control, line-break or text-direction characters. */
    public static void requireLine(String field, String value) {
        String problem = lineProblem(value);
        if (problem != null) {
            throw GatehouseException.badRequest(field, "The " + field + " " + problem + ".");
        }
    }
}
