package io.dwcp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LimitsTest {

    @Test
    void entryLimitsAreTheDocumentedOnes() {
        assertEquals(16_384, Limits.MAX_ENTRIES);
        assertEquals(65_536, Limits.WINDOW_ENTRIES);
        assertEquals(Limits.MAX_ENTRIES, Limits.defaults().maxEntries());
    }

    @Test
    void windowIsAPowerOfTwoThatHoldsAFullBatch() {
        // Both ends index in-flight entries in a ring of WINDOW_ENTRIES slots (id & (WINDOW_ENTRIES - 1)).
        assertEquals(1, Integer.bitCount(Limits.WINDOW_ENTRIES));
        assertTrue(Limits.WINDOW_ENTRIES >= Limits.MAX_ENTRIES);
    }

    @Test
    void withersChangeOnlyTheirField() {
        Limits d = Limits.defaults();
        Limits e = d.withMaxEntries(7);
        assertEquals(new Limits(d.maxControlBody(), 7, d.maxPathBytes(), d.maxStreams(), d.maxSessions(),
                d.idleTimeoutMillis()), e);
        assertEquals(new Limits(d.maxControlBody(), d.maxEntries(), d.maxPathBytes(), d.maxStreams(), 3,
                d.idleTimeoutMillis()), d.withMaxSessions(3));
        assertEquals(new Limits(5, d.maxEntries(), d.maxPathBytes(), d.maxStreams(), d.maxSessions(),
                d.idleTimeoutMillis()), d.withMaxControlBody(5));
        assertEquals(new Limits(d.maxControlBody(), d.maxEntries(), d.maxPathBytes(), d.maxStreams(), d.maxSessions(),
                9), d.withIdleTimeoutMillis(9));
    }
}
