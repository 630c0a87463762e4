package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An rsync daemon per workload (config written here: one writable module on the tool's destination, chrooted into
 * it when the harness runs as root)
 * and {@code rsync -a --whole-file} (trees: {@code -aH}; the checksum re-sync: {@code -aHc}) into it per run. The
 * daemon forks one child per connection; its CPU reaches the daemon's cutime/cstime when the daemon reaps it,
 * which the run waits for, and its memory is sampled while it lives (the daemon's own peak is not the run's).
 */
final class RsyncTool implements Tool {
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

    @Override
    public boolean supports(Workload w) {
        return true;
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
        return List.of("rsync", w.isFile() ? "-a" : w.checksum() ? "-aHc" : "-aH", "--whole-file", src.toString(),
                "rsync://127.0.0.1:" + ctx.options().rsyncPort() + "/" + MODULE + "/");
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
        return new Measurement(r.wallSeconds(), null, r.cpuSeconds(), s1 - s0, serverPeakKib, null, r.peakKib());
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
                + "` (use chroot = " + (root() ? "yes" : "no: symlinks sanitized") + ", module path on tmpfs), client `" + String.join(" ", clientCommand(w, Path.of("SRC"))) + "`";
    }

    @Override
    public String version() {
        String v = Processes.output(List.of("rsync", "--version"), null, 30);
        return v == null ? "n/a" : v.lines().findFirst().orElse("n/a").replaceAll("\\s+", " ");
    }
}
