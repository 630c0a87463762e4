package io.dwcp.bench.e2e;

import java.nio.file.Path;
import java.util.List;

/**
 * The floors, no network: {@code cp} (a local copy: on tmpfs one copy in the kernel) and {@code dd} of zeros into
 * a new tmpfs file of the same size (the cost of the destination's pages alone; files only).
 */
final class LocalTool implements Tool {
    private final BenchContext ctx;
    private final boolean dd;

    LocalTool(BenchContext ctx, boolean dd) {
        this.ctx = ctx;
        this.dd = dd;
    }

    @Override
    public String name() {
        return dd ? "dd" : "cp";
    }

    @Override
    public boolean supports(Workload w) {
        // Neither has a notion of a re-sync, a delta or a resumed copy; dd moves no trees.
        return w.firstCopy() && (!dd || w.isFile());
    }

    @Override
    public boolean copiesContent() {
        return !dd;
    }

    @Override
    public Path destDir() {
        return ctx.destDir(name());
    }

    private List<String> command(Workload w, Source src, Path dst) {
        if (dd) {
            return List.of("dd", "if=/dev/zero", "of=" + dst, "bs=1M", "count=" + w.sizeMib(), "status=none");
        }
        return List.of("cp", "-a", "--reflink=never", "--", src.path().toString(), dst.toString());
    }

    @Override
    public Measurement run(Workload w, Source source, String round) throws BenchException {
        Path log = ctx.outFile(w, name(), round, "log");
        try {
            java.nio.file.Files.createDirectories(destDir());
        } catch (java.io.IOException e) {
            throw new BenchException("cannot create " + destDir(), e);
        }
        Processes.Run r = Processes.runTimed(command(w, source, output(w)), log, log, ctx.options().runTimeoutSeconds());
        if (r.timedOut()) {
            throw new BenchException("timed out after " + ctx.options().runTimeoutSeconds() + " s");
        }
        if (r.exitCode() != 0) {
            throw new BenchException(name() + " exited with status " + r.exitCode() + ": " + Processes.why(log));
        }
        return new Measurement(r.wallSeconds(), null, r.cpuSeconds(), null, null, null, r.peakKib());
    }

    @Override
    public String commands(Workload w) {
        return "`" + String.join(" ", command(w, new Source(Path.of("SRC"), 0, 1), Path.of("DST"))) + "` (no network)";
    }

    @Override
    public String version() {
        String v = Processes.output(List.of(name(), "--version"), null, 30);
        return v == null ? "n/a" : v.lines().findFirst().orElse("n/a");
    }
}
