package io.dwcp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
    @Test
    void medianOfOddAndEvenSamples() {
        Stats odd = Stats.of(List.of(3.0, 1.0, 2.0));
        assertEquals(2.0, odd.median());
        assertEquals(1.0, odd.min());
        assertEquals(3.0, odd.max());
        assertEquals(3, odd.n());
        assertEquals(2.5, Stats.of(List.of(4.0, 1.0, 2.0, 3.0)).median());
        assertEquals(7.0, Stats.of(List.of(7.0)).median());
    }

    @Test
    void missingValuesAreSkippedAndNothingGivesNull() {
        assertEquals(2.0, Stats.of(Arrays.asList(null, 2.0, null)).median());
        assertNull(Stats.of(List.of()));
        assertNull(Stats.of(Arrays.asList((Double) null)));
        assertNull(Stats.median(List.of()));
    }

    @Test
    void ratioOfMissingOrZeroIsNull() {
        assertEquals(2.0, Stats.ratio(4.0, 2.0));
        assertNull(Stats.ratio(null, 2.0));
        assertNull(Stats.ratio(1.0, 0.0));
    }

    @Test
    void summaryUsesOnlySuccessfulTimedRuns() {
        long gib = 1L << 30;
        List<RunRecord> runs = List.of(
                run("w1", 100.0, 900L),
                run("1", 2.0, 100L),
                run("2", 4.0, 300L),
                run("3", 3.0, 200L),
                RunRecord.failed("file", "dwcp", "4", "boom"));
        ToolSummary s = ToolSummary.of("file", "dwcp", gib, 1, runs);
        assertEquals(3, s.okRuns());
        assertEquals(1, s.failedRuns());
        assertEquals("boom", s.firstError());
        assertEquals(3.0, s.wall().median());
        assertEquals(gib / 3.0, s.wallThroughput(), 1e-6);
        assertEquals(200.0, s.heapPerGib(), 1e-9);
        assertEquals(900L, s.peakKib(), "the peak covers warm-up runs too: the server lived through them");
        assertEquals(1.5, s.cpuPerGib(s.totalCpu()), 1e-9);
    }

    private static RunRecord run(String round, double wall, Long heap) {
        return new RunRecord("file", "dwcp", round, true, null, 1L << 30, wall, wall - 0.1, 1.0, 0.5, heap, heap, null);
    }
}
