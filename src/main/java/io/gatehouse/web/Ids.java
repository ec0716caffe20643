package io.gatehouse.web;

/** Ids arrive as text in paths, forms and cursors; anything but a positive number is a clear 400, not a 404. */
public final class Ids {

    private Ids() {
    }

    public static long parse(String raw) {
        return parse("id", raw);
    }

    /** Parses a positive id; {@code field} names it in the refusal. */
    public static long parse(String field, String raw) {
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through to the refusal
        }
        throw GatehouseException.badRequest(field, "The " + field + " is a positive whole number; got \"" + shorten(raw) + "\".");
    }

    private static String shorten(String raw) {
        String text = raw == null ? "" : raw.replaceAll("\\p{Cntrl}", "?");
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
