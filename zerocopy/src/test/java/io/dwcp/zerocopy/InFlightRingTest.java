package io.dwcp.zerocopy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The bookkeeping that keeps a buffer out of reuse until every send id covering it completed. */
class InFlightRingTest {
    private final MemorySegment a = MemorySegment.ofArray(new byte[1]);
    private final MemorySegment b = MemorySegment.ofArray(new byte[1]);
    private final MemorySegment c = MemorySegment.ofArray(new byte[1]);

    @Test
    void buffersComeBackInOrderOnlyWhenAllTheirIdsCompleted() {
        InFlightRing ring = new InFlightRing(3);
        long ta = ring.add(a, 0, 1);
        long tb = ring.add(b, 1, 2); // a partial send made two calls: ids 1 and 2
        long tc = ring.add(c, 3, 1);
        assertTrue(ring.isFull());
        assertThrows(IllegalStateException.class, () -> ring.add(a, 4, 1));

        ring.complete(1, 1);
        assertNull(ring.poll(), "a is still in flight, and nothing overtakes it");
        ring.complete(0, 0);
        assertSame(a, ring.poll());
        assertFalse(ring.isCompleted(tb), "id 2 of b is outstanding");
        assertNull(ring.poll());
        ring.complete(2, 3); // the kernel coalesces consecutive ids into one notification
        assertTrue(ring.isCompleted(ta) && ring.isCompleted(tb) && ring.isCompleted(tc));
        assertSame(b, ring.poll());
        assertSame(c, ring.poll());
        assertNull(ring.poll());
    }

    @Test
    void plainSendsAreCompleteAtOnceButWaitTheirTurn() {
        InFlightRing ring = new InFlightRing(2);
        ring.add(a, 7, 1);
        long tb = ring.add(b, 0, 0);
        assertTrue(ring.isCompleted(tb));
        assertNull(ring.poll());
        ring.complete(7, 7);
        assertSame(a, ring.poll());
        assertSame(b, ring.poll());
    }

    @Test
    void sendIdsWrapAroundAfterTwoToTheThirtyTwo() {
        InFlightRing ring = new InFlightRing(2);
        ring.add(a, Integer.MAX_VALUE, 2); // ids 0x7fffffff and 0x80000000
        ring.add(b, -1, 2);                // ids 0xffffffff and 0
        ring.complete(Integer.MAX_VALUE, Integer.MIN_VALUE);
        assertSame(a, ring.poll());
        ring.complete(-1, -1);
        assertNull(ring.poll());
        ring.complete(0, 0);
        assertSame(b, ring.poll());
    }
}
