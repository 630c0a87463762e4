package io.dwcp.core.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageMapDescriptorTest {
    private static final int PAGE = PageMapDescriptor.PAGE;

    @ParameterizedTest
    @ValueSource(ints = {1, 4095, 4096, 4097, 64 * 4096, 64 * 4096 + 1, 1 << 20, (1 << 20) - 100, 16 << 20})
    void aMapWithItsPagesIsReadBackAndCounted(int length) throws Exception {
        int pages = PageMapDescriptor.pages(length);
        assertEquals((length + PAGE - 1) / PAGE, pages);
        long[] map = new long[PageMapDescriptor.mapWords(length)];
        long payload = PageMapDescriptor.mapBytes(length);
        int present = 0;
        for (int p = 0; p < pages; p += 3) { // every third page, and always the last
            map[p >>> 6] |= 1L << (p & 63);
        }
        map[(pages - 1) >>> 6] |= 1L << ((pages - 1) & 63);
        for (int p = 0; p < pages; p++) {
            if ((map[p >>> 6] & (1L << (p & 63))) != 0) {
                payload += PageMapDescriptor.pageLength(length, p);
                present++;
            }
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(payload);
            PageMapDescriptor.writeMap(map, length, s, 0);
            long[] got = new long[map.length];
            assertEquals(present, PageMapDescriptor.readMap(s, (int) payload, length, got));
            assertArrayEquals(map, got);
            int shortPayload = (int) payload - 1;
            DwcpException e = assertThrows(DwcpException.class,
                    () -> PageMapDescriptor.readMap(s, shortPayload, length, got));
            assertTrue(e.getMessage().contains("reason=page-payload-mismatch"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4096, 5 * 4096 + 7, 100 * 4096})
    void aBitBeyondTheLastPageIsRefused(int length) {
        int pages = PageMapDescriptor.pages(length);
        long[] map = new long[PageMapDescriptor.mapWords(length)];
        if (pages % 64 == 0) {
            return; // no spare bit in the last word: nothing to set beyond the block
        }
        map[map.length - 1] |= 1L << (pages % 64);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(PageMapDescriptor.mapBytes(length) + PAGE);
            PageMapDescriptor.writeMap(map, length, s, 0);
            DwcpException e = assertThrows(DwcpException.class, () -> PageMapDescriptor.readMap(s,
                    PageMapDescriptor.mapBytes(length) + PAGE, length, new long[map.length]));
            assertTrue(e.getMessage().contains("reason=page-beyond-block"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7})
    void aTruncatedMapIsRefused(int payload) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment s = a.allocate(16);
            DwcpException e = assertThrows(DwcpException.class,
                    () -> PageMapDescriptor.readMap(s, payload, 1 << 20, new long[4]));
            assertTrue(e.getMessage().contains("reason=page-map-truncated"), e.getMessage());
        }
    }
}
