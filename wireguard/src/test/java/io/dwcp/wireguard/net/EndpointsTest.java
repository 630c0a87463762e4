package io.dwcp.wireguard.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class EndpointsTest {
    @Test
    void v4RoundTripsInSockaddrInLayout() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ep = arena.allocate(Endpoints.BYTES);
            InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 51820);
            assertEquals(16, Endpoints.encode(a, ep));
            assertEquals(Endpoints.FAMILY_V4, ep.get(ValueLayout.JAVA_SHORT, 0));
            assertEquals((short) 51820, ep.get(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2));
            assertArrayEquals(new byte[] {(byte) 192, 0, 2, 7}, ep.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(51820, Endpoints.port(ep));
            assertEquals(a, Endpoints.decode(ep));
        }
    }

    @Test
    void v6KeepsAddressAndScope() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ep = arena.allocate(Endpoints.BYTES);
            byte[] raw = InetAddress.getByName("fe80::1").getAddress();
            InetSocketAddress a = new InetSocketAddress(Inet6Address.getByAddress(null, raw, 3), 9);
            assertEquals(28, Endpoints.encode(a, ep));
            assertEquals(3, ep.get(ValueLayout.JAVA_INT, 24));
            assertEquals(a, Endpoints.decode(ep));
        }
    }

    @Test
    void v4MappedBecomesTheV4Endpoint() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mapped = arena.allocate(Endpoints.BYTES);
            mapped.set(ValueLayout.JAVA_SHORT, 0, (short) Endpoints.FAMILY_V6);
            mapped.set(ValueLayout.JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) 4000);
            mapped.set(ValueLayout.JAVA_SHORT, 18, (short) 0xffff);
            MemorySegment.copy(new byte[] {10, 1, 2, 3}, 0, mapped, ValueLayout.JAVA_BYTE, 20, 4);
            Endpoints.unmapV4(mapped);

            MemorySegment plain = arena.allocate(Endpoints.BYTES);
            Endpoints.encode(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 4000), plain);
            assertEquals(16, Endpoints.length(mapped));
            assertTrue(Endpoints.same(mapped, plain));
            assertEquals(Endpoints.hash(plain), Endpoints.hash(mapped));
            assertInstanceOf(Inet4Address.class, Endpoints.decode(mapped).getAddress());
            assertEquals(-1, MemorySegment.mismatch(mapped, 0, 28, plain, 0, 28));
        }
    }

    @Test
    void plainV6IsNotUnmapped() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ep = arena.allocate(Endpoints.BYTES);
            Endpoints.encode(new InetSocketAddress(InetAddress.getByName("2001:db8::a0b:c0d"), 1), ep);
            Endpoints.unmapV4(ep);
            assertEquals(Endpoints.FAMILY_V6, Endpoints.family(ep));
        }
    }

    @Test
    void sameComparesFamilyPortAndAddress() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(Endpoints.BYTES);
            MemorySegment b = arena.allocate(Endpoints.BYTES);
            Endpoints.encode(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 1000), a);
            Endpoints.encode(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 1001), b);
            assertFalse(Endpoints.same(a, b));
            Endpoints.encode(new InetSocketAddress(InetAddress.getByName("192.0.2.2"), 1000), b);
            assertFalse(Endpoints.same(a, b));
            Endpoints.encode(new InetSocketAddress(InetAddress.getByName("::ffff:192.0.2.1"), 1000), b);
            assertTrue(Endpoints.same(a, b), "a v4-mapped address encodes as its v4 endpoint");
            Endpoints.encode(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 1000), a);
            Endpoints.encode(new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 1000), b);
            assertTrue(Endpoints.same(a, b));
            assertEquals(Endpoints.hash(a), Endpoints.hash(b));
        }
    }
}
