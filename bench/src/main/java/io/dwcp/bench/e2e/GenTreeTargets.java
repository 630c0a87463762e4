package io.dwcp.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The targets for the generated tree, dwcp against rsync on medians of wall time: the first copy at 1.5x
 * rsync's throughput, the identical and the 1% re-syncs no slower than rsync, the --checksum re-sync twice as fast
 * as rsync -c, and a first copy that rsync -aHcn finds nothing to change in. Measured on a tree of another size
 * than 100,000 files in 5,000 directories, they are indicative.
 */
final class GenTreeTargets {
    static final int FILES = 100_000;
    static final int DIRS = 5_000;
    static final String PEER = "rsync";

    /** The tree this run generated and the fidelity checks of its first copies. */
    record Run(int files, int dirs, List<Fidelity.Result> fidelity) {}

    private GenTreeTargets() {}

    static List<Targets.Result> evaluate(List<Workload> workloads, Map<String, Map<String, ToolSummary>> summaries, Run run) {
        List<Targets.Result> out = new ArrayList<>();
        if (run == null || workloads.stream().noneMatch(w -> w.kind() == Workload.Kind.GEN_TREE)) {
            return out;
        }
        String size = run.files() == FILES && run.dirs() == DIRS ? ""
                : Fmt.s("indicative: this tree has %d files in %d directories, the target is for %d in %d", run.files(),
                        run.dirs(), FILES, DIRS);
        out.add(ratio(workloads, summaries, run, "gen-tree", "dwcp >= 1.5x rsync throughput, gen-tree first copy", 1.5, size));
        out.add(ratio(workloads, summaries, run, "gen-tree-resend", "dwcp >= 1.0x rsync, gen-tree identical re-sync", 1.0, size));
        out.add(ratio(workloads, summaries, run, "gen-tree-1pct", "dwcp >= 1.0x rsync, gen-tree re-sync after 1% rewritten", 1.0, size));
        out.add(ratio(workloads, summaries, run, "gen-tree-checksum", "dwcp --checksum >= 2.0x rsync -c, gen-tree identical re-sync",
                2.0, size));
        String label = "dwcp gen-tree copy exact (rsync -aHcn --itemize-changes lists nothing)";
        if (workloads.stream().noneMatch(w -> w.name().equals("gen-tree"))) {
            out.add(new Targets.Result(label, "n/a", "n/a", "workload gen-tree not run"));
        } else if (run.fidelity().stream().noneMatch(r -> r.workload().equals("gen-tree") && r.tool().equals(Targets.TOOL))) {
            out.add(new Targets.Result(label, "n/a", "n/a", "no dwcp copy was checked (its runs failed before the check)"));
        } else {
            boolean exact = Fidelity.allExact(run.fidelity(), "gen-tree", Targets.TOOL);
            out.add(new Targets.Result(label, exact ? "exact" : "not exact", exact ? "PASS" : "FAIL",
                    exact ? "" : "see the gen-tree fidelity column"));
        }
        return out;
    }

    private static Targets.Result ratio(List<Workload> workloads, Map<String, Map<String, ToolSummary>> summaries, Run run,
                                        String workload, String label, double min, String sizeNote) {
        if (workloads.stream().noneMatch(w -> w.name().equals(workload))) {
            return new Targets.Result(label, "n/a", "n/a", "workload " + workload + " not run");
        }
        ToolSummary d = summaries.getOrDefault(workload, Map.of()).get(Targets.TOOL);
        ToolSummary p = summaries.getOrDefault(workload, Map.of()).get(PEER);
        Double r = d == null || p == null ? null : Stats.ratio(d.wallThroughput(), p.wallThroughput());
        if (r == null) {
            return new Targets.Result(label, "n/a", "n/a", "dwcp or rsync has no successful run on " + workload);
        }
        List<String> notes = new ArrayList<>();
        if (!sizeNote.isEmpty()) {
            notes.add(sizeNote);
        }
        if (workload.equals("gen-tree")) {
            for (String tool : List.of(Targets.TOOL, PEER)) {
                if (!Fidelity.allExact(run.fidelity(), workload, tool)) {
                    notes.add(tool + "'s copy is not exact (fidelity)");
                }
            }
        }
        return new Targets.Result(label, Fmt.s("%.2fx", r), r >= min ? "PASS" : "FAIL", String.join("; ", notes));
    }
}
