package io.gatehouse.db;

/** Text searched with SQL {@code LIKE ... ESCAPE '\'}: the user's %, _ and backslash match themselves, never as wildcards. */
public final class Like {

    private Like() {
    }

    public static String escape(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /**
     * The smallest string greater than every string starting with {@code prefix}, in code-point (= UTF-8 byte)
     * order: the prefix with its last code point incremented. Null when there is none.
     */
    public static String prefixUpperBound(String prefix) {
        int end = prefix.length();
        while (end > 0) {
            int last = prefix.codePointBefore(end);
            int start = end - Character.charCount(last);
            if (last < Character.MAX_CODE_POINT) {
                int next = last + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : last + 1;
                return prefix.substring(0, start) + new String(Character.toChars(next));
            }
            end = start;
        }
        return null;
    }
}
