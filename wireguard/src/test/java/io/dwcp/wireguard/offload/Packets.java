package io.dwcp.wireguard.offload;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Test packets built byte by byte on the heap, and a deliberately naive checksum (one 16-bit word at a time, no
 * shared code with {@link Checksums}) to judge what the offload code writes.
 */
final class Packets {
    static final byte[] SRC4 = {10, 0, 0, 1};
    static final byte[] DST4 = {10, 0, 0, 2};
    static final byte[] SRC6 = {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static final byte[] DST6 = {(byte) 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    /** A 12-byte timestamp option block (NOP, NOP, TS), as Linux sends on every segment. */
    static final byte[] TIMESTAMPS = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};

    private Packets() {
    }

    /** A TCP segment; call setters then {@link #build()}. */
    static final class Tcp {
        boolean v6;
        byte[] src;
        byte[] dst;
        int srcPort = 40000;
        int dstPort = 5201;
        int seq = 1000;
        int ack = 7777;
        int flags = TcpDescriptor.ACK;
        int window = 502;
        int ipId = 0x1234;
        int ttl = 64;
        int tos;
        int flowLabel = 0x12345;
        byte[] options = new byte[0];
        byte[] payload = new byte[0];

        static Tcp v4() {
            Tcp t = new Tcp();
            t.src = SRC4;
            t.dst = DST4;
            return t;
        }

        static Tcp v6() {
            Tcp t = new Tcp();
            t.v6 = true;
            t.src = SRC6;
            t.dst = DST6;
            return t;
        }

        Tcp seq(int v) { seq = v; return this; }
        Tcp ack(int v) { ack = v; return this; }
        Tcp flags(int v) { flags = v; return this; }
        Tcp ports(int s, int d) { srcPort = s; dstPort = d; return this; }
        Tcp ipId(int v) { ipId = v; return this; }
        Tcp ttl(int v) { ttl = v; return this; }
        Tcp options(byte[] v) { options = v; return this; }
        Tcp payload(byte[] v) { payload = v; return this; }

        byte[] build() {
            int ipLen = v6 ? 40 : 20;
            int tcpLen = 20 + options.length;
            int total = ipLen + tcpLen + payload.length;
            ByteBuffer b = ByteBuffer.allocate(total);
            if (v6) {
                b.putInt(0x6000_0000 | tos << 20 | flowLabel).putShort((short) (total - 40)).put((byte) 6)
                        .put((byte) ttl).put(src).put(dst);
            } else {
                b.put((byte) 0x45).put((byte) tos).putShort((short) total).putShort((short) ipId)
                        .putShort((short) 0x4000).put((byte) ttl).put((byte) 6).putShort((short) 0).put(src).put(dst);
            }
            b.putShort((short) srcPort).putShort((short) dstPort).putInt(seq).putInt(ack)
                    .put((byte) (tcpLen / 4 << 4)).put((byte) flags).putShort((short) window)
                    .putShort((short) 0).putShort((short) 0).put(options).put(payload);
            byte[] p = b.array();
            if (!v6) {
                putU16(p, 10, ~sum(p, 0, 20, 0));
            }
            putU16(p, ipLen + 16, ~sum(p, ipLen, total - ipLen, pseudo(p, total - ipLen)));
            return p;
        }
    }

    /** Prefixes a TSO super-packet with the virtio_net_hdr the kernel writes, its TCP checksum left partial. */
    static byte[] tso(byte[] packet, int gsoSize) {
        boolean v6 = packet[0] >> 4 == 6;
        int ipLen = v6 ? 40 : 20;
        byte[] p = packet.clone();
        putU16(p, ipLen + 16, fold(pseudo(p, p.length - ipLen)));
        int tcpLen = (p[ipLen + 12] & 0xff) >>> 4 << 2;
        return withVnet(p, 1, v6 ? 4 : 1, ipLen + tcpLen, gsoSize, ipLen, 16);
    }

    static byte[] withVnet(byte[] packet, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        ByteBuffer b = ByteBuffer.allocate(10 + packet.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) flags).put((byte) gsoType).putShort((short) hdrLen).putShort((short) gsoSize)
                .putShort((short) csumStart).putShort((short) csumOffset).put(packet);
        return b.array();
    }

    /** A UDP/IPv4 datagram with a valid checksum. */
    static byte[] udp4(byte[] payload) {
        int total = 28 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 1).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(SRC4).put(DST4)
                .putShort((short) 53).putShort((short) 53).putShort((short) (8 + payload.length)).putShort((short) 0)
                .put(payload);
        byte[] p = b.array();
        putU16(p, 10, ~sum(p, 0, 20, 0));
        int c = ~sum(p, 20, total - 20, pseudoWith(p, 17, total - 20)) & 0xffff;
        putU16(p, 26, c == 0 ? 0xffff : c);
        return p;
    }

    /** An ICMPv4 echo request. */
    static byte[] icmp4() {
        byte[] p = new byte[28];
        p[0] = 0x45;
        p[3] = 28;
        p[8] = 64;
        p[9] = 1;
        System.arraycopy(SRC4, 0, p, 12, 4);
        System.arraycopy(DST4, 0, p, 16, 4);
        p[20] = 8;
        putU16(p, 10, ~sum(p, 0, 20, 0));
        putU16(p, 22, ~sum(p, 20, 8, 0));
        return p;
    }

    static byte[] payload(int length, int seed) {
        byte[] p = new byte[length];
        new java.util.Random(seed).nextBytes(p);
        return p;
    }

    // ---- reference checksum ----

    /** Plain RFC 1071: 16-bit big-endian words summed into an int, carries folded once at the end. */
    static int sum(byte[] b, int off, int len, int initial) {
        long s = initial & 0xffffffffL;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            s += hi << 8 | lo;
        }
        return fold(s);
    }

    static int fold(long s) {
        while (s > 0xffff) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    static int pseudo(byte[] p, int l4Len) {
        return pseudoWith(p, 6, l4Len);
    }

    static int pseudoWith(byte[] p, int proto, int l4Len) {
        boolean v6 = p[0] >> 4 == 6;
        return sum(p, v6 ? 8 : 12, v6 ? 32 : 8, proto + l4Len);
    }

    static boolean ipv4HeaderValid(byte[] p) {
        return sum(p, 0, (p[0] & 0xf) * 4, 0) == 0xffff;
    }

    static boolean tcpValid(byte[] p) {
        int ipLen = p[0] >> 4 == 6 ? 40 : (p[0] & 0xf) * 4;
        return sum(p, ipLen, p.length - ipLen, pseudo(p, p.length - ipLen)) == 0xffff;
    }

    static int u16(byte[] p, int at) {
        return (p[at] & 0xff) << 8 | p[at + 1] & 0xff;
    }

    static int i32(byte[] p, int at) {
        return u16(p, at) << 16 | u16(p, at + 2);
    }

    static void putU16(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 8);
        p[at + 1] = (byte) v;
    }

    // ---- segments ----

    /** Off-heap copy of {@code bytes} at {@code offset} in a segment of {@code capacity} bytes. */
    static MemorySegment offHeap(Arena arena, byte[] bytes, int offset, int capacity) {
        MemorySegment s = arena.allocate(capacity);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, offset, bytes.length);
        return s;
    }

    static byte[] bytes(MemorySegment s, long offset, int length) {
        byte[] b = new byte[length];
        MemorySegment.copy(s, ValueLayout.JAVA_BYTE, offset, b, 0, length);
        return b;
    }

    static byte[] range(byte[] b, int from, int to) {
        return Arrays.copyOfRange(b, from, to);
    }
}
