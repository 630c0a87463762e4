package io.dwcp.core.message;

import io.dwcp.core.DwcpException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bounded reader over a control-frame body. Every count and length read from the wire is checked against
 * what remains in the body (and against the caller's limit) before anything is allocated for it.
 */
public final class BodyReader {
    private final ByteBuffer buf;
    private final String frame;
    /** A string's bytes on their way into it: one array per body (made at its first string), grown to its longest. */
    private byte[] scratch;

    public BodyReader(ByteBuffer body, String frame) {
        this.buf = body;
        this.frame = frame;
    }

    private DwcpException truncated(String field) {
        return DwcpException.protocol("frame=" + frame + " reason=truncated field=" + field);
    }

    public int u8(String field) throws DwcpException {
        if (buf.remaining() < 1) {
            throw truncated(field);
        }
        return buf.get() & 0xff;
    }

    public int u16(String field) throws DwcpException {
        if (buf.remaining() < 2) {
            throw truncated(field);
        }
        return buf.getShort() & 0xffff;
    }

    public int i32(String field) throws DwcpException {
        if (buf.remaining() < 4) {
            throw truncated(field);
        }
        return buf.getInt();
    }

    public long i64(String field) throws DwcpException {
        if (buf.remaining() < 8) {
            throw truncated(field);
        }
        return buf.getLong();
    }

    /** A non-negative count bounded by {@code max}, each element taking at least {@code minElementBytes}. */
    public int count(String field, int max, int minElementBytes) throws DwcpException {
        int n = i32(field);
        if (n < 0 || n > max) {
            throw DwcpException.protocol("frame=" + frame + " reason=limit field=" + field + " count="
                    + Integer.toUnsignedString(n) + " max=" + max);
        }
        if ((long) n * minElementBytes > buf.remaining()) {
            throw truncated(field);
        }
        return n;
    }

    public byte[] bytes(String field, int maxLength) throws DwcpException {
        int n = count(field, maxLength, 1);
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }

    public byte[] fixed(String field, int length) throws DwcpException {
        if (buf.remaining() < length) {
            throw truncated(field);
        }
        byte[] b = new byte[length];
        buf.get(b);
        return b;
    }

    public String string(String field, int maxBytes) throws DwcpException {
        int n = count(field, maxBytes, 1);
        if (n == 0) {
            return ""; // most entries' link target
        }
        if (scratch == null || scratch.length < n) {
            scratch = new byte[Math.max(n, scratch == null ? 64 : 2 * scratch.length)];
        }
        buf.get(scratch, 0, n);
        // Paths are ASCII almost always: one copy into the string, not a decoder, a char buffer and a slice per
        // string (an OFFER of 1,000 entries decoded 1,000 of each on the server's event loop).
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = scratch[i] >= 0;
        }
        if (ascii) {
            return new String(scratch, 0, n, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(scratch, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw DwcpException.protocol("frame=" + frame + " reason=bad-utf8 field=" + field);
        }
    }

    public void end() throws DwcpException {
        if (buf.hasRemaining()) {
            throw DwcpException.protocol("frame=" + frame + " reason=trailing-bytes count=" + buf.remaining());
        }
    }
}
