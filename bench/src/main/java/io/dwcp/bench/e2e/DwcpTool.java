package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * dwcp: a long-running {@code dwcp serve} per workload (fresh, so its VmHWM is the workload's) and one
 * {@code dwcp send --json} per run. The portable variant passes {@code --io portable} to both ends and uses the
 * ports two above the default ones, so both servers can run side by side; the splice variant runs its server with
 * {@code --io splice} (ports six above). In file-delta-base the sender is told
 * where its copy of the receiver's old version is ({@code --base OLD}); in the crash-and-resume workloads a run is
 * a killed send and a send run to its end ({@link CrashResume}).
 */
final class DwcpTool implements Resumable {
    /** The receiver's partial file beside the final name (dwcp-core RelativePaths.PART_SUFFIX). */
    static final String PART_SUFFIX = ".dwcp-part";
    private final BenchContext ctx;
    /** The variants, by name: how each differs from plain dwcp, and the offset of its ports. */
    enum Variant {
        DEFAULT("dwcp", 0), PORTABLE("dwcp-portable", 2), INPLACE("dwcp-inplace", 4), SPLICE("dwcp-splice", 6);

        final String toolName;
        final int portOffset;

        Variant(String toolName, int portOffset) {
            this.toolName = toolName;
            this.portOffset = portOffset;
        }
    }

    private final Variant variant;
    private final int port;
    private final int dataPort;
    private ServerHandle server;
    private String version = "n/a";
    private String serverJava = "n/a";

    DwcpTool(BenchContext ctx, Variant variant) {
        this.ctx = ctx;
        this.variant = variant;
        this.port = ctx.options().dwcpPort() + variant.portOffset;
        this.dataPort = ctx.options().dwcpDataPort() + variant.portOffset;
    }

    @Override
    public String name() {
        return variant.toolName;
    }

    @Override
    public boolean supports(Workload w) {
        return true;
    }

    @Override
    public Path destDir() {
        return ctx.destDir(name());
    }

    private List<String> ioArgs() {
        return variant == Variant.PORTABLE ? List.of("--io", "portable") : List.of();
    }

    List<String> serveCommand() {
        List<String> cmd = new ArrayList<>(List.of(ctx.options().dwcp(), "serve", "--root", destDir().toString(),
                "--listen", "127.0.0.1:" + port, "--data-port", Integer.toString(dataPort)));
        cmd.addAll(variant == Variant.SPLICE ? List.of("--io", "splice") : ioArgs());
        cmd.addAll(ctx.options().serveArgs());
        return cmd;
    }

    @Override
    public List<String> sendCommand(Workload w, Source source) {
        return sendCommand(w, source.path(), source.basis());
    }

    /** base: the sender's copy of the receiver's old version, passed as --base in file-delta-base. */
    List<String> sendCommand(Workload w, Path src, Path base) {
        List<String> cmd = new ArrayList<>(List.of(ctx.options().dwcp(), "send", "--json", "--no-progress",
                "-P", ctx.options().streams()));
        if (w.checksum()) {
            cmd.add("--checksum");
        }
        if (w.senderHasBase()) {
            cmd.add("--base");
            cmd.add(base.toString());
        }
        cmd.addAll(ioArgs());
        if (variant == Variant.INPLACE) {
            cmd.add("--inplace");
        }
        cmd.addAll(ctx.options().sendArgs());
        cmd.add(src.toString());
        cmd.add("127.0.0.1:" + port);
        return cmd;
    }

    @Override
    public void begin(Workload w) throws BenchException {
        try {
            Files.createDirectories(destDir());
        } catch (IOException e) {
            throw new BenchException("cannot create " + destDir() + ": " + e.getMessage(), e);
        }
        if (w.senderHasBase()) {
            requireBaseOption(w);
        }
        server = ServerHandle.start(name() + " server", serveCommand(), ctx.logs().resolve(name() + "-serve." + w.name() + ".log"),
                port, ctx.options().readyTimeoutSeconds());
        String java = server.javaExecutable();
        if (java != null) {
            String v = Processes.output(List.of(java, "-version"), null, 60);
            serverJava = (v == null ? "?" : v.lines().skip(1).findFirst().orElse("?")) + " (" + java + ")";
        }
    }

    /** A dwcp without send --base fails the workload here, with a reason, rather than run it as something else. */
    private void requireBaseOption(Workload w) throws BenchException {
        String help = Processes.output(List.of(ctx.options().dwcp(), "send", "--help"), ctx.repo(), 1800);
        if (help == null) {
            throw new BenchException("`" + ctx.options().dwcp() + " send --help` failed, so whether it has --base is unknown");
        }
        if (!help.contains("--base")) {
            throw new BenchException("this dwcp has no `send --base` option yet (`dwcp send --help` does not list it): " + w.name()
                    + " needs `dwcp send --base OLD NEW HOST[:PORT][/DEST]`");
        }
    }

    @Override
    public void primed() throws BenchException {
        // The priming send went through this server; a peak from it would not be the resend's.
        if (!server.resetPeakRss()) {
            Log.info(name() + ": cannot reset VmHWM through clear_refs; restarting the server after priming");
            server.stop();
            server = ServerHandle.start(name() + " server", serveCommand(), server.log().resolveSibling(
                    server.log().getFileName() + ".after-priming"), port, ctx.options().readyTimeoutSeconds());
        }
    }

    @Override
    public Measurement run(Workload w, Source source, String round) throws BenchException {
        return w.interrupted() ? CrashResume.run(this, w, source, round, ctx) : send(w, source, round);
    }

    @Override
    public Measurement send(Workload w, Source source, String round) throws BenchException {
        Path out = ctx.outFile(w, name(), round, "json");
        Path err = ctx.outFile(w, name(), round, "err");
        server.newLogText(); // skip what earlier runs logged
        boolean perRunPeak = server.resetPeakRss();
        double s0 = server.cpuSeconds();
        Processes.Run r = Processes.runTimed(sendCommand(w, source), out, err, ctx.options().runTimeoutSeconds());
        server.awaitChildrenReaped();
        if (!server.alive()) {
            throw new BenchException(name() + " server died during the run: " + Processes.why(server.log()));
        }
        double s1 = server.cpuSeconds();
        checkNoRebuild(read(err));
        if (r.timedOut()) {
            throw new BenchException("timed out after " + ctx.options().runTimeoutSeconds() + " s");
        }
        String json = JsonFields.lastObjectLine(read(out)).orElse("");
        if (r.exitCode() != 0) {
            String why = JsonFields.string(json, "error").orElse(Processes.why(err));
            throw new BenchException("dwcp send exited with status " + r.exitCode() + ": " + why);
        }
        if (json.isEmpty()) {
            throw new BenchException("dwcp send printed no JSON object: " + ProcParsers.abbreviate(read(out)));
        }
        if (!JsonFields.bool(json, "verified").orElse(false)) {
            throw new BenchException("dwcp send reported verified=false: " + ProcParsers.abbreviate(json));
        }
        double bytes = JsonFields.number(json, "bytes").orElse(-1.0);
        // Second names of a file are its bytes once when sent as links, twice when sent as copies: either is a copy.
        if (w.firstCopy() && (bytes < source.bytes() || bytes > source.bytes() + source.linkedBytes())) {
            throw new BenchException(Fmt.s("dwcp send reported bytes=%.0f, expected %d%s", bytes, source.bytes(),
                    source.linkedBytes() == 0 ? "" : Fmt.s(" to %d (hard links sent as links or as copies)", source.bytes() + source.linkedBytes())));
        }
        OptionalLong heap = awaitHeapAlloc();
        Long peak = server.peakRssKib();
        if (!perRunPeak && peak != null) {
            Log.info(name() + ": VmHWM could not be reset before the run: it is the server's peak since start");
        }
        return new Measurement(r.wallSeconds(), JsonFields.number(json, "seconds").orElse(null), r.cpuSeconds(), s1 - s0,
                peak, heap.isPresent() ? heap.getAsLong() : null, r.peakKib(), Figures.fromDwcpJson(json));
    }

    @Override
    public List<Path> partialFiles(Workload w) {
        return List.of(destDir().resolve(w.sourceName() + PART_SUFFIX));
    }

    /** Until the server has logged the end of the session the killed sender left (5 s at most). */
    @Override
    public void afterSenderKilled() {
        for (int i = 0; i < 100; i++) {
            if (server.newLogText().lines().anyMatch(ServerLog::isSessionEnd)) {
                return;
            }
            ServerHandle.sleep(50);
        }
        Log.info(name() + ": the server logged no session end within 5 s of the sender's kill");
    }

    @Override
    public void killServer() throws BenchException {
        server.kill();
    }

    @Override
    public void restartServer(Workload w, String round) throws BenchException {
        server = ServerHandle.start(name() + " server", serveCommand(), ctx.logs().resolve(name() + "-serve." + w.name()
                + ".restart-" + round + ".log"), port, ctx.options().readyTimeoutSeconds());
    }

    private static void checkNoRebuild(String stderr) throws BenchException {
        if (stderr.contains("dwcp: building")) {
            throw new BenchException("the ./dwcp launcher rebuilt the CLI during a timed run (sources changed); not a timing");
        }
    }

    @Override
    public void checkInterruptedSend(Path log) throws BenchException {
        checkNoRebuild(read(log));
    }

    /** The session-end line is logged as the session ends; give the logger a moment to flush it. */
    private OptionalLong awaitHeapAlloc() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            text.append(server.newLogText());
            if (text.toString().lines().anyMatch(ServerLog::isSessionEnd)) {
                break;
            }
            ServerHandle.sleep(50);
        }
        return ServerLog.heapAllocBytes(text.toString());
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void end() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public String commands(Workload w) {
        return "server `" + String.join(" ", serveCommand()).replace(ctx.work().toString(), "WORK") + "` (one per workload), client `"
                + String.join(" ", sendCommand(w, Path.of("SRC"), Path.of("OLD"))) + "`" + (w.interrupted() ? "; " + CrashResume.describe(w) : "");
    }

    @Override
    public String version() {
        if (version.equals("n/a")) {
            String v = Processes.output(List.of(ctx.options().dwcp(), "--version"), ctx.repo(), 1800);
            if (v != null) {
                version = v.lines().filter(l -> !l.isBlank() && !l.startsWith("WARNING")).reduce((a, b) -> b).orElse("n/a");
            }
        }
        return version;
    }

    String serverJava() {
        return serverJava;
    }
}
