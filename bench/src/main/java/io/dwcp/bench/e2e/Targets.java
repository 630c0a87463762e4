package io.dwcp.bench.e2e;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The targets for dwcp (default I/O path), evaluated on this run's medians. A target defined for a size
 * this run did not use (a 64 MiB file instead of 4 GiB, 500 files instead of 50,000) is still evaluated on the
 * nearest workload, but marked indicative: it decides nothing.
 */
final class Targets {
    static final String TOOL = "dwcp";
    static final long PEAK_LIMIT_KIB = 512 * 1024;
    static final double HEAP_LIMIT_PER_GIB = 64 * 1024;
    static final int TREE_FILES = 50_000;

    record Result(String target, String measured, String status, String note) {}

    private Targets() {}

    /** summaries: workload name -> tool -> summary. */
    static List<Result> evaluate(List<Workload> workloads, Map<String, Map<String, ToolSummary>> summaries) {
        return evaluate(workloads, summaries, null);
    }

    /** genTree: the generated tree's size and fidelity checks, null when no gen-tree workload ran. */
    static List<Result> evaluate(List<Workload> workloads, Map<String, Map<String, ToolSummary>> summaries,
                                 GenTreeTargets.Run genTree) {
        List<Result> out = new ArrayList<>();
        out.add(ratio(workloads, summaries, 4096, "iperf3", 0.9));
        out.add(ratio(workloads, summaries, 4096, "rsync", 1.4));
        out.add(ratio(workloads, summaries, 1024, "rsync", 1.2));
        fileWorkload(workloads, 4096).ifPresentOrElse(
                w -> out.add(peak("server VmHWM < 512 MiB, 4 GiB file", summaries, w, sizeNote(w, 4096))),
                () -> out.add(new Result("server VmHWM < 512 MiB, 4 GiB file", "n/a", "n/a", "no file workload run")));
        for (String name : List.of("tree", "tree-resend")) {
            String label = "server VmHWM < 512 MiB, " + (name.equals("tree") ? "50,000-file tree" : "its identical resend");
            Workload w = workloads.stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
            if (w == null) {
                out.add(new Result(label, "n/a", "n/a", "workload " + name + " not run"));
            } else {
                ToolSummary s = summary(summaries, name, TOOL);
                String note = s != null && s.files() != TREE_FILES
                        ? Fmt.s("indicative: this tree has %d files, the target is for %d", s.files(), TREE_FILES) : "";
                out.add(peak(label, summaries, w, note));
            }
        }
        for (Workload w : workloads) {
            if (!w.firstCopy()) {
                continue;
            }
            ToolSummary s = summary(summaries, w.name(), TOOL);
            Double perGib = s == null ? null : s.heapPerGib();
            String label = "data-plane heap allocation < 64 KiB per GiB, " + w.name();
            if (perGib == null) {
                out.add(new Result(label, "n/a", "n/a", s == null || s.okRuns() == 0 ? "dwcp has no successful run"
                        : "the server log has no data_heap_alloc_bytes field"));
            } else {
                out.add(new Result(label, Fmt.s("%.1f KiB/GiB", perGib / 1024), status(perGib < HEAP_LIMIT_PER_GIB), ""));
            }
        }
        out.addAll(GenTreeTargets.evaluate(workloads, summaries, genTree));
        out.addAll(DeltaTargets.evaluate(workloads, summaries));
        return out;
    }

    private static Result ratio(List<Workload> workloads, Map<String, Map<String, ToolSummary>> summaries, int mib,
                                String peer, double min) {
        String label = Fmt.s("dwcp >= %.1fx %s throughput, %s file", min, peer, mib == 4096 ? "4 GiB" : "1 GiB");
        Optional<Workload> w = fileWorkload(workloads, mib);
        if (w.isEmpty()) {
            return new Result(label, "n/a", "n/a", "no file workload run");
        }
        ToolSummary d = summary(summaries, w.get().name(), TOOL);
        ToolSummary p = summary(summaries, w.get().name(), peer);
        Double r = d == null || p == null ? null : Stats.ratio(d.wallThroughput(), p.wallThroughput());
        if (r == null) {
            return new Result(label, "n/a", "n/a", "dwcp or " + peer + " has no successful run on " + w.get().name());
        }
        return new Result(label, Fmt.s("%.2fx", r), status(r >= min), sizeNote(w.get(), mib));
    }

    private static Result peak(String label, Map<String, Map<String, ToolSummary>> summaries, Workload w, String note) {
        ToolSummary s = summary(summaries, w.name(), TOOL);
        if (s == null || s.peakKib() == null) {
            return new Result(label, "n/a", "n/a", "no VmHWM measured for dwcp on " + w.name());
        }
        return new Result(label, Fmt.s("%.0f MiB", s.peakKib() / 1024.0), status(s.peakKib() < PEAK_LIMIT_KIB), note);
    }

    /** The file workload of that size, else the one of the nearest size (then indicative). */
    static Optional<Workload> fileWorkload(List<Workload> workloads, int mib) {
        return workloads.stream().filter(w -> w.isFile() && w.firstCopy())
                .min(Comparator.comparingInt(w -> Math.abs(w.sizeMib() - mib)));
    }

    private static String sizeNote(Workload w, int mib) {
        return w.sizeMib() == mib ? "" : Fmt.s("indicative: measured on %s, the target is for %d MiB", w.name(), mib);
    }

    private static ToolSummary summary(Map<String, Map<String, ToolSummary>> summaries, String workload, String tool) {
        return summaries.getOrDefault(workload, Map.of()).get(tool);
    }

    private static String status(boolean pass) {
        return pass ? "PASS" : "FAIL";
    }
}
