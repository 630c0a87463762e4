package io.dwcp.zerocopy.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * {@code sockaddr_in} / {@code sockaddr_in6} encoding. Layouts (family in host order, port and address in
 * network order):
 * <pre>
 * sockaddr_in  (16): 0 u16 family=2   2 u16 port   4 u8[4] addr    8 zero[8]
 * sockaddr_in6 (28): 0 u16 family=10  2 u16 port   4 u32 flowinfo  8 u8[16] addr  24 u32 scope_id
 * </pre>
 */
final class SockAddr {
    /** sizeof(struct sockaddr_storage): room for any family. */
    static final long STORAGE = 128;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SockAddr() {
    }

    static int family(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address ? Sys.AF_INET6 : Sys.AF_INET;
    }

    /** Writes {@code a} into {@code dst} and returns the length to pass as {@code socklen_t}. */
    static int encode(InetSocketAddress a, MemorySegment dst) {
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("address=" + a + " reason=unresolved");
        }
        dst.fill((byte) 0);
        InetAddress ip = a.getAddress();
        byte[] raw = ip.getAddress();
        dst.set(PORT, 2, (short) a.getPort());
        if (ip instanceof Inet6Address v6) {
            dst.set(ValueLayout.JAVA_SHORT, 0, (short) Sys.AF_INET6);
            MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, 8, 16);
            dst.set(ValueLayout.JAVA_INT, 24, v6.getScopeId());
            return 28;
        }
        dst.set(ValueLayout.JAVA_SHORT, 0, (short) Sys.AF_INET);
        MemorySegment.copy(raw, 0, dst, ValueLayout.JAVA_BYTE, 4, 4);
        return 16;
    }

    static InetSocketAddress decode(MemorySegment src) throws UnknownHostException {
        int family = src.get(ValueLayout.JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(src.get(PORT, 2));
        if (family == Sys.AF_INET6) {
            byte[] raw = new byte[16];
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 8, raw, 0, 16);
            int scope = src.get(ValueLayout.JAVA_INT, 24);
            InetAddress ip = scope != 0 ? Inet6Address.getByAddress(null, raw, scope) : InetAddress.getByAddress(raw);
            return new InetSocketAddress(ip, port);
        }
        byte[] raw = new byte[4];
        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 4, raw, 0, 4);
        return new InetSocketAddress(Inet4Address.getByAddress(raw), port);
    }
}
