package io.dwcp.bench.e2e;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The statistics of one tool on one workload, over its successful timed runs.
 *
 * @param figures per {@link Figures} name the runs reported, its statistics (names in the order first seen)
 */
record ToolSummary(String workload, String tool, long bytes, long files, int okRuns, int failedRuns, Stats wall,
                   Stats self, Stats clientCpu, Stats serverCpu, Stats totalCpu, Long peakKib, Stats heapAlloc,
                   String firstError, Long clientPeakKib, Map<String, Stats> figures) {

    static ToolSummary of(String workload, String tool, long bytes, long files, List<RunRecord> all) {
        List<RunRecord> mine = all.stream().filter(r -> r.workload().equals(workload) && r.tool().equals(tool)).toList();
        List<RunRecord> ok = mine.stream().filter(r -> r.ok() && r.timed()).toList();
        Long peak = mine.stream().filter(RunRecord::ok).map(RunRecord::serverPeakKib).filter(Objects::nonNull)
                .max(Long::compare).orElse(null);
        Long clientPeak = mine.stream().filter(RunRecord::ok).map(RunRecord::clientPeakKib).filter(Objects::nonNull)
                .max(Long::compare).orElse(null);
        String error = mine.stream().filter(r -> !r.ok()).map(RunRecord::error).findFirst().orElse(null);
        return new ToolSummary(workload, tool, bytes, files, ok.size(), (int) mine.stream().filter(r -> !r.ok()).count(),
                stats(ok, RunRecord::wallSeconds), stats(ok, RunRecord::selfSeconds), stats(ok, RunRecord::clientCpuSeconds),
                stats(ok, RunRecord::serverCpuSeconds), stats(ok, RunRecord::totalCpuSeconds), peak,
                stats(ok, r -> r.heapAllocBytes() == null ? null : r.heapAllocBytes().doubleValue()), error, clientPeak,
                figures(ok));
    }

    private static Map<String, Stats> figures(List<RunRecord> ok) {
        Map<String, Stats> out = new LinkedHashMap<>();
        ok.stream().flatMap(r -> r.figures().keySet().stream()).distinct()
                .forEach(k -> out.put(k, stats(ok, r -> r.figures().get(k))));
        return out;
    }

    /** The median of a figure over the successful timed runs, null when none reported it. */
    Double figure(String name) {
        return median(figures.get(name));
    }

    private static Stats stats(List<RunRecord> runs, Function<RunRecord, Double> f) {
        return Stats.of(runs.stream().map(f).toList());
    }

    private static Double median(Stats s) {
        return s == null ? null : s.median();
    }

    double gib() {
        return bytes / Fmt.GIB;
    }

    /** Bytes per second of wall clock, from the median wall time. */
    Double wallThroughput() {
        Double w = median(wall);
        return w == null || w <= 0 ? null : bytes / w;
    }

    /** Files (for gen-tree: non-directory names) per second of wall clock, from the median wall time. */
    Double filesPerSecond() {
        Double w = median(wall);
        return w == null || w <= 0 ? null : files / w;
    }

    Double selfThroughput() {
        Double s = median(self);
        return s == null || s <= 0 ? null : bytes / s;
    }

    Double cpuPerGib(Stats s) {
        Double m = median(s);
        return m == null || bytes == 0 ? null : m / gib();
    }

    /** Median heap bytes allocated by the data-plane threads per GiB of workload data. */
    Double heapPerGib() {
        Double m = median(heapAlloc);
        return m == null || bytes == 0 ? null : m / gib();
    }
}
