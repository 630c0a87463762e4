package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workloads' sources: made once per source key and shared by the workloads with that key (a tree and its
 * re-syncs), deleted after the last of them, and partly rewritten before each round of gen-tree-1pct.
 */
final class SourceStore {
    private final BenchOptions options;
    private final BenchContext ctx;
    private final Map<String, Source> byWorkload = new LinkedHashMap<>();
    private final Map<String, List<String>> notes = new LinkedHashMap<>();
    private TreePlan genTreePlan;

    SourceStore(BenchOptions options, BenchContext ctx) {
        this.options = options;
        this.ctx = ctx;
    }

    /** Workload name (and source key) -> source, for the report: a workload that got a source ran. */
    Map<String, Source> byWorkload() {
        return byWorkload;
    }

    /** Workload name -> what its rounds changed in the source. */
    Map<String, List<String>> notes() {
        return notes;
    }

    Source get(Workload w) throws BenchException {
        for (Map.Entry<String, Source> e : byWorkload.entrySet()) {
            if (e.getValue() != null && e.getKey().equals(w.sourceKey()) && Files.exists(e.getValue().path())) {
                byWorkload.put(w.name(), e.getValue());
                return e.getValue();
            }
        }
        if (w.oneFile()) {
            // A file and one copy; a pair: OLD and NEW, and at the destination OLD and the new version being built.
            int copies = w.kind() == Workload.Kind.FILE_PAIR ? 4 : 2;
            long need = ((long) w.sizeMib() << 20) * copies + (256L << 20);
            try {
                long free = Files.getFileStore(ctx.work()).getUsableSpace();
                if (free < need) {
                    throw new BenchException(Fmt.s("%s has %s free, the %s workload needs %s (%s)", ctx.work(),
                            Fmt.size(free), w.name(), Fmt.size(need), copies == 2 ? "source and one copy"
                                    : "old and new version, and at the destination the old one and the new one being built"));
                }
            } catch (IOException e) {
                throw new BenchException("cannot read free space of " + ctx.work(), e);
            }
        }
        Log.info("creating the source of " + w.name() + " (untimed)");
        Source s = Sources.create(w, ctx.sources(), options, options.runTimeoutSeconds());
        byWorkload.put(w.sourceKey(), s);
        byWorkload.put(w.name(), s);
        return s;
    }

    /** A source no later workload needs is deleted, so that it does not change the memory state of the next ones. */
    void dropIfDone(Workload w, List<Workload> all) {
        boolean later = all.subList(all.indexOf(w) + 1, all.size()).stream().anyMatch(x -> x.sourceKey().equals(w.sourceKey()));
        Source s = byWorkload.get(w.name());
        if (!later && s != null) {
            TransferBench.clearQuietly(s.path());
            for (java.nio.file.Path p : s.basis() == null ? List.of(s.path()) : List.of(s.path(), s.basis())) {
                try {
                    Sources.delete(p);
                } catch (IOException e) {
                    Log.info("could not delete " + p + ": " + e.getMessage());
                }
            }
        }
    }

    /**
     * Once per round, before its first tool: every tool's copy holds the previous round's source (its own priming
     * send or its run in the round before), so every tool faces this same change set.
     */
    void rewrite(Workload w, Source source, int r, String round) throws BenchException {
        if (genTreePlan == null) {
            genTreePlan = Sources.genTreePlan(options);
        }
        try {
            TreeGenerator.Changes c = TreeGenerator.rewrite(source.path(), genTreePlan, Workload.REWRITE_FRACTION, r);
            String line = Fmt.s("round %s: rewrote %d files, %s (same sizes, new content and mtimes)", round, c.files(),
                    Fmt.size(c.bytes()));
            Log.info(w.name() + " " + line);
            notes.computeIfAbsent(w.name(), k -> new ArrayList<>()).add(line);
        } catch (IOException e) {
            throw new BenchException("cannot rewrite 1% of " + source.path() + ": " + e.getMessage(), e);
        }
    }
}
