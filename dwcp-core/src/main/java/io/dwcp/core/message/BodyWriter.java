package io.dwcp.core.message;

import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Growable writer for a control frame; {@link #finish} returns prefix and body ready to send. */
public final class BodyWriter {
    private byte[] buf;
    private int pos = FrameDescriptor.PREFIX_LENGTH;
    private FrameType type;

    public BodyWriter(FrameType type) {
        this(type, 256);
    }

    /** @param capacity the frame's expected size, prefix included; it grows past that if need be */
    public BodyWriter(FrameType type, int capacity) {
        this.type = type;
        this.buf = new byte[Math.max(capacity, FrameDescriptor.PREFIX_LENGTH)];
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    public BodyWriter u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public BodyWriter u16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    // Shifts, not a ByteBuffer view: a client under C1 alone (a tree send) has no escape analysis, and a view per
    // field was an allocation per field of every entry offered (encoding the OFFERs of a 100,000-file re-sync took
    // 60 ms of the main thread's CPU with views, 40 ms without; the wall time did not move measurably).

    public BodyWriter i32(int v) {
        ensure(4);
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
        pos += 4;
        return this;
    }

    public BodyWriter i64(long v) {
        ensure(8);
        i32((int) (v >>> 32));
        return i32((int) v);
    }

    public BodyWriter bytes(byte[] b) {
        i32(b.length);
        return fixed(b);
    }

    public BodyWriter fixed(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    public BodyWriter string(String s) {
        if (s.isEmpty()) {
            return i32(0); // most entries' link target: no array made for it
        }
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Starts a new frame of {@code type} in this writer's buffer, for a writer reused by one thread (a connection's
     * writer encodes every frame it sends in one, then copies it out: {@link #array()}, {@link #sealed()}).
     */
    public BodyWriter begin(FrameType type) {
        this.type = type;
        this.pos = FrameDescriptor.PREFIX_LENGTH;
        return this;
    }

    /** Writes the prefix and returns the frame's length: {@link #array()}{@code [0, length)} is the frame. */
    public int sealed() {
        FrameDescriptor.writePrefix(buf, type, pos - FrameDescriptor.PREFIX_LENGTH);
        return pos;
    }

    /** Lets go of a buffer grown past {@code max} bytes (one big PLAN), so a reused writer does not keep it. */
    public void shrink(int max) {
        if (buf.length > max) {
            buf = new byte[256];
        }
    }

    /** The frame's bytes, valid until the next {@link #begin}. */
    public byte[] array() {
        return buf;
    }

    /** The frame, prefix written, as a buffer over this writer's array. */
    public ByteBuffer finish() {
        return ByteBuffer.wrap(buf, 0, sealed());
    }
}
