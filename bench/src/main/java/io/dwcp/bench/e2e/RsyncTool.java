package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An rsync daemon per workload (config written here: one writable module on the tool's destination, chrooted into
 * it when the harness runs as root)
 * and {@code rsync -a --whole-file} (trees: {@code -aH}; the checksum re-sync: {@code -aHc}) into it per run. The
 * daemon forks one child per connection; its CPU reaches the daemon's cutime/cstime when the daemon reaps it,
 * which the run waits for, and its memory is sampled while it lives (the daemon's own peak is not the run's).
 * Where the destination starts with the old version of the file, rsync runs its delta algorithm
 * ({@code --no-whole-file}, said explicitly since rsync picks whole-file for local copies; no --inplace, so it builds
 * a temporary file as dwcp does) with {@code --stats} for its literal and total bytes; in the sender-kill workload
 * with {@code --partial}, which keeps what arrived for the next run to use as its basis.
 */
final class RsyncTool implements Resumable {
    static final String MODULE = "bench";
    private final BenchContext ctx;
    private ServerHandle daemon;

    RsyncTool(BenchContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "rsync";
    }

    /** Not the server-kill workload: a restarted daemon forks a fresh receiver anyway; it says nothing about rsync. */
    @Override
    public boolean supports(Workload w) {
        return w.crash() != Workload.Crash.SERVER;
    }

    @Override
    public Path destDir() {
        return ctx.destDir(name());
    }

    private Path config() {
        return ctx.work().resolve("rsyncd.conf");
    }

    /**
     * Without a chroot, rsync 3.5's daemon sanitizes every incoming symlink (drops a leading slash and the ".."
     * that climb out of the module) even with munging off, so a tree with absolute or outward links would not be
     * copied as it is; chrooted into the module it stores them verbatim. Chroot needs root; otherwise such links
     * differ at the destination (the Verifier and the fidelity check then say so).
     */
    static String config(Path moduleDir, Path pidFile, Path logFile, boolean root) {
        StringBuilder sb = new StringBuilder("# written by io.dwcp.bench.e2e.TransferBench\n")
                .append("pid file = ").append(pidFile).append('\n')
                .append("use chroot = ").append(root ? "yes" : "no").append('\n')
                .append("reverse lookup = no\n")
                .append("log file = ").append(logFile).append('\n');
        if (root) {
            // As root the daemon would otherwise switch to "nobody", which cannot write the destination.
            sb.append("uid = root\ngid = root\n");
        }
        return sb.append('[').append(MODULE).append("]\n")
                .append("    path = ").append(moduleDir).append('\n')
                .append("    read only = no\n    list = no\n    munge symlinks = no\n    numeric ids = yes\n")
                .toString();
    }

    private List<String> daemonCommand() {
        return List.of("rsync", "--daemon", "--no-detach", "--config=" + config(), "--address=127.0.0.1",
                "--port=" + ctx.options().rsyncPort());
    }

    private List<String> clientCommand(Workload w, Path src) {
        List<String> cmd = new ArrayList<>(List.of("rsync", w.oneFile() ? "-a" : w.checksum() ? "-aHc" : "-aH"));
        if (w.countsTraffic()) {
            cmd.addAll(List.of("--no-whole-file", "--stats"));
            if (w.interrupted()) {
                cmd.add("--partial");
            }
        } else {
            cmd.add("--whole-file");
        }
        cmd.add(src.toString());
        cmd.add("rsync://127.0.0.1:" + ctx.options().rsyncPort() + "/" + MODULE + "/");
        return cmd;
    }

    @Override
    public List<String> sendCommand(Workload w, Source source) {
        return clientCommand(w, source.path());
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Override
    public void begin(Workload w) throws BenchException {
        try {
            Files.createDirectories(destDir());
            Files.writeString(config(), config(destDir(), ctx.work().resolve("rsyncd.pid"),
                    ctx.logs().resolve("rsyncd." + w.name() + ".log"), root()));
        } catch (IOException e) {
            throw new BenchException("cannot write " + config() + ": " + e.getMessage(), e);
        }
        daemon = ServerHandle.start("rsync daemon", daemonCommand(), ctx.logs().resolve("rsyncd." + w.name() + ".out"),
                ctx.options().rsyncPort(), ctx.options().readyTimeoutSeconds());
    }

    @Override
    public Measurement run(Workload w, Source source, String round) throws BenchException {
        return w.interrupted() ? CrashResume.run(this, w, source, round, ctx) : send(w, source, round);
    }

    @Override
    public Measurement send(Workload w, Source source, String round) throws BenchException {
        Path err = ctx.outFile(w, name(), round, "log");
        double s0 = daemon.cpuSeconds();
        PeakSampler serverPeak = PeakSampler.start(daemon.pid(), false);
        Processes.Run r = Processes.runTimed(clientCommand(w, source.path()), err, err, ctx.options().runTimeoutSeconds());
        daemon.awaitChildrenReaped();
        Long serverPeakKib = serverPeak.peakKib();
        double s1 = daemon.cpuSeconds();
        if (r.timedOut()) {
            throw new BenchException("timed out after " + ctx.options().runTimeoutSeconds() + " s");
        }
        if (r.exitCode() != 0) {
            throw new BenchException("rsync exited with status " + r.exitCode() + ": " + Processes.why(err));
        }
        Map<String, Double> figures = Map.of();
        if (w.countsTraffic()) {
            figures = Figures.fromRsyncStats(read(err));
            if (!figures.containsKey(Figures.WIRE_BYTES)) {
                throw new BenchException("rsync --stats printed no \"Total bytes sent\" line: " + Processes.why(err));
            }
        }
        return new Measurement(r.wallSeconds(), null, r.cpuSeconds(), s1 - s0, serverPeakKib, null, r.peakKib(), figures);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** The receiver's temporary file while it builds the file: .NAME.XXXXXX beside NAME. */
    @Override
    public List<Path> partialFiles(Workload w) throws BenchException {
        String prefix = "." + w.sourceName() + ".";
        try (var s = Files.list(destDir())) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        } catch (IOException e) {
            throw new BenchException("cannot list " + destDir() + ": " + e.getMessage(), e);
        }
    }

    /** The daemon's receiver sees the connection end, keeps what arrived (--partial) and exits. */
    @Override
    public void afterSenderKilled() {
        daemon.awaitChildrenReaped();
    }

    @Override
    public void killServer() throws BenchException {
        throw new BenchException("rsync does not run the server-kill workload");
    }

    @Override
    public void restartServer(Workload w, String round) throws BenchException {
        throw new BenchException("rsync does not run the server-kill workload");
    }

    @Override
    public void end() {
        if (daemon != null) {
            daemon.stop();
            daemon = null;
        }
    }

    @Override
    public String commands(Workload w) {
        return "daemon `rsync --daemon --no-detach --config=rsyncd.conf --address=127.0.0.1 --port=" + ctx.options().rsyncPort()
                + "` (use chroot = " + (root() ? "yes" : "no: symlinks sanitized") + ", module path in the work directory), client `" + String.join(" ", clientCommand(w, Path.of("SRC"))) + "`"
                + (w.interrupted() ? "; " + CrashResume.describe(w) : "");
    }

    @Override
    public String version() {
        String v = Processes.output(List.of("rsync", "--version"), null, 30);
        return v == null ? "n/a" : v.lines().findFirst().orElse("n/a").replaceAll("\\s+", " ");
    }
}
