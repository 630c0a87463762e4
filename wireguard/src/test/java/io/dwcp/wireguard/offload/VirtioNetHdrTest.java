package io.dwcp.wireguard.offload;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class VirtioNetHdrTest {

    @Test
    void fieldsAreLittleEndianAtTheKernelOffsets() {
        byte[] raw = new byte[12];
        new VirtioNetHdr().wrap(MemorySegment.ofArray(raw), 1)
                .flags(VirtioNetHdr.F_NEEDS_CSUM).gsoType(VirtioNetHdr.GSO_TCPV6)
                .hdrLen(0x0102).gsoSize(0x0304).csumStart(0x0506).csumOffset(0x0708);
        assertArrayEquals(new byte[] {0, 1, 4, 2, 1, 4, 3, 6, 5, 8, 7, 0}, raw);
    }

    @Test
    void readsWhatTheKernelWrote() {
        byte[] raw = Packets.withVnet(new byte[0], 1, 1, 52, 1380, 20, 16);
        VirtioNetHdr h = new VirtioNetHdr().wrap(MemorySegment.ofArray(raw), 0);
        assertEquals(1, h.flags());
        assertEquals(VirtioNetHdr.GSO_TCPV4, h.gsoType());
        assertEquals(52, h.hdrLen());
        assertEquals(1380, h.gsoSize());
        assertEquals(20, h.csumStart());
        assertEquals(16, h.csumOffset());
    }

    @Test
    void clearZeroesExactlyTenBytes() {
        byte[] raw = new byte[12];
        java.util.Arrays.fill(raw, (byte) 0x7f);
        new VirtioNetHdr().wrap(MemorySegment.ofArray(raw), 1).clear();
        assertArrayEquals(new byte[] {0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f}, raw);
    }
}
