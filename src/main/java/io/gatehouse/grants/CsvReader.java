package io.gatehouse.grants;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads RFC 4180 CSV one record at a time (quoted fields, doubled quotes, CRLF or LF), so a huge file is never
 * held in memory: the import stops reading once it has seen more rows than it accepts.
 */
final class CsvReader {

    private final Reader in;
    private int pushedBack = -2;
    private boolean ended;

    CsvReader(Reader in) {
        this.in = in;
    }

    /** The next record, or null at the end; a record is never longer than {@code maxChars}. */
    List<String> next(int maxChars) throws IOException {
        if (ended) {
            return null;
        }
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean sawAnything = false;
        int length = 0;
        while (true) {
            int c = read();
            if (c == -1) {
                ended = true;
                if (quoted) {
                    throw new IOException("a quoted field is not closed before the end of the file");
                }
                if (!sawAnything) {
                    return null;
                }
                fields.add(field.toString());
                return fields;
            }
            sawAnything = true;
            if (++length > maxChars) {
                throw new IOException("a row is longer than " + maxChars + " characters");
            }
            if (quoted) {
                if (c == '"') {
                    int following = read();
                    if (following == '"') {
                        field.append('"');
                    } else {
                        quoted = false;
                        unread(following);
                    }
                } else {
                    field.append((char) c);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' || c == '\n') {
                if (c == '\r') {
                    int following = read();
                    if (following != '\n') {
                        unread(following);
                    }
                }
                fields.add(field.toString());
                return fields;
            } else {
                field.append((char) c);
            }
        }
    }

    private int read() throws IOException {
        if (pushedBack != -2) {
            int c = pushedBack;
            pushedBack = -2;
            return c;
        }
        return in.read();
    }

    private void unread(int c) {
        pushedBack = c;
    }
}
