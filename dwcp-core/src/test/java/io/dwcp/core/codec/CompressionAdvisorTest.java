package io.dwcp.core.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompressionAdvisorTest {

    @Test
    void payingRatioBoundary() {
        CompressionAdvisor a = new CompressionAdvisor();
        assertTrue(a.record(1000, 900), "exactly 90 % pays");
        assertFalse(new CompressionAdvisor().record(1000, 901), "90.1 % does not pay");
        assertFalse(new CompressionAdvisor().record(1000, 1004), "growth does not pay");
    }

    @Test
    void backOffDoublesUpToMaxSkip() {
        CompressionAdvisor a = new CompressionAdvisor();
        // Never pays: the gaps between attempts must be 1, 2, 4, ..., 64, 64, 64.
        List<Integer> gaps = new ArrayList<>();
        int sinceLast = 0;
        for (int block = 0; block < 2000; block++) {
            if (a.shouldTry()) {
                if (block > 0) {
                    gaps.add(sinceLast);
                }
                sinceLast = 0;
                assertFalse(a.record(100, 100));
            } else {
                sinceLast++;
            }
        }
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 64, 64, 64), gaps.subList(0, 9));
        assertTrue(gaps.stream().allMatch(g -> g <= CompressionAdvisor.MAX_SKIP));
        assertEquals(gaps.size() + 1, a.attempts());
        assertEquals(0, a.paid());
    }

    @Test
    void aPayingBlockResetsBackOff() {
        CompressionAdvisor a = new CompressionAdvisor();
        for (int i = 0; i < 300; i++) {
            if (a.shouldTry()) {
                a.record(100, 100);
            }
        }
        // Wait for the next attempt, let it pay: from then on every block is tried.
        while (!a.shouldTry()) {
            // skipping
        }
        assertTrue(a.record(100, 10));
        for (int i = 0; i < 20; i++) {
            assertTrue(a.shouldTry(), "block " + i + " after a paying block was skipped");
            assertTrue(a.record(100, 10));
        }
        // One failure after a paying run backs off by one block only.
        assertFalse(a.record(100, 100));
        assertFalse(a.shouldTry());
        assertTrue(a.shouldTry());
        assertEquals(21, a.paid());
    }
}
