package io.dwcp.wireguard.noise;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Ported from wireguard-go {@code replay/replay_test.go} (itself from the Linux kernel's selftest). */
class ReplayWindowTest {

    private static final long REJECT = Keypair.REJECT_AFTER_MESSAGES;
    private static final long W = ReplayWindow.WINDOW_SIZE;
    private static final long T_LIM = W + 1;

    private final ReplayWindow filter = new ReplayWindow();
    private int testNumber;

    private void t(long n, boolean expected) {
        testNumber++;
        assertEquals(expected, filter.validateCounter(n, REJECT),
                "test=" + testNumber + " counter=" + Long.toUnsignedString(n));
    }

    @Test
    void windowIs8128() {
        assertEquals(8128, W);
    }

    @Test
    void kernelTable() {
        t(0, true);
        t(1, true);
        t(1, false);
        t(9, true);
        t(8, true);
        t(7, true);
        t(7, false);
        t(T_LIM, true);
        t(T_LIM - 1, true);
        t(T_LIM - 1, false);
        t(T_LIM - 2, true);
        t(2, true);
        t(2, false);
        t(T_LIM + 16, true);
        t(3, false);
        t(T_LIM + 16, false);
        t(T_LIM * 4, true);
        t(T_LIM * 4 - (T_LIM - 1), true);
        t(10, false);
        t(T_LIM * 4 - T_LIM, false);
        t(T_LIM * 4 - (T_LIM + 1), false);
        t(T_LIM * 4 - (T_LIM - 2), true);
        t(T_LIM * 4 + 1 - T_LIM, false);
        t(0, false);
        t(REJECT, false);
        t(REJECT - 1, true);
        t(REJECT, false);
        t(REJECT - 1, false);
        t(REJECT - 2, true);
        t(REJECT + 1, false);
        t(REJECT + 2, false);
        t(REJECT - 2, false);
        t(REJECT - 3, true);
        t(0, false);
    }

    @Test
    void bulkAscendingThenZero() {
        for (long i = 1; i <= W; i++) {
            t(i, true);
        }
        t(0, true);
        t(0, false);
    }

    @Test
    void bulkAscendingFromTwoThenOne() {
        for (long i = 2; i <= W + 1; i++) {
            t(i, true);
        }
        t(1, true);
        t(0, false);
    }

    @Test
    void bulkDescending() {
        for (long i = W + 1; i > 0; i--) {
            t(i, true);
        }
    }

    @Test
    void bulkDescendingFromTwoPastWindow() {
        for (long i = W + 2; i > 1; i--) {
            t(i, true);
        }
        t(0, false);
    }

    @Test
    void bulkDescendingThenAdvance() {
        for (long i = W; i > 0; i--) {
            t(i, true);
        }
        t(W + 1, true);
        t(0, false);
    }

    @Test
    void bulkDescendingZeroThenAdvance() {
        for (long i = W; i > 0; i--) {
            t(i, true);
        }
        t(0, true);
        t(W + 1, true);
    }

    @Test
    void resetForgets() {
        t(5, true);
        t(5, false);
        filter.reset();
        t(5, true);
    }
}
