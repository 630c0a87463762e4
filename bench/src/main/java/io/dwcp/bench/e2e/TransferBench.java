package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private final SourceStore sources;
    private final List<Fidelity.Result> fidelity = new ArrayList<>();

    private TransferBench(BenchOptions options, BenchContext ctx) {
        this.options = options;
        this.ctx = ctx;
        this.sources = new SourceStore(options, ctx);
        for (String t : options.tools()) {
            tools.add(switch (t) {
                case "dwcp" -> new DwcpTool(ctx, DwcpTool.Variant.DEFAULT);
                case "dwcp-portable" -> new DwcpTool(ctx, DwcpTool.Variant.PORTABLE);
                case "dwcp-inplace" -> new DwcpTool(ctx, DwcpTool.Variant.INPLACE);
                case "dwcp-splice" -> new DwcpTool(ctx, DwcpTool.Variant.SPLICE);
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
        Map<String, String> machine = new java.util.LinkedHashMap<>(MachineInfo.describe());
        Path work;
        try {
            Files.createDirectories(options.workdirBase());
            work = Files.createTempDirectory(options.workdirBase(), "dwcp-bench.");
            for (String d : List.of("src", "dst", "logs", "out")) {
                Files.createDirectories(work.resolve(d));
            }
            java.nio.file.FileStore store = Files.getFileStore(work);
            String fs = store.type();
            machine.put("work directory (sources and destinations)", options.workdirBase() + ": " + fs + " on "
                    + store.name());
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
        BenchReport report = new BenchReport(options, bench.ctx, bench.tools, bench.runs, bench.sources.byWorkload(),
                bench.sources.notes(), bench.fidelity);
        return report.write(date, machine, versions, workloads);
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
            if (!t.name().startsWith("dwcp-")) {
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
        Source source = sources.get(w);
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
                if (w.rewrites()) {
                    sources.rewrite(w, source, r, round);
                }
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
            sources.dropIfDone(w, all);
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
            Verifier.check(source, t.output(w), t.copiesContent(), t.allowedShortfall(), w.kind() == Workload.Kind.GEN_TREE,
                    options.runTimeoutSeconds());
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
            if (w.startsFromOldVersion()) {
                FilePair.restoreOld(source, t.output(w), options.runTimeoutSeconds());
            }
            Measurement m = t.run(w, source, round);
            try {
                Verifier.check(source, t.output(w), t.copiesContent(), t.allowedShortfall(), w.kind() == Workload.Kind.GEN_TREE,
                        w.checksEveryByte(), options.runTimeoutSeconds());
            } finally {
                if (w.checksFidelity()) {
                    checkFidelity(w, t, source, round);
                }
            }
            rec = new RunRecord(w.name(), t.name(), round, true, null, source.bytes(), m.wallSeconds(), m.selfSeconds(),
                    m.clientCpuSeconds(), m.serverCpuSeconds(), m.serverPeakKib(), m.heapAllocBytes(), m.clientPeakKib(), m.figures());
            Log.info(Fmt.s("%s %s round %s: wall %.3f s, self %s s, cpu client %.2f s server %s s, VmHWM server %s KiB client %s KiB%s",
                    w.name(), t.name(), round, m.wallSeconds(), Fmt.num(m.selfSeconds(), 3), m.clientCpuSeconds(),
                    Fmt.num(m.serverCpuSeconds(), 2), Fmt.num(m.serverPeakKib()), Fmt.num(m.clientPeakKib()),
                    m.figures().isEmpty() ? "" : "; " + Figures.describe(m.figures())));
        } catch (BenchException e) {
            rec = RunRecord.failed(w.name(), t.name(), round, e.getMessage());
            Log.info(w.name() + " " + t.name() + " round " + round + ": FAILED: " + e.getMessage());
        }
        runs.add(rec);
        if (!w.resend()) {
            clearQuietly(t.destDir());
        }
    }

    /** Untimed, after the content check (and also when it failed: the itemized list then says what differs). */
    private void checkFidelity(Workload w, Tool t, Source source, String round) {
        Fidelity.Result f = Fidelity.check(w, t, round, source.path(), t.output(w), ctx.outFile(w, t.name(), round, "fidelity"),
                options.runTimeoutSeconds());
        fidelity.add(f);
        Log.info(w.name() + " " + t.name() + " round " + round + ": fidelity " + f.describe());
    }

    static void clearQuietly(Path dir) {
        try {
            Sources.clear(dir);
        } catch (IOException e) {
            Log.info("could not empty " + dir + ": " + e.getMessage());
        }
    }
}
