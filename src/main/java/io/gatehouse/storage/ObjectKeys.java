package io.gatehouse.storage;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * What Gatehouse accepts as an S3 object key (or key prefix): plain, printable, at most 1024 bytes, no "..", no part
 * between slashes over 255 bytes.
 */
public final class ObjectKeys {

    public static final int MAX_BYTES = 1024;
    public static final int MAX_SEGMENT_BYTES = 255;
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\u2028\\u2029\\u202A-\\u202E\\u2066-\\u2069]");

    private ObjectKeys() {
    }

    /** Null when the key is acceptable, otherwise a sentence saying what is wrong with it. */
    public static String problemWith(String key) {
        if (key == null || key.isEmpty()) {
            return "must not be empty";
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "must be at most " + MAX_BYTES + " bytes in UTF-8";
        }
        if (CONTROL.matcher(key).find()) {
            return "must not contain NUL, control or bidirectional-override characters";
        }
        if (key.startsWith("/")) {
            return "must not start with '/'";
        }
        if (key.contains("\\")) {
            return "must not contain '\\'";
        }
        for (String segment : key.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return "must not contain '.' or '..' path segments";
            }
            // S3 itself has no such limit, but stores kept on a file system (S3Proxy's, MinIO's) hold a segment as a
            // file name: a key every store can hold.
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                return "must not have a part between '/' longer than " + MAX_SEGMENT_BYTES + " bytes";
            }
        }
        if (key.contains("//")) {
            return "must not contain empty path segments ('//')";
        }
        return null;
    }

    /** The last segment of a key: the name a download is saved under. */
    public static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }
}
