package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * iperf3 with files at both ends: a one-shot server ({@code -s -1 -F DST}) per run, a sendfile client
 * ({@code -Z -F SRC}). Files only: iperf3 moves no trees.
 *
 * <p>The server is a child of the harness that ends with the run, so its CPU lands in the harness's reaped-children
 * time together with the client's. To split them the server runs under bash, whose {@code times} builtin reports
 * the CPU of the server it reaped; the client's CPU is the rest.
 */
final class Iperf3Tool implements Tool {
    private final BenchContext ctx;

    Iperf3Tool(BenchContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public String name() {
        return "iperf3";
    }

    @Override
    public boolean supports(Workload w) {
        return w.isFile() && w.firstCopy();
    }

    /**
     * Only the size is checked: with -Z, iperf3 3.12 reads the -F file but sends its own zero-filled buffer file
     * through sendfile (checked: the server's file held only zeros), and even without -Z its server's file is no
     * faithful copy. iperf3 is the ceiling for moving and touching the bytes here, not a copy tool.
     */
    @Override
    public boolean copiesContent() {
        return false;
    }

    /**
     * The iperf3 server stops reading when the client reports the end of the test, so what still sits in the
     * socket buffers is never written: its file may lack a tail of a few MiB. iperf3 is the loopback ceiling here,
     * not a copy tool, so that shortfall is allowed.
     */
    @Override
    public long allowedShortfall() {
        return ALLOWED_SHORTFALL;
    }

    static final long ALLOWED_SHORTFALL = 32L << 20;

    @Override
    public Path destDir() {
        return ctx.destDir(name());
    }

    private List<String> serverCommand(Path dst) {
        return List.of("iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", Integer.toString(ctx.options().iperfPort()), "-F", dst.toString());
    }

    private List<String> clientCommand(Source src) {
        return List.of("iperf3", "-c", "127.0.0.1", "-p", Integer.toString(ctx.options().iperfPort()), "-Z", "-F",
                src.path().toString(), "-n", Long.toString(src.bytes()), "--json");
    }

    @Override
    public Measurement run(Workload w, Source source, String round) throws BenchException {
        Path times = ctx.outFile(w, name(), round, "server-times");
        Path out = ctx.outFile(w, name(), round, "json");
        Path err = ctx.outFile(w, name(), round, "err");
        try {
            Files.createDirectories(destDir());
        } catch (IOException e) {
            throw new BenchException("cannot create " + destDir(), e);
        }
        List<String> wrapped = new ArrayList<>(List.of("bash", "-c", "\"${@:2}\"; rc=$?; times >\"$1\"; exit $rc", "iperf3-server", times.toString()));
        wrapped.addAll(serverCommand(output(w)));
        int timeout = ctx.options().runTimeoutSeconds();
        try {
            long c0 = ProcReader.selfChildrenTicks();
            ServerHandle server = ServerHandle.start("iperf3 server", wrapped, ctx.logs().resolve("iperf3-server." + w.name() + "." + round + ".log"),
                    ctx.options().iperfPort(), ctx.options().readyTimeoutSeconds());
            long t0 = System.nanoTime();
            Process client = Processes.start(clientCommand(source), out, err);
            boolean clientDone = client.waitFor(timeout, TimeUnit.SECONDS);
            if (!clientDone) {
                Processes.stop(client, "iperf3 client");
            }
            // The file is complete only when the server has written all it received and exited.
            Integer serverRc = server.waitForExit(clientDone ? 30 : 1);
            long t1 = System.nanoTime();
            long c1 = ProcReader.selfChildrenTicks();
            if (!clientDone) {
                throw new BenchException("timed out after " + timeout + " s");
            }
            if (client.exitValue() != 0) {
                throw new BenchException("iperf3 client exited with status " + client.exitValue() + ": "
                        + ProcParsers.abbreviate(Files.readString(out) + Processes.tail(err, 3)));
            }
            if (serverRc == null || serverRc != 0) {
                throw new BenchException("iperf3 server " + (serverRc == null ? "did not exit after the client" : "exited with status " + serverRc)
                        + ": " + Processes.why(server.log()));
            }
            double serverCpu = ProcParsers.bashTimesSeconds(Files.readString(times));
            double total = ProcReader.ticksToSeconds(c1 - c0);
            Double self = JsonFields.flatObject(Files.readString(out), "sum_sent")
                    .flatMap(o -> JsonFields.number(o, "seconds")).orElse(null);
            return new Measurement((t1 - t0) / 1e9, self, Math.max(0, total - serverCpu), serverCpu, null, null, null);
        } catch (IOException | IllegalArgumentException e) {
            throw new BenchException("iperf3 measurement failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }

    @Override
    public String commands(Workload w) {
        return "server `" + String.join(" ", serverCommand(Path.of("DST"))) + "` (one per run, under `bash -c '...; times'` for its CPU), client `"
                + String.join(" ", clientCommand(new Source(Path.of("SRC"), 0, 1))).replace("-n 0", "-n BYTES") + "`; wall time runs until the server has exited; only the size of its file is checked (it may lack up to 32 MiB at the end: socket buffers the server never reads; with -Z iperf3 3.12 sends its zero-filled buffer, not the file's bytes)";
    }

    @Override
    public String version() {
        String v = Processes.output(List.of("iperf3", "--version"), null, 30);
        return v == null ? "n/a" : v.lines().findFirst().orElse("n/a");
    }
}
