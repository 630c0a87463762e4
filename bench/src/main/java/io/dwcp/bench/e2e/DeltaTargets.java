package io.dwcp.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The issue's targets for the delta workloads (one file, 1% of its 4 KiB pages changed, the receiver holding the
 * old version), dwcp against rsync's delta algorithm on medians: dwcp's wall time at most 0.2x rsync's, and
 * dwcp's wire bytes at most twice the changed bytes plus 1% of the file. The issue's file is 2 GiB; on another
 * size they are indicative.
 */
final class DeltaTargets {
    static final double MAX_WALL_RATIO = 0.2;
    static final int ISSUE_MIB = 2048;
    static final String PEER = "rsync";

    private DeltaTargets() {}

    /** The most wire bytes the target allows for a file of this size: 2 x the changed bytes + 1% of the file. */
    static long wireBound(long size) {
        return 2 * FilePair.changedBytes(size) + Math.round(size * FilePair.CHANGED_FRACTION);
    }

    static List<Targets.Result> evaluate(List<Workload> workloads, Map<String, Map<String, ToolSummary>> summaries) {
        List<Targets.Result> out = new ArrayList<>();
        for (Workload w : workloads) {
            if (!w.startsFromOldVersion()) {
                continue;
            }
            Map<String, ToolSummary> byTool = summaries.getOrDefault(w.name(), Map.of());
            String note = w.sizeMib() == ISSUE_MIB ? ""
                    : Fmt.s("indicative: measured on %d MiB, the issue's file is %d MiB", w.sizeMib(), ISSUE_MIB);
            for (String tool : List.of(Targets.TOOL, "dwcp-inplace")) {
                if (!tool.equals(Targets.TOOL) && !byTool.containsKey(tool)) {
                    continue; // the variants are reported only when they ran
                }
                String dwcp = (tool.equals(Targets.TOOL) ? "dwcp" : "dwcp --inplace") + (w.senderHasBase() ? " --base" : "");
                out.add(wallRatio(w, byTool, tool, Fmt.s("%s wall time <= %.1fx rsync's, %s", dwcp, MAX_WALL_RATIO,
                        w.name()), note));
                out.add(wire(w, byTool, tool, Fmt.s("%s wire_bytes <= 2 x changed bytes + 1%% of the file, %s", dwcp,
                        w.name()), note));
            }
        }
        return out;
    }

    private static Targets.Result wallRatio(Workload w, Map<String, ToolSummary> byTool, String tool, String label,
                                            String note) {
        ToolSummary d = byTool.get(tool);
        ToolSummary p = byTool.get(PEER);
        if (d == null || p == null || d.wall() == null || p.wall() == null) {
            return new Targets.Result(label, "n/a", "n/a", "dwcp or rsync has no successful run on " + w.name());
        }
        double r = d.wall().median() / p.wall().median();
        return new Targets.Result(label, Fmt.s("%.2fx (%.3f s / %.3f s)", r, d.wall().median(), p.wall().median()),
                r <= MAX_WALL_RATIO ? "PASS" : "FAIL", note);
    }

    private static Targets.Result wire(Workload w, Map<String, ToolSummary> byTool, String tool, String label,
                                       String note) {
        long size = (long) w.sizeMib() << 20;
        long bound = wireBound(size);
        ToolSummary d = byTool.get(tool);
        Double wire = d == null ? null : d.figure(Figures.WIRE_BYTES);
        String limits = Fmt.s("bound %d bytes (%s) = 2 x %d changed bytes (%d pages x %d) + %d", bound, Fmt.size(bound),
                FilePair.changedBytes(size), FilePair.changedPages(size), FilePair.PAGE, Math.round(size * FilePair.CHANGED_FRACTION));
        String notes = note.isEmpty() ? limits : note + "; " + limits;
        if (wire == null) {
            return new Targets.Result(label, "n/a", "n/a", (d == null || d.okRuns() == 0 ? "dwcp has no successful run"
                    : "dwcp's --json result has no wire_bytes") + "; " + notes);
        }
        return new Targets.Result(label, Fmt.s("%.0f bytes (%s, %.1fx the bound)", wire, Fmt.size(wire.longValue()), wire / bound),
                wire <= bound ? "PASS" : "FAIL", notes);
    }
}
