package io.gatehouse.catalog;

import io.gatehouse.web.GatehouseException;

/** Item ids arrive as text in paths and forms; anything but a positive number is a clear 400, not a 404. */
public final class ItemIds {

    private ItemIds() {
    }

    public static long parse(String raw) {
        try {
            long id = Long.parseLong(raw);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // fall through to the refusal
        }
        throw GatehouseException.badRequest("id", "An item id is a positive whole number; got \"" + shorten(raw) + "\".");
    }

    private static String shorten(String raw) {
        String text = raw == null ? "" : raw.replaceAll("\\p{Cntrl}", "?");
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
