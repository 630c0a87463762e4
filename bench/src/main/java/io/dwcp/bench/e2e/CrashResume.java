package io.dwcp.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a crash-and-resume workload (file-resume-sender, file-resume-server) into an empty destination: a send
 * starts; the receiver's partial file is polled every 10 ms for its allocated size ({@link FileProbe}); at the first
 * poll that finds half the file there, the sender is SIGKILLed (or the server, which is then started again on the
 * same root); then the same send runs again to its end, timed as an ordinary run, and the result is checked byte for
 * byte. Recorded: the time to the kill, the bytes there at the kill and still there after the crash, the server's
 * restart time, the second send's time and wire bytes, and the fraction of the file it sent again (its wire bytes
 * over the file's size). The run's wall time is the sum of the first send until the kill, the restart and the
 * second send; the harness's own waits (for the kill to take effect, for the receiver to notice) are left out.
 */
final class CrashResume {
    static final long POLL_MS = 10;
    static final double KILL_AT = 0.5;

    private CrashResume() {}

    /** For the report's commands list. */
    static String describe(Workload w) {
        return Fmt.s("the first send of each run is interrupted by SIGKILL to the %s when its partial file holds %.0f%% of the"
                + " file (polled every %d ms)%s, then the same send runs to its end", w.crash() == Workload.Crash.SERVER ? "server"
                : "sender", KILL_AT * 100, POLL_MS, w.crash() == Workload.Crash.SERVER ? ", the server is started again on the same root"
                : "");
    }

    static Measurement run(Resumable tool, Workload w, Source source, String round, BenchContext ctx) throws BenchException {
        Path log = ctx.outFile(w, tool.name(), round, "killed-send.log");
        long killAt = (long) (source.bytes() * KILL_AT);
        long timeoutNanos = ctx.options().runTimeoutSeconds() * 1_000_000_000L;
        long t0 = System.nanoTime();
        Process sender = Processes.start(tool.sendCommand(w, source), log, log);
        long arrived;
        while ((arrived = FileProbe.allocatedBytes(tool.partialFiles(w))) < killAt) {
            if (!sender.isAlive()) {
                throw new BenchException(Fmt.s("the send to interrupt ended (status %d) before %.0f%% of the file had arrived"
                        + " (%s at the last poll), so nothing was interrupted: a larger SIZE_MIB gives the %d ms poll time; %s",
                        sender.exitValue(), KILL_AT * 100, Fmt.size(arrived), POLL_MS, Processes.why(log)));
            }
            if (System.nanoTime() - t0 > timeoutNanos) {
                Processes.kill(sender, tool.name() + " sender");
                throw new BenchException(Fmt.s("%.0f%% of the file had not arrived after %d s (%s): %s", KILL_AT * 100,
                        ctx.options().runTimeoutSeconds(), Fmt.size(arrived), Processes.why(log)));
            }
            ServerHandle.sleep(POLL_MS);
        }
        if (!sender.isAlive()) {
            throw new BenchException("the send to interrupt ended (status " + sender.exitValue() + ") before it could be killed;"
                    + " a larger SIZE_MIB gives the poll time");
        }
        Map<String, Double> figures = new LinkedHashMap<>();
        double firstSend;
        Double restart = null;
        if (w.crash() == Workload.Crash.SENDER) {
            Processes.kill(sender, tool.name() + " sender");
            firstSend = (System.nanoTime() - t0) / 1e9;
            tool.afterSenderKilled();
        } else {
            tool.killServer();
            firstSend = (System.nanoTime() - t0) / 1e9;
            awaitSender(tool, sender, log);
            long r0 = System.nanoTime();
            tool.restartServer(w, round);
            restart = (System.nanoTime() - r0) / 1e9;
        }
        tool.checkInterruptedSend(log);
        List<Path> kept = new ArrayList<>(tool.partialFiles(w));
        kept.add(tool.output(w));
        long keptBytes = FileProbe.allocatedBytes(kept);
        Log.info(Fmt.s("%s %s round %s: killed the %s %.3f s after the start, %s of %s at the receiver; %s kept after the crash",
                w.name(), tool.name(), round, w.crash() == Workload.Crash.SERVER ? "server" : "sender", firstSend, Fmt.size(arrived),
                Fmt.size(source.bytes()), Fmt.size(keptBytes)));
        Measurement second = tool.send(w, source, round);
        figures.put(Figures.FIRST_SEND_S, firstSend);
        figures.put(Figures.ARRIVED_AT_KILL_BYTES, (double) arrived);
        figures.put(Figures.KEPT_BYTES, (double) keptBytes);
        if (restart != null) {
            figures.put(Figures.RESTART_S, restart);
        }
        figures.put(Figures.RESUME_SEND_S, second.wallSeconds());
        Double wire = second.figures().get(Figures.WIRE_BYTES);
        if (wire != null && source.bytes() > 0) {
            figures.put(Figures.RESENT_FRACTION, wire / source.bytes());
        }
        figures.putAll(second.figures());
        return second.spanning(firstSend + (restart == null ? 0 : restart) + second.wallSeconds(), figures);
    }

    /** With its server gone the sender should fail by itself; one that hangs on is killed after 60 s. */
    private static void awaitSender(Resumable tool, Process sender, Path log) throws BenchException {
        try {
            if (sender.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                Log.info(tool.name() + " sender exited with status " + sender.exitValue() + " after the server was killed: "
                        + Processes.why(log));
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
        Log.info(tool.name() + " sender still runs 60 s after the server was killed; killing it");
        Processes.kill(sender, tool.name() + " sender");
    }
}
