package io.gatehouse.web;

/** Text searched with SQL {@code LIKE ... ESCAPE '\'}: the user's %, _ and backslash match themselves, never as wildcards. */
public final class Like {

    private Like() {
    }

    public static String escape(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
