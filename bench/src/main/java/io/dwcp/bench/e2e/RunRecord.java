package io.dwcp.bench.e2e;

import java.util.Map;

/**
 * One run of one tool on one workload: a timing when ok, else the reason it failed.
 *
 * @param round             "w1".. for warm-up rounds (excluded from statistics), "1".. for timed rounds
 * @param wallSeconds       client command's wall clock (for iperf3: until the one-shot server has exited too)
 * @param selfSeconds       the tool's own timing (dwcp JSON "seconds", iperf3 sum_sent.seconds), or null
 * @param clientCpuSeconds  user+system CPU of the client and what it started
 * @param serverCpuSeconds  user+system CPU of the server during the run, null for local tools
 * @param serverPeakKib     server VmHWM after the run, null when not measured
 * @param heapAllocBytes    data_heap_alloc_bytes from the server log, null when absent
 * @param clientPeakKib     the client's sampled peak RSS (see {@link PeakSampler}), null when not measured
 * @param figures           what the tool reported besides timings ({@link Figures}), empty when nothing
 */
record RunRecord(String workload, String tool, String round, boolean ok, String error, long bytes,
                 double wallSeconds, Double selfSeconds, Double clientCpuSeconds, Double serverCpuSeconds,
                 Long serverPeakKib, Long heapAllocBytes, Long clientPeakKib, Map<String, Double> figures) {

    RunRecord(String workload, String tool, String round, boolean ok, String error, long bytes, double wallSeconds,
              Double selfSeconds, Double clientCpuSeconds, Double serverCpuSeconds, Long serverPeakKib, Long heapAllocBytes,
              Long clientPeakKib) {
        this(workload, tool, round, ok, error, bytes, wallSeconds, selfSeconds, clientCpuSeconds, serverCpuSeconds, serverPeakKib,
                heapAllocBytes, clientPeakKib, Map.of());
    }

    boolean timed() {
        return !round.startsWith("w");
    }

    static RunRecord failed(String workload, String tool, String round, String error) {
        return new RunRecord(workload, tool, round, false, error, 0, Double.NaN, null, null, null, null, null, null);
    }

    Double totalCpuSeconds() {
        if (clientCpuSeconds == null) {
            return null;
        }
        return clientCpuSeconds + (serverCpuSeconds == null ? 0 : serverCpuSeconds);
    }
}
