package io.dwcp.bench.e2e;

import java.util.Map;

/**
 * What a tool measured in one run, before the harness checks the result. Nulls: not measured by this tool.
 *
 * @param figures what the tool reported about the run besides timings ({@link Figures}: bytes on the wire, blocks
 *                and pages sent, ...; the crash-and-resume steps), in the order the report shows them; empty when none
 */
record Measurement(double wallSeconds, Double selfSeconds, double clientCpuSeconds, Double serverCpuSeconds,
                   Long serverPeakKib, Long heapAllocBytes, Long clientPeakKib, Map<String, Double> figures) {

    Measurement(double wallSeconds, Double selfSeconds, double clientCpuSeconds, Double serverCpuSeconds, Long serverPeakKib,
                Long heapAllocBytes, Long clientPeakKib) {
        this(wallSeconds, selfSeconds, clientCpuSeconds, serverCpuSeconds, serverPeakKib, heapAllocBytes, clientPeakKib, Map.of());
    }

    /** The same measurement over a longer wall time, with other figures (a resumed send: see {@link CrashResume}). */
    Measurement spanning(double wall, Map<String, Double> newFigures) {
        return new Measurement(wall, selfSeconds, clientCpuSeconds, serverCpuSeconds, serverPeakKib, heapAllocBytes, clientPeakKib,
                newFigures);
    }
}
