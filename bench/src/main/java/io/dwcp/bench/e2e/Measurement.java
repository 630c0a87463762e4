package io.dwcp.bench.e2e;

/** What a tool measured in one run, before the harness checks the result. Nulls: not measured by this tool. */
record Measurement(double wallSeconds, Double selfSeconds, double clientCpuSeconds, Double serverCpuSeconds,
                   Long serverPeakKib, Long heapAllocBytes, Long clientPeakKib) {}
