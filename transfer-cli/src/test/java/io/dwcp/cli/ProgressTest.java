package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressTest {
    /** While the tree is read its total only grows: a lower bound, no percentage that could go down, no ETA. */
    @Test
    void aTotalThatMayStillGrowIsShownAsALowerBoundWithoutPercentOrEta() {
        assertEquals("\r512.00 MiB / 1.00 GiB+  0.10 GB/s  reading the tree   ",
                Progress.line(512L << 20, 1L << 30, false, 1e8));
    }

    @Test
    void aKnownTotalGetsItsPercentAndEta() {
        assertEquals("\r512.00 MiB / 1.00 GiB   50%  0.11 GB/s  ETA 0:05   ",
                Progress.line(512L << 20, 1L << 30, true, 1e8 + 7_374_182.4));
        assertEquals("\r0 B / 0 B    0%  0.00 GB/s  ETA 0:00   ", Progress.line(0, 0, true, 0));
    }
}
