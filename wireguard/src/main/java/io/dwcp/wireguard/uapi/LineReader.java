package io.dwcp.wireguard.uapi;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * '\n'-terminated lines from a client, each bounded before it is buffered. The protocol is ASCII; other bytes are
 * decoded as Latin-1 and then fail key or value checks.
 */
final class LineReader {
    /** A line longer than the limit; the connection cannot be resynchronised. */
    static final class TooLongException extends IOException {
        TooLongException(int limit) {
            super("error=line longer than " + limit + " bytes", null);
        }
    }

    private final InputStream in;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int end;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** The next line without its '\n', or null at end of stream (a final unterminated fragment is dropped). */
    String readLine(int maxBytes) throws IOException {
        byte[] line = new byte[Math.min(maxBytes, 256)];
        int len = 0;
        while (true) {
            if (pos == end && !fill()) {
                return null;
            }
            byte b = buf[pos++];
            if (b == '\n') {
                return new String(line, 0, len, StandardCharsets.ISO_8859_1);
            }
            if (len == maxBytes) {
                throw new TooLongException(maxBytes);
            }
            if (len == line.length) {
                line = Arrays.copyOf(line, Math.min(maxBytes, line.length * 2));
            }
            line[len++] = b;
        }
    }

    /** The next byte, or -1 at end of stream. */
    int read() throws IOException {
        if (pos == end && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }
}
