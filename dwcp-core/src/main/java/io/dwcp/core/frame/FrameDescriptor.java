package io.dwcp.core.frame;

import io.dwcp.core.DwcpException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 8-byte prefix every frame starts with, on the control connection and on data streams.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+
 *  |      magic 0x4457 ("DW")      |    version    |     type      |
 *  +-------------------------------+---------------+---------------+
 *  |                   body length (bytes after this prefix)       |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * All integers are big-endian (network order). The body length is checked against the limit for the frame
 * type before a single body byte is buffered.
 */
public final class FrameDescriptor {
    public static final short MAGIC = 0x4457;
    /**
     * 5: block digests are hash lists of page digests ({@code BlockDigests}). 6: an OFFER may hold sockets (SPECIAL
     * entries of type {@code S_IFSOCK}), which a version 5 server refuses with the whole OFFER.
     */
    public static final int VERSION = 6;
    public static final int PREFIX_LENGTH = 8;
    public static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 2;
    public static final int TYPE_OFFSET = 3;
    public static final int LENGTH_OFFSET = 4;

    private FrameDescriptor() {
    }

    /** Writes a prefix at the buffer's position and advances it. */
    public static void writePrefix(ByteBuffer buf, FrameType type, int bodyLength) {
        buf.putShort(MAGIC).put((byte) VERSION).put((byte) type.code()).putInt(bodyLength);
    }

    /** Writes a prefix at {@code b[0, PREFIX_LENGTH)}, big-endian as the buffer form: no wrapper per frame. */
    public static void writePrefix(byte[] b, FrameType type, int bodyLength) {
        b[MAGIC_OFFSET] = (byte) (MAGIC >>> 8);
        b[MAGIC_OFFSET + 1] = (byte) MAGIC;
        b[VERSION_OFFSET] = (byte) VERSION;
        b[TYPE_OFFSET] = (byte) type.code();
        b[LENGTH_OFFSET] = (byte) (bodyLength >>> 24);
        b[LENGTH_OFFSET + 1] = (byte) (bodyLength >>> 16);
        b[LENGTH_OFFSET + 2] = (byte) (bodyLength >>> 8);
        b[LENGTH_OFFSET + 3] = (byte) bodyLength;
    }

    /**
     * Validates a prefix at absolute index {@code at} and returns its type; the body length is bounded by
     * {@code maxBody}.
     */
    public static FrameType checkPrefix(ByteBuffer buf, int at, int maxBody) throws DwcpException {
        short magic = buf.getShort(at + MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw DwcpException.protocol("frame=prefix reason=bad-magic magic=0x" + Integer.toHexString(magic & 0xffff));
        }
        int version = buf.get(at + VERSION_OFFSET) & 0xff;
        if (version != VERSION) {
            throw DwcpException.protocol("frame=prefix reason=unsupported-version version=" + version
                    + " supported=" + VERSION);
        }
        FrameType type = FrameType.of(buf.get(at + TYPE_OFFSET) & 0xff);
        int length = buf.getInt(at + LENGTH_OFFSET);
        if (length < 0 || length > maxBody) {
            throw DwcpException.protocol("frame=" + type.name().toLowerCase(java.util.Locale.ROOT) + " reason=too-long length="
                    + Integer.toUnsignedString(length) + " max=" + maxBody);
        }
        return type;
    }

    public static int bodyLength(ByteBuffer buf, int at) {
        return buf.getInt(at + LENGTH_OFFSET);
    }
}
