package io.dwcp.wireguard.offload;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChecksumsTest {

    @Test
    void rfc1071Example() {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
        byte[] b = {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5, (byte) 0xf6, (byte) 0xf7};
        MemorySegment s = MemorySegment.ofArray(b);
        assertEquals(0xddf2, Checksums.fold(Checksums.sum(s, 0, 8, 0)));
        assertEquals(0x220d, Checksums.finish(Checksums.sum(s, 0, 8, 0)));
    }

    @Test
    void matchesTheNaiveSumAtEveryLengthAndAlignment() {
        byte[] data = Packets.payload(70_000, 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = Packets.offHeap(arena, data, 0, data.length);
            for (int offset = 0; offset < 9; offset++) {
                for (int length = 0; length < 300; length++) {
                    assertEquals(Packets.sum(data, offset, length, 0), Checksums.fold(Checksums.sum(s, offset, length, 0)),
                            "offset " + offset + " length " + length);
                }
            }
            assertEquals(Packets.sum(data, 3, 65_535, 0), Checksums.fold(Checksums.sum(s, 3, 65_535, 0)));
            assertEquals(Packets.sum(data, 0, 69_999, 0xfffe), Checksums.fold(Checksums.sum(s, 0, 69_999, 0xfffe)));
        }
    }

    @Test
    void allOnesWordsFoldWithoutLosingCarries() {
        byte[] ones = new byte[65_536];
        java.util.Arrays.fill(ones, (byte) 0xff);
        MemorySegment s = MemorySegment.ofArray(ones);
        assertEquals(0xffff, Checksums.fold(Checksums.sum(s, 0, ones.length, 0)));
        assertEquals(0, Checksums.finish(Checksums.sum(s, 0, ones.length, 0)));
    }

    @Test
    void pseudoHeadersMatchTheReference() {
        byte[] v4 = Packets.Tcp.v4().payload(new byte[100]).build();
        byte[] v6 = Packets.Tcp.v6().payload(new byte[100]).build();
        assertEquals(Packets.pseudo(v4, 120), Checksums.fold(
                Checksums.pseudoHeaderIpv4(MemorySegment.ofArray(v4), 0, 6, 120)));
        assertEquals(Packets.pseudo(v6, 120), Checksums.fold(
                Checksums.pseudoHeaderIpv6(MemorySegment.ofArray(v6), 0, 6, 120)));
    }

    @Test
    void transportValidAcceptsGoodAndRejectsFlippedBits() {
        Random random = new Random(2);
        for (boolean v6 : new boolean[] {false, true}) {
            byte[] p = (v6 ? Packets.Tcp.v6() : Packets.Tcp.v4()).payload(Packets.payload(777, 3)).build();
            int ipLen = v6 ? 40 : 20;
            assertTrue(Checksums.transportValid(MemorySegment.ofArray(p), 0, v6, 6, ipLen, p.length));
            int at = ipLen + random.nextInt(p.length - ipLen);
            p[at] ^= 0x10;
            assertFalse(Checksums.transportValid(MemorySegment.ofArray(p), 0, v6, 6, ipLen, p.length));
        }
    }

    @Test
    void updateIpv4HeaderWritesAValidChecksum() {
        byte[] p = Packets.Tcp.v4().build();
        p[10] = 0x55;
        p[11] = 0x66;
        Checksums.updateIpv4Header(MemorySegment.ofArray(p), 0, 20);
        assertTrue(Packets.ipv4HeaderValid(p));
    }
}
