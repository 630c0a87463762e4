package io.dwcp.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The part of a gen-tree workload's report section that the generic table lacks: files per second, both ends'
 * memory peaks side by side and, for the first copy, whether each tool's copy was exact.
 */
final class GenTreeReport {
    private GenTreeReport() {}

    static String describe(Workload w) {
        return switch (w.resync()) {
            case IDENTICAL -> w.resend() ? "identical re-sync into the destination the same tool made (untimed priming send)"
                    : "first copy into an empty destination, checked with rsync -aHcn after every run (fidelity)";
            case REWRITE_1PCT -> Fmt.s("re-sync after %.0f%% of the files (seeded per round, non-empty ones) were rewritten in"
                    + " place: same size, new content, new mtime; once per round, before its first tool, so every tool moves"
                    + " the same change set into the copy it made in the round before", Workload.REWRITE_FRACTION * 100);
            case CHECKSUM -> "identical re-sync comparing content: dwcp send --checksum, rsync -c";
            case OLD_VERSION, OLD_VERSION_BASE -> DeltaReport.describe(w); // file pairs only: not a gen-tree workload
        };
    }

    /** explain: add the footnote on units (the first gen-tree section of a report). */
    static List<String> lines(Workload w, Map<String, ToolSummary> tools, List<Fidelity.Result> fidelity, boolean explain) {
        List<String> out = new ArrayList<>();
        out.add("| tool | ok runs | median s | files/s | MB/s | client VmHWM MiB | server VmHWM MiB | fidelity |");
        out.add("|---|---:|---:|---:|---:|---:|---:|---|");
        for (ToolSummary s : tools.values()) {
            Double tput = s.wallThroughput();
            out.add(Fmt.s("| %s | %d | %s | %s | %s | %s | %s | %s |", s.tool(), s.okRuns(),
                    s.wall() == null ? "n/a" : Fmt.s("%.3f", s.wall().median()), Fmt.num(s.filesPerSecond(), 0),
                    tput == null ? "n/a" : Fmt.s("%.1f", tput / 1e6), mib(s.clientPeakKib()), mib(s.peakKib()),
                    w.checksFidelity() ? Fidelity.verdict(fidelity, w.name(), s.tool()).replace("|", "\\|") : "not checked"));
        }
        out.add("");
        if (explain) {
            out.add("files = non-directory names (regular files, second hard-link names, symlinks); MB/s = 10^6 bytes of"
                    + " distinct file content per second. Client VmHWM is sampled every 10 ms; server VmHWM is dwcp serve's own"
                    + " peak in the run, or the sum of the peaks of the rsync daemon's per-connection processes.");
            out.add("");
        }
        return out;
    }

    private static String mib(Long kib) {
        return kib == null ? "n/a" : Fmt.s("%.0f", kib / 1024.0);
    }
}
