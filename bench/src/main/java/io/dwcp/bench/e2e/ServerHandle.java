package io.dwcp.bench.e2e;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * A long-running server started by the harness (dwcp serve, rsync --daemon) with its output in a log file:
 * waits until it listens, gives its CPU time and memory peak, and hands out the log text written since the last
 * call (for the per-session fields the dwcp server logs).
 */
final class ServerHandle {
    private final String name;
    private final Process process;
    private final Path log;
    private long measuredPid;
    private long logOffset;

    private ServerHandle(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.measuredPid = process.pid();
    }

    static ServerHandle start(String name, List<String> cmd, Path log, int port, int readySeconds)
            throws BenchException {
        if (ProcReader.listening(port)) {
            throw new BenchException("port " + port + " is already in use (for " + name + "); choose another port");
        }
        Process p = Processes.start(cmd, log, log);
        ServerHandle h = new ServerHandle(name, p, log);
        Log.info("started " + name + " (pid " + p.pid() + "): " + String.join(" ", cmd));
        long deadline = System.nanoTime() + readySeconds * 1_000_000_000L;
        while (!ProcReader.listening(port)) {
            if (!p.isAlive()) {
                throw new BenchException(name + " exited with status " + p.exitValue() + " before listening on 127.0.0.1:"
                        + port + ": " + Processes.why(log));
            }
            if (System.nanoTime() > deadline) {
                h.stop();
                throw new BenchException(name + " not listening on 127.0.0.1:" + port + " after " + readySeconds + " s");
            }
            sleep(50);
        }
        h.findJvm();
        return h;
    }

    /** A launcher script may run the JVM as a child instead of exec'ing it: measure the JVM then. */
    private void findJvm() {
        if (ProcReader.exe(measuredPid).endsWith("/java")) {
            return;
        }
        process.descendants().filter(d -> ProcReader.exe(d.pid()).endsWith("/java")).findFirst()
                .ifPresent(d -> measuredPid = d.pid());
    }

    long pid() {
        return measuredPid;
    }

    String javaExecutable() {
        String exe = ProcReader.exe(measuredPid);
        return exe.endsWith("/java") ? exe : null;
    }

    boolean alive() {
        return process.isAlive();
    }

    /** User+system CPU of the server and of the children it reaped, in seconds. */
    double cpuSeconds() throws BenchException {
        try {
            return ProcReader.ticksToSeconds(ProcReader.stat(measuredPid).all());
        } catch (IOException | IllegalArgumentException e) {
            throw new BenchException(name + " is gone (pid " + measuredPid + "): " + Processes.why(log));
        }
    }

    /** A forking server adds a connection's CPU only once it has reaped that child: wait for that (10 s at most). */
    void awaitChildrenReaped() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ProcReader.hasChildren(measuredPid) && System.nanoTime() < deadline) {
            sleep(20);
        }
    }

    Long peakRssKib() {
        OptionalLong v = ProcReader.peakRssKib(measuredPid);
        return v.isPresent() ? v.getAsLong() : null;
    }

    boolean resetPeakRss() {
        return ProcReader.resetPeakRss(measuredPid);
    }

    /** The log text appended since the previous call. */
    String newLogText() {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long len = f.length();
            if (len <= logOffset) {
                return "";
            }
            byte[] b = new byte[(int) Math.min(len - logOffset, 64 << 20)];
            f.seek(logOffset);
            f.readFully(b);
            logOffset += b.length;
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits for a one-shot server to end: its exit status, or null when it is still running (then stopped). */
    Integer waitForExit(int seconds) throws InterruptedException {
        if (process.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
            return process.exitValue();
        }
        stop();
        return null;
    }

    Path log() {
        return log;
    }

    /** SIGKILL the server (and what it started), as a crash; returns once it is gone. */
    void kill() throws BenchException {
        Processes.kill(process, name);
        Log.info("killed " + name + " (pid " + process.pid() + ") with SIGKILL");
    }

    void stop() {
        if (process.isAlive()) {
            Processes.stop(process, name);
            Log.info("stopped " + name + " (pid " + process.pid() + ")");
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
