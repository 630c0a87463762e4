package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns what a benchmark run recorded into the markdown report (through {@link ReportWriter}), writes it atomically
 * and prints the targets; kept apart from {@link TransferBench}, which runs the workloads.
 *
 * @param sources  workload name -> its source (only workloads that got one ran)
 * @param notes    workload name -> lines for its section (what each round of gen-tree-1pct rewrote)
 * @param fidelity the metadata checks of the gen-tree first copies
 */
record BenchReport(BenchOptions options, BenchContext ctx, List<Tool> tools, List<RunRecord> runs, Map<String, Source> sources,
                   Map<String, List<String>> notes, List<Fidelity.Result> fidelity) {

    /** Writes the report; 0 when every run succeeded, 2 when some failed. */
    int write(String date, Map<String, String> machine, Map<String, String> versions, List<Workload> workloads)
            throws BenchException {
        Map<String, Map<String, ToolSummary>> summaries = new LinkedHashMap<>();
        List<Workload> ran = workloads.stream().filter(w -> sources.containsKey(w.name())).toList();
        for (Workload w : ran) {
            Source s = sources.get(w.name());
            Map<String, ToolSummary> byTool = new LinkedHashMap<>();
            for (Tool t : tools) {
                if (t.supports(w)) {
                    byTool.put(t.name(), ToolSummary.of(w.name(), t.name(), s.bytes(), s.files(), runs));
                }
            }
            summaries.put(w.name(), byTool);
        }
        for (Tool t : tools) {
            if (t instanceof DwcpTool d && !d.serverJava().equals("n/a")) {
                versions.put(t.name() + " server JVM", d.serverJava());
            }
        }
        boolean genTree = ran.stream().anyMatch(w -> w.kind() == Workload.Kind.GEN_TREE);
        List<Targets.Result> targets = Targets.evaluate(ran, summaries,
                genTree ? new GenTreeTargets.Run(options.files(), options.dirs(), fidelity) : null);
        String text = ReportWriter.write(new ReportWriter.Data(date, MachineInfo.gitRevision(ctx.repo()),
                options.reproduceCommand(), machine, versions, settings(workloads, genTree), commands(ran), ran, sources,
                summaries, targets, runs, MachineInfo.loadAverage(), notes, fidelity));
        Path results = options.results().toAbsolutePath();
        try {
            Files.createDirectories(results.getParent());
            Path tmp = Files.createTempFile(results.getParent(), ".transfer-bench", ".md");
            Files.writeString(tmp, text);
            Files.move(tmp, results, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BenchException("cannot write " + results + ": " + e.getMessage(), e);
        }
        Log.info("wrote " + results);
        for (Targets.Result t : targets) {
            System.err.println(Fmt.s("  %-4s %-70s %s %s", t.status(), t.target(), t.measured(), t.note()));
        }
        long failed = runs.stream().filter(r -> !r.ok()).count();
        if (failed > 0) {
            Log.info(failed + " run(s) failed: see \"Failed runs\" in " + results);
            return 2;
        }
        return 0;
    }

    private List<String> settings(List<Workload> workloads, boolean genTree) {
        List<String> settings = new ArrayList<>(List.of(
                "workloads: " + String.join(" ", workloads.stream().map(Workload::name).toList()),
                Fmt.s("timed rounds per workload: %d, after %d warm-up round(s)", options.runs(), options.warmup())));
        if (workloads.stream().anyMatch(w -> w.kind() == Workload.Kind.TREE || w.kind() == Workload.Kind.REAL_TREE)) {
            settings.add("tree: " + options.files() + " files, " + options.perDir() + " per directory, sizes uniform in 0-"
                    + Sources.TREE_MAX_FILE + " bytes" + (options.realTree() == null ? "" : "; real tree: copy of " + options.realTree()));
        }
        if (genTree) {
            settings.add(Fmt.s("gen-tree: `io.dwcp.bench.e2e.TreeGenerator --seed %d --files %d --dirs %d` (log-normal sizes,"
                    + " median %.0f B, clipped to %d MiB; ~1%% hard links, ~1%% symlinks); fidelity check `%s`", options.seed(),
                    options.files(), options.dirs(), TreePlan.MEDIAN_SIZE, TreePlan.MAX_SIZE >> 20,
                    String.join(" ", Fidelity.command(Path.of("SRC"), Path.of("DST")))));
        }
        if (workloads.stream().anyMatch(Workload::startsFromOldVersion)) {
            settings.add(Fmt.s("file-delta: OLD a seeded random file, NEW = OLD with %.0f%% of its %d-byte pages rewritten (pages and"
                    + " bytes seeded by SEED %d); OLD restored at each tool's destination (copy, then sync) before every run,"
                    + " untimed; every result compared with NEW byte for byte", FilePair.CHANGED_FRACTION * 100, FilePair.PAGE,
                    options.seed()));
        }
        if (workloads.stream().anyMatch(Workload::interrupted)) {
            settings.add(Fmt.s("file-resume: kill point = the first %d ms poll at which the receiver's partial file (dwcp"
                    + " NAME.dwcp-part, rsync .NAME.XXXXXX) has %.0f%% of the file allocated (stat %%b x %%B), not a time;"
                    + " SIGKILL; every result compared with the source byte for byte", CrashResume.POLL_MS, CrashResume.KILL_AT * 100));
        }
        settings.add("dwcp streams: " + options.streams() + "; extra serve args: '" + String.join(" ", options.serveArgs())
                + "', send args: '" + String.join(" ", options.sendArgs()) + "'");
        settings.add("tools: " + String.join(" ", options.tools()) + "; run timeout " + options.runTimeoutSeconds() + " s");
        return settings;
    }

    /** Each tool's distinct commands, with the workloads that used each (flags differ between files, trees, checksums). */
    private List<String> commands(List<Workload> ran) {
        List<String> out = new ArrayList<>();
        for (Tool t : tools) {
            Map<String, List<String>> byCommand = new LinkedHashMap<>();
            for (Workload w : ran) {
                if (t.supports(w)) {
                    byCommand.computeIfAbsent(t.commands(w), k -> new ArrayList<>()).add(w.name());
                }
            }
            byCommand.forEach((cmd, ws) -> out.add(t.name() + " (" + String.join(", ", ws) + "): " + cmd));
        }
        return out;
    }
}
