package io.gatehouse.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.quarkus.qute.TemplateExtension;

/** Formatting helpers for every template. */
@TemplateExtension
public class TemplateExtensions {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** 1536 → "1.5 KiB". */
    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = { "KiB", "MiB", "GiB", "TiB" };
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(java.util.Locale.ROOT, value >= 10 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    }

    /** A size that reads back to exactly the same bytes (for form fields): "5 GiB", "300 MiB" or plain bytes. */
    public static String exactSize(Long bytes) {
        if (bytes == null) {
            return "";
        }
        String[] units = { "TiB", "GiB", "MiB", "KiB" };
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (4 - i));
            if (bytes % unit == 0) {
                return bytes / unit + " " + units[i];
            }
        }
        return bytes.toString();
    }

    static String utc(Instant instant) {
        return instant == null ? "" : WHEN.format(instant);
    }

    /** An ISO-8601 instant held as text (e.g. in audit details), shown like {@link #utc}. */
    static String utcText(String iso) {
        if (iso == null || iso.isEmpty()) {
            return "";
        }
        try {
            return WHEN.format(Instant.parse(iso));
        } catch (java.time.format.DateTimeParseException e) {
            return iso;
        }
    }

    public static String urlEncoded(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }
}
