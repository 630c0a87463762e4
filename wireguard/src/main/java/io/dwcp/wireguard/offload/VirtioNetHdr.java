package io.dwcp.wireguard.offload;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Flyweight over a {@code struct virtio_net_hdr} (include/uapi/linux/virtio_net.h), the 10 bytes in front of every
 * packet read from or written to a TUN opened with {@code IFF_VNET_HDR}.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  |     flags     |   gso_type    |            hdr_len            |  +0
 *  +---------------+---------------+-------------------------------+
 *  |           gso_size            |          csum_start           |  +4
 *  +-------------------------------+-------------------------------+
 *  |          csum_offset          |                                  +8
 *  +-------------------------------+
 * </pre>
 *
 * The 16-bit fields are little-endian: TUN uses the legacy virtio "native endian" unless TUNSETVNETBE/LE is set, and
 * every host this runs on (x86-64, arm64) is little-endian. Wrap once, reuse for every packet.
 */
public final class VirtioNetHdr {
    public static final int LENGTH = 10;

    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HDR_LEN_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CSUM_START_OFFSET = 6;
    public static final int CSUM_OFFSET_OFFSET = 8;

    /** The checksum at csum_start + csum_offset holds only the pseudo-header sum (CHECKSUM_PARTIAL). */
    public static final int F_NEEDS_CSUM = 1;
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** Or-ed into gso_type when the first segment carries CWR. */
    public static final int GSO_ECN = 0x80;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private MemorySegment segment;
    private long offset;

    /** Points this flyweight at the header starting at {@code offset}; returns this. */
    public VirtioNetHdr wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    public int flags() {
        return segment.get(ValueLayout.JAVA_BYTE, offset + FLAGS_OFFSET) & 0xFF;
    }

    public VirtioNetHdr flags(int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset + FLAGS_OFFSET, (byte) value);
        return this;
    }

    public int gsoType() {
        return segment.get(ValueLayout.JAVA_BYTE, offset + GSO_TYPE_OFFSET) & 0xFF;
    }

    public VirtioNetHdr gsoType(int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset + GSO_TYPE_OFFSET, (byte) value);
        return this;
    }

    public int hdrLen() {
        return u16(HDR_LEN_OFFSET);
    }

    public VirtioNetHdr hdrLen(int value) {
        return u16(HDR_LEN_OFFSET, value);
    }

    public int gsoSize() {
        return u16(GSO_SIZE_OFFSET);
    }

    public VirtioNetHdr gsoSize(int value) {
        return u16(GSO_SIZE_OFFSET, value);
    }

    public int csumStart() {
        return u16(CSUM_START_OFFSET);
    }

    public VirtioNetHdr csumStart(int value) {
        return u16(CSUM_START_OFFSET, value);
    }

    public int csumOffset() {
        return u16(CSUM_OFFSET_OFFSET);
    }

    public VirtioNetHdr csumOffset(int value) {
        return u16(CSUM_OFFSET_OFFSET, value);
    }

    /** Zeroes all ten bytes: no GSO, no checksum request, what a plain packet written to the TUN carries. */
    public VirtioNetHdr clear() {
        // Two stores instead of asSlice(..).fill: no slice object per packet.
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, 0L);
        segment.set(U16, offset + 8, (short) 0);
        return this;
    }

    private int u16(int field) {
        return segment.get(U16, offset + field) & 0xFFFF;
    }

    private VirtioNetHdr u16(int field, int value) {
        segment.set(U16, offset + field, (short) value);
        return this;
    }
}
