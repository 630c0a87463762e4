package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end comparison of dwcp against iperf3, rsync and local-copy floors, over loopback, tmpfs to tmpfs.
 * Run through bench/transfer-bench.sh, which builds what is needed and maps its environment variables to the
 * options here (see {@link BenchOptions}). Writes a markdown report; exits 0 when every run succeeded, 2 when
 * some failed (the report is written anyway and lists them), 1 on a usage or set-up error.
 */
public final class TransferBench {
    private final BenchOptions options;
    private final BenchContext ctx;
    private final List<Tool> tools = new ArrayList<>();
    private final List<RunRecord> runs = new ArrayList<>();
    private final Map<String, Source> sourcesByWorkload = new LinkedHashMap<>();

    private TransferBench(BenchOptions options, BenchContext ctx) {
        this.options = options;
        this.ctx = ctx;
        for (String t : options.tools()) {
            tools.add(switch (t) {
                case "dwcp" -> new DwcpTool(ctx, false);
                case "dwcp-portable" -> new DwcpTool(ctx, true);
                case "iperf3" -> new Iperf3Tool(ctx);
                case "rsync" -> new RsyncTool(ctx);
                case "cp" -> new LocalTool(ctx, false);
                case "dd" -> new LocalTool(ctx, true);
                default -> throw new IllegalArgumentException(t);
            });
        }
    }

    public static void main(String[] args) {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchException e) {
            System.err.println("transfer-bench: " + e.getMessage());
            System.exit(1);
            return;
        }
        int rc;
        try {
            rc = run(options);
        } catch (BenchException e) {
            Log.info("ERROR: " + e.getMessage());
            rc = 1;
        }
        System.exit(rc);
    }

    private static int run(BenchOptions options) throws BenchException {
        ProcReader.init();
        Path repo = Path.of("").toAbsolutePath();
        installMissing(options, repo);
        Map<String, String> machine = MachineInfo.describe();
        Path work;
        try {
            Files.createDirectories(options.workdirBase());
            work = Files.createTempDirectory(options.workdirBase(), "dwcp-bench.");
            for (String d : List.of("src", "dst", "logs", "out")) {
                Files.createDirectories(work.resolve(d));
            }
            String fs = Files.getFileStore(work).type();
            if (!fs.equals("tmpfs")) {
                Log.info("WARNING: " + work + " is on " + fs + ", not tmpfs: the disk may hide the engines");
            }
        } catch (IOException e) {
            throw new BenchException("cannot create a work directory under " + options.workdirBase() + ": " + e.getMessage(), e);
        }
        Thread hook = new Thread(() -> cleanup(work, options.keepWorkdir()), "transfer-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        TransferBench bench = new TransferBench(options, new BenchContext(options, repo, work));
        String date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'"));
        Map<String, String> versions = bench.versions();
        List<Workload> workloads = options.workloads();
        for (Workload w : workloads) {
            if (Processes.closing()) {
                throw new BenchException("interrupted; no report written");
            }
            bench.runWorkload(w, workloads);
        }
        return bench.report(date, machine, versions, workloads);
    }

    private static void cleanup(Path work, boolean keep) {
        Processes.stopAll();
        if (keep) {
            Log.info("keeping the work directory " + work);
            return;
        }
        // On a signal the main thread may still be writing below work until it sees closing(): retry a little.
        for (int attempt = 1; ; attempt++) {
            try {
                Sources.delete(work);
                return;
            } catch (IOException e) {
                if (attempt == 5) {
                    Log.info("could not remove " + work + ": " + e);
                    return;
                }
                ServerHandle.sleep(200);
            }
        }
    }

    /** rsync and iperf3 come from the project's install script when missing (root, Debian). */
    private static void installMissing(BenchOptions o, Path repo) throws BenchException {
        List<String> missing = new ArrayList<>();
        for (String t : List.of("rsync", "iperf3")) {
            if (o.tools().contains(t) && Processes.output(List.of("sh", "-c", "command -v " + t), null, 10) == null) {
                missing.add(t);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        Log.info("installing " + String.join(" ", missing) + " with scripts/install-tools.sh");
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("scripts/install-tools.sh").toString()));
        cmd.addAll(missing);
        String out = Processes.output(cmd, repo, 900);
        if (out == null) {
            throw new BenchException("could not install " + missing + ": run scripts/install-tools.sh " + String.join(" ", missing)
                    + " (as root), or leave them out of TOOLS");
        }
    }

    private Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        for (Tool t : tools) {
            if (!t.name().equals("dwcp-portable")) {
                v.put(t.name(), t.version());
            }
        }
        return v;
    }

    private void runWorkload(Workload w, List<Workload> all) throws BenchException {
        List<Tool> active = tools.stream().filter(t -> t.supports(w)).toList();
        if (active.isEmpty()) {
            Log.info("workload " + w.name() + ": no selected tool supports it, skipped");
            return;
        }
        Source source = source(w);
        Log.info(Fmt.s("workload %s: %s in %d file(s); tools %s", w.name(), Fmt.size(source.bytes()), source.files(),
                active.stream().map(Tool::name).toList()));
        Map<Tool, String> broken = new HashMap<>();
        try {
            for (Tool t : active) {
                try {
                    Sources.clear(t.destDir());
                    t.begin(w);
                } catch (BenchException | IOException e) {
                    fail(w, t, "setup", e.getMessage(), broken);
                }
            }
            if (w.resend()) {
                for (Tool t : active) {
                    if (!broken.containsKey(t)) {
                        prime(w, t, source, broken);
                    }
                }
            }
            int rounds = options.warmup() + options.runs();
            for (int r = 1; r <= rounds && !Processes.closing(); r++) {
                String round = r <= options.warmup() ? "w" + r : Integer.toString(r - options.warmup());
                Log.info("workload " + w.name() + ", round " + round + (r <= options.warmup() ? " (warm-up)" : "/" + options.runs()));
                for (int k = 0; k < active.size(); k++) {
                    Tool t = active.get((k + r - 1) % active.size());
                    if (!broken.containsKey(t)) {
                        runOnce(w, t, source, round);
                    }
                }
            }
        } finally {
            for (Tool t : active) {
                t.end();
                clearQuietly(t.destDir());
            }
            dropSourceIfDone(w, all);
        }
    }

    private void fail(Workload w, Tool t, String round, String error, Map<Tool, String> broken) {
        Log.info(w.name() + " " + t.name() + ": FAILED (" + round + "): " + error);
        runs.add(RunRecord.failed(w.name(), t.name(), round, error));
        broken.put(t, error);
    }

    /** The untimed first send of a resend workload, so that the timed runs find an identical copy. */
    private void prime(Workload w, Tool t, Source source, Map<Tool, String> broken) {
        try {
            t.run(w, source, "p");
            Verifier.check(source, t.output(w), t.copiesContent(), t.allowedShortfall(), options.runTimeoutSeconds());
            t.primed();
        } catch (BenchException e) {
            fail(w, t, "p", e.getMessage(), broken);
        }
    }

    private void runOnce(Workload w, Tool t, Source source, String round) {
        if (!w.resend()) {
            clearQuietly(t.destDir());
        }
        RunRecord rec;
        try {
            Measurement m = t.run(w, source, round);
            Verifier.check(source, t.output(w), t.copiesContent(), t.allowedShortfall(), options.runTimeoutSeconds());
            rec = new RunRecord(w.name(), t.name(), round, true, null, source.bytes(), m.wallSeconds(), m.selfSeconds(),
                    m.clientCpuSeconds(), m.serverCpuSeconds(), m.serverPeakKib(), m.heapAllocBytes());
            Log.info(Fmt.s("%s %s round %s: wall %.3f s, self %s s, cpu client %.2f s server %s s, VmHWM %s KiB",
                    w.name(), t.name(), round, m.wallSeconds(), Fmt.num(m.selfSeconds(), 3), m.clientCpuSeconds(),
                    Fmt.num(m.serverCpuSeconds(), 2), Fmt.num(m.serverPeakKib())));
        } catch (BenchException e) {
            rec = RunRecord.failed(w.name(), t.name(), round, e.getMessage());
            Log.info(w.name() + " " + t.name() + " round " + round + ": FAILED: " + e.getMessage());
        }
        runs.add(rec);
        if (!w.resend()) {
            clearQuietly(t.destDir());
        }
    }

    private Source source(Workload w) throws BenchException {
        for (Map.Entry<String, Source> e : sourcesByWorkload.entrySet()) {
            if (e.getValue() != null && e.getKey().equals(w.sourceKey()) && Files.exists(e.getValue().path())) {
                sourcesByWorkload.put(w.name(), e.getValue());
                return e.getValue();
            }
        }
        if (w.isFile()) {
            long need = ((long) w.sizeMib() << 20) * 2 + (256L << 20);
            try {
                long free = Files.getFileStore(ctx.work()).getUsableSpace();
                if (free < need) {
                    throw new BenchException(Fmt.s("%s has %s free, the %s workload needs %s (source and one copy)", ctx.work(),
                            Fmt.size(free), w.name(), Fmt.size(need)));
                }
            } catch (IOException e) {
                throw new BenchException("cannot read free space of " + ctx.work(), e);
            }
        }
        Log.info("creating the source of " + w.name() + " (untimed)");
        Source s = Sources.create(w, ctx.sources(), options, options.runTimeoutSeconds());
        sourcesByWorkload.put(w.sourceKey(), s);
        sourcesByWorkload.put(w.name(), s);
        return s;
    }

    /** A source no later workload needs is deleted, so that it does not change the memory state of the next ones. */
    private void dropSourceIfDone(Workload w, List<Workload> all) {
        boolean later = all.subList(all.indexOf(w) + 1, all.size()).stream().anyMatch(x -> x.sourceKey().equals(w.sourceKey()));
        Source s = sourcesByWorkload.get(w.name());
        if (!later && s != null) {
            clearQuietly(s.path());
            try {
                Sources.delete(s.path());
            } catch (IOException e) {
                Log.info("could not delete " + s.path() + ": " + e.getMessage());
            }
        }
    }

    private static void clearQuietly(Path dir) {
        try {
            Sources.clear(dir);
        } catch (IOException e) {
            Log.info("could not empty " + dir + ": " + e.getMessage());
        }
    }

    private int report(String date, Map<String, String> machine, Map<String, String> versions, List<Workload> workloads)
            throws BenchException {
        Map<String, Map<String, ToolSummary>> summaries = new LinkedHashMap<>();
        List<Workload> ran = workloads.stream().filter(w -> sourcesByWorkload.containsKey(w.name())).toList();
        for (Workload w : ran) {
            Source s = sourcesByWorkload.get(w.name());
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
        List<String> settings = List.of(
                "workloads: " + String.join(" ", workloads.stream().map(Workload::name).toList()),
                Fmt.s("timed rounds per workload: %d, after %d warm-up round(s)", options.runs(), options.warmup()),
                "tree: " + options.files() + " files, " + Sources.FILES_PER_DIR + " per directory, sizes uniform in 0-"
                        + Sources.TREE_MAX_FILE + " bytes" + (options.realTree() == null ? "" : "; real tree: copy of " + options.realTree()),
                "dwcp streams: " + options.streams() + "; extra serve args: '" + String.join(" ", options.serveArgs())
                        + "', send args: '" + String.join(" ", options.sendArgs()) + "'",
                "tools: " + String.join(" ", options.tools()) + "; run timeout " + options.runTimeoutSeconds() + " s");
        List<String> commands = new ArrayList<>();
        Workload anyTree = ran.stream().filter(w -> !w.isFile()).findFirst().orElse(null);
        Workload anyFile = ran.stream().filter(Workload::isFile).findFirst().orElse(null);
        for (Tool t : tools) {
            String fileCmd = anyFile != null && t.supports(anyFile) ? t.commands(anyFile) : null;
            String treeCmd = anyTree != null && t.supports(anyTree) ? t.commands(anyTree) : null;
            if (fileCmd != null && fileCmd.equals(treeCmd)) {
                commands.add(t.name() + ": " + fileCmd);
            } else {
                if (fileCmd != null) {
                    commands.add(t.name() + " (file): " + fileCmd);
                }
                if (treeCmd != null) {
                    commands.add(t.name() + " (tree): " + treeCmd);
                }
            }
        }
        List<Targets.Result> targets = Targets.evaluate(ran, summaries);
        String text = ReportWriter.write(new ReportWriter.Data(date, MachineInfo.gitRevision(ctx.repo()),
                options.reproduceCommand(), machine, versions, settings, commands, ran, sourcesByWorkload, summaries, targets,
                runs, MachineInfo.loadAverage()));
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
}
