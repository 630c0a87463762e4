package io.dwcp.core.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ByteBudgetTest {
    @Test
    void takesUpToItsLimitAndNoMoreUntilGivenBack() {
        ByteBudget b = new ByteBudget(100);
        assertTrue(b.take(60));
        assertFalse(b.take(41), "past the limit");
        assertEquals(60, b.held(), "a refused take takes nothing");
        assertTrue(b.take(40));
        assertFalse(b.take(1));
        b.give(60);
        assertTrue(b.take(60));
        assertFalse(b.take(Long.MAX_VALUE), "no overflow past the limit");
        assertEquals(100, b.held());
    }

    @Test
    void threadsTakingAtOnceNeverExceedTheLimit() throws Exception {
        ByteBudget b = new ByteBudget(1000);
        AtomicLong peak = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 100_000; i++) {
                    if (b.take(300)) {
                        peak.accumulateAndGet(b.held(), Math::max);
                        b.give(300);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(peak.get() <= 900, "held at most three takes of 300: " + peak.get());
        assertEquals(0, b.held());
    }
}
