package io.dwcp.wireguard.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * A UDP endpoint as raw bytes in Linux's {@code sockaddr_in} / {@code sockaddr_in6} layout, so the native transport
 * receives into and sends from a slot's endpoint directly, and peers compare and copy endpoints without an object
 * per packet:
 * <pre>
 * v4 (16 bytes): 0 u16 family=2 (host order)  2 u16 port (network order)  4 u8[4] addr   8 zero[8]
 * v6 (28 bytes): 0 u16 family=10              2 u16 port                  4 u32 flowinfo 8 u8[16] addr  24 u32 scope
 * </pre>
 * An endpoint segment is {@link #BYTES} long; family 0 means "no endpoint". A v4-mapped IPv6 address is always kept
 * in the v4 form (see {@link #unmapV4}) so one peer has one endpoint whichever socket family saw it.
 */
public final class Endpoints {
    /** Room for the larger form, {@code sizeof(struct sockaddr_in6)}. */
    public static final int BYTES = 28;
    public static final int FAMILY_V4 = 2;
    public static final int FAMILY_V6 = 10;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private Endpoints() {
    }

    /** {@link #FAMILY_V4}, {@link #FAMILY_V6} or 0 for an empty endpoint. */
    public static int family(MemorySegment ep) {
        return ep.get(FAMILY, 0);
    }

    /** The {@code socklen_t} to pass with this endpoint: 16, 28, or 0 when empty. */
    public static int length(MemorySegment ep) {
        int f = family(ep);
        return f == FAMILY_V4 ? 16 : f == FAMILY_V6 ? 28 : 0;
    }

    public static int port(MemorySegment ep) {
        return Short.toUnsignedInt(ep.get(PORT, 2));
    }

    /** Writes {@code a} into {@code dst} (v4-mapped addresses in the v4 form) and returns its length. */
    public static int encode(InetSocketAddress a, MemorySegment dst) {
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("address=" + a + " reason=unresolved");
        }
        dst.asSlice(0, BYTES).fill((byte) 0);
        InetAddress ip = a.getAddress();
        byte[] raw = ip.getAddress();
        dst.set(PORT, 2, (short) a.getPort());
        if (ip instanceof Inet6Address v6) {
            dst.set(FAMILY, 0, (short) FAMILY_V6);
            MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, 8, 16);
            dst.set(INT, 24, v6.getScopeId());
            unmapV4(dst);
            return length(dst);
        }
        dst.set(FAMILY, 0, (short) FAMILY_V4);
        MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, 4, 4);
        return 16;
    }

    /** The endpoint as an address: allocates, for logs, configuration and the portable transport. */
    public static InetSocketAddress decode(MemorySegment src) {
        int family = family(src);
        try {
            if (family == FAMILY_V6) {
                byte[] raw = new byte[16];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 8, raw, 0, 16);
                int scope = src.get(INT, 24);
                InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, raw, scope) : InetAddress.getByAddress(raw);
                return new InetSocketAddress(ip, port(src));
            }
            if (family == FAMILY_V4) {
                byte[] raw = new byte[4];
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 4, raw, 0, 4);
                return new InetSocketAddress(Inet4Address.getByAddress(raw), port(src));
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("fixed-length address rejected", e);
        }
        throw new IllegalArgumentException("endpoint family=" + family + " reason=not-an-address");
    }

    /**
     * Rewrites {@code ::ffff:a.b.c.d} into the v4 form in place. A dual-stack socket reports v4 peers that way; the
     * reply must go to the same endpoint a v4 socket would have seen, and the v4 form is what a dual-stack socket
     * accepts as a v4 destination.
     */
    public static void unmapV4(MemorySegment ep) {
        if (family(ep) != FAMILY_V6 || !mappedPrefix(ep)) {
            return;
        }
        int addr = ep.get(INT, 20);
        ep.set(FAMILY, 0, (short) FAMILY_V4);
        ep.set(INT, 4, addr);
        ep.set(LONG, 8, 0L);
        ep.set(LONG, 16, 0L);
        ep.set(INT, 24, 0);
    }

    private static boolean mappedPrefix(MemorySegment ep) {
        return ep.get(LONG, 8) == 0 && ep.get(ValueLayout.JAVA_SHORT_UNALIGNED, 16) == 0
                && ep.get(ValueLayout.JAVA_SHORT_UNALIGNED, 18) == (short) 0xffff;
    }

    /** Same family, port and address (the v6 flow label is ignored; the scope is not). */
    public static boolean same(MemorySegment a, MemorySegment b) {
        int f = family(a);
        if (f != family(b) || a.get(PORT, 2) != b.get(PORT, 2)) {
            return false;
        }
        if (f == FAMILY_V4) {
            return a.get(INT, 4) == b.get(INT, 4);
        }
        return f == 0 || MemorySegment.mismatch(a, 8, 28, b, 8, 28) < 0;
    }

    /** A hash consistent with {@link #same}, for tables keyed by endpoint. */
    public static int hash(MemorySegment ep) {
        int f = family(ep);
        int h = f * 31 + ep.get(PORT, 2);
        if (f == FAMILY_V4) {
            return h * 31 + ep.get(INT, 4);
        }
        if (f == FAMILY_V6) {
            for (long off = 8; off < 28; off += 4) {
                h = h * 31 + ep.get(INT, off);
            }
        }
        return h;
    }

    /**
     * Room for one endpoint on the heap, for endpoints kept beside the data (a peer's, a cache key): no native memory
     * waits on the collector for them.
     */
    public static MemorySegment onHeap() {
        return MemorySegment.ofArray(new long[(BYTES + 7) / 8]);
    }

    /** Copies an endpoint (all {@link #BYTES}). */
    public static void copy(MemorySegment src, MemorySegment dst) {
        MemorySegment.copy(src, 0, dst, 0, BYTES);
    }
}
