package io.dwcp.bench.e2e;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of a delta or crash-and-resume workload's report section that the generic table lacks: how each run
 * starts, what went over the wire ({@link Figures}: medians per tool, then every run), and for the delta workloads
 * the changed bytes, the target's bound and dwcp's wall time over rsync's.
 */
final class DeltaReport {
    private DeltaReport() {}

    static String describe(Workload w) {
        if (w.interrupted()) {
            return "Into an empty destination; " + CrashResume.describe(w) + ". The partial file's"
                    + " allocated size (stat %b x %B: blocks written out of order count, a pre-sized sparse file does not)"
                    + " decides the kill point; the bytes actually there are recorded. wall = the first send until the kill"
                    + (w.crash() == Workload.Crash.SERVER ? " + the server's restart" : "") + " + the send run to its end"
                    + " (CPU and memory columns are that send's); resent_fraction = its wire bytes / the file's size. Every"
                    + " result is compared with the source byte for byte.";
        }
        return "Each run starts with OLD at the tool's destination under NEW's name (copied there untimed before the run,"
                + " with OLD's mode and mtime, a day before NEW's, then sync) and NEW unchanged at the source, all in the work"
                + " directory; caches are not dropped, so every tool finds both files in memory. dwcp: " + (w.senderHasBase()
                ? "`dwcp send --base OLD NEW`, the sender told where its own copy of the receiver's version is"
                : "a plain `dwcp send` (the receiver's copy is the basis)") + "; rsync: its delta algorithm (`--no-whole-file`,"
                + " no `--inplace`: it builds a temporary file, as dwcp does)" + (w.senderHasBase()
                ? ", as in file-delta-1pct: it has no option that tells the sender the receiver's version" : "")
                + ". Every result is compared with NEW byte for byte.";
    }

    static List<String> lines(Workload w, Source src, Map<String, ToolSummary> tools, List<RunRecord> runs) {
        List<String> out = new ArrayList<>();
        long size = src == null ? (long) w.sizeMib() << 20 : src.bytes();
        if (w.startsFromOldVersion()) {
            long changed = FilePair.changedBytes(size);
            long bound = DeltaTargets.wireBound(size);
            out.add(Fmt.s("Changed bytes: %d pages x %d = %d bytes (%s). The target's bound for dwcp's wire bytes: 2 x %d + 1%%"
                    + " of %d = %d bytes (%s).", FilePair.changedPages(size), FilePair.PAGE, changed, Fmt.size(changed), changed, size,
                    bound, Fmt.size(bound)));
            out.add("");
        }
        List<RunRecord> mine = runs.stream().filter(r -> r.workload().equals(w.name()) && r.ok()).toList();
        Set<String> names = new LinkedHashSet<>();
        mine.forEach(r -> names.addAll(r.figures().keySet()));
        StringBuilder head = new StringBuilder("| tool | ok runs | wall s |");
        StringBuilder rule = new StringBuilder("|---|---:|---:|");
        for (String n : names) {
            head.append(' ').append(Figures.heading(n)).append(" |");
            rule.append("---:|");
        }
        out.add("Medians over the timed runs (bytes in MiB; wire = dwcp's --json wire_bytes, rsync's \"Total bytes sent\";"
                + " literal/matched = rsync's \"Literal data\"/\"Matched data\"; n/a: not reported by that tool or dwcp version):");
        out.add("");
        out.add(head.toString());
        out.add(rule.toString());
        for (ToolSummary s : tools.values()) {
            StringBuilder row = new StringBuilder(Fmt.s("| %s | %d | %s |", s.tool(), s.okRuns(),
                    s.wall() == null ? "n/a" : Fmt.s("%.3f", s.wall().median())));
            for (String n : names) {
                row.append(' ').append(Figures.format(n, s.figure(n))).append(" |");
            }
            out.add(row.toString());
        }
        out.add("");
        ToolSummary d = tools.get(Targets.TOOL);
        ToolSummary p = tools.get(DeltaTargets.PEER);
        if (w.startsFromOldVersion() && d != null && p != null && d.wall() != null && p.wall() != null) {
            out.add(Fmt.s("dwcp / rsync wall time (medians): %.2fx (target <= %.1fx)", d.wall().median() / p.wall().median(),
                    DeltaTargets.MAX_WALL_RATIO));
            out.add("");
        }
        out.add("Every run (`w` rounds: warm-up, not in the medians):");
        out.add("");
        head = new StringBuilder("| round | tool | wall s |");
        rule = new StringBuilder("|---|---|---:|");
        for (String n : names) {
            head.append(' ').append(Figures.heading(n)).append(" |");
            rule.append("---:|");
        }
        out.add(head.toString());
        out.add(rule.toString());
        for (RunRecord r : mine) {
            StringBuilder row = new StringBuilder(Fmt.s("| %s | %s | %.3f |", r.round(), r.tool(), r.wallSeconds()));
            for (String n : names) {
                row.append(' ').append(Figures.format(n, r.figures().get(n))).append(" |");
            }
            out.add(row.toString());
        }
        out.add("");
        return out;
    }
}
