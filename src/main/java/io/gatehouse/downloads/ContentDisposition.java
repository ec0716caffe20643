package io.gatehouse.downloads;

import java.nio.charset.StandardCharsets;

/** {@code attachment; filename*=UTF-8''…} (RFC 6266 / RFC 8187): any file name, safely, always as a download. */
final class ContentDisposition {

    private ContentDisposition() {
    }

    static String attachment(String filename) {
        StringBuilder encoded = new StringBuilder("attachment; filename*=UTF-8''");
        for (byte b : filename.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (isAttrChar(c)) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return encoded.toString();
    }

    /** RFC 8187 attr-char: ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~". */
    private static boolean isAttrChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$&+-.^_`|~".indexOf(c) >= 0;
    }
}
