package io.dwcp.wireguard.device;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads what routing needs from an IP packet in place: version, addresses, the length the header claims. */
final class PacketRoutes {
    private static final ValueLayout.OfShort U16_BE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    private PacketRoutes() {
    }

    /** 4 or 6, or 0 when {@code length} bytes cannot hold that version's header. */
    static int version(MemorySegment p, long off, int length) {
        if (length < 1) {
            return 0;
        }
        int v = (p.get(ValueLayout.JAVA_BYTE, off) >>> 4) & 0xf;
        if (v == 4 && length >= 20) {
            return 4;
        }
        return v == 6 && length >= 40 ? 6 : 0;
    }

    /** Offset of the destination address within the packet. */
    static int destinationOffset(int version) {
        return version == 4 ? 16 : 24;
    }

    static int sourceOffset(int version) {
        return version == 4 ? 12 : 8;
    }

    static int addressLength(int version) {
        return version == 4 ? 4 : 16;
    }

    /** The packet's length per its own header (padding after it is not part of it), or -1 if inconsistent. */
    static int claimedLength(MemorySegment p, long off, int version, int available) {
        int len = version == 4 ? Short.toUnsignedInt(p.get(U16_BE, off + 2))
                : 40 + Short.toUnsignedInt(p.get(U16_BE, off + 4));
        return len < (version == 4 ? 20 : 40) || len > available ? -1 : len;
    }
}
