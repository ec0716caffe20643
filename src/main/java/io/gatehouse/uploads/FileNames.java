package io.gatehouse.uploads;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a declared file name may be, and the safe version Gatehouse puts in the key. The original (accepted) name
 * is kept in the database and object metadata; the key only ever holds the safe one.
 */
final class FileNames {

    static final int MAX_BYTES = 255;
    private static final Pattern FORBIDDEN = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069]");
    private static final Pattern UNSAFE_IN_KEY = Pattern.compile("[^\\p{L}\\p{N}._()\\- ]");
    private static final Set<String> RESERVED = Set.of("con", "prn", "aux", "nul", "com1", "com2", "com3", "com4",
            "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9");

    private FileNames() {
    }

    /** Null when the name is acceptable, otherwise why not (a sentence for the user). */
    static String problemWith(String name) {
        if (name == null || name.isBlank()) {
            return "The file name is empty.";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "The file name is longer than " + MAX_BYTES + " bytes.";
        }
        if (FORBIDDEN.matcher(name).find()) {
            return "The file name contains control or text-direction characters.";
        }
        if (name.contains("/") || name.contains("\\")) {
            return "The file name contains a path separator ('/' or '\\').";
        }
        String trimmed = name.strip();
        if (trimmed.equals(".") || trimmed.equals("..") || trimmed.chars().allMatch(c -> c == '.')) {
            return "The file name is only dots.";
        }
        String base = trimmed.toLowerCase(Locale.ROOT);
        int dot = base.indexOf('.');
        if (RESERVED.contains(dot < 0 ? base : base.substring(0, dot))) {
            return "The file name is a reserved device name.";
        }
        return null;
    }

    /** A readable name safe for any file system and URL: letters, digits, space and . _ - ( ) only. */
    static String safe(String name) {
        String normalized = Normalizer.normalize(name.strip(), Normalizer.Form.NFC);
        String safe = UNSAFE_IN_KEY.matcher(normalized).replaceAll("_").replaceAll("_{2,}", "_");
        while (safe.startsWith(".") || safe.startsWith(" ")) {
            safe = safe.substring(1);
        }
        return safe.isEmpty() ? "file" : safe;
    }

    /** A user id as a single key segment. */
    static String segment(String userId) {
        String safe = userId.replaceAll("[^A-Za-z0-9._@-]", "_");
        return safe.isEmpty() || safe.startsWith(".") ? "_" + safe : safe;
    }
}
