package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts child processes, times client commands, and stops whatever is still running on exit: every process
 * started here is registered until it has ended, and the shutdown hook stops what is left.
 */
final class Processes {
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    /** Set by the shutdown hook: from then on nothing new starts, while the main thread winds down. */
    private static volatile boolean closing;

    private Processes() {}

    /** A finished client command; peakKib: its sampled peak RSS (see {@link PeakSampler}), null when unread. */
    record Run(int exitCode, boolean timedOut, double wallSeconds, double cpuSeconds, Long peakKib) {}

    static boolean closing() {
        return closing;
    }

    static Process start(List<String> cmd, Path stdout, Path stderr) throws BenchException {
        if (closing) {
            throw new BenchException("interrupted: the harness is shutting down");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(stdout.toFile());
        if (stderr.equals(stdout)) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(stderr.toFile());
        }
        try {
            Process p = pb.start();
            LIVE.add(p);
            p.onExit().thenRun(() -> LIVE.remove(p));
            return p;
        } catch (IOException e) {
            throw new BenchException("cannot start " + cmd.getFirst() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs a client command to its end or the timeout. Wall time from just before start to waitFor(); CPU is the
     * growth of this JVM's reaped-children time (see {@link ProcReader#selfChildrenTicks()}), so no other child
     * of the harness may end meanwhile: servers run on, and one-shot servers are accounted for by the caller. The
     * peak RSS is sampled by another thread, so that the wait here returns as soon as the client ends.
     */
    static Run runTimed(List<String> cmd, Path stdout, Path stderr, int timeoutSeconds) throws BenchException {
        try {
            long c0 = ProcReader.selfChildrenTicks();
            long t0 = System.nanoTime();
            Process p = start(cmd, stdout, stderr);
            PeakSampler peak = PeakSampler.start(p.pid(), true);
            boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                stop(p, "client " + cmd.getFirst());
            }
            long t1 = System.nanoTime();
            long c1 = ProcReader.selfChildrenTicks();
            return new Run(finished ? p.exitValue() : -1, !finished, (t1 - t0) / 1e9, ProcReader.ticksToSeconds(c1 - c0),
                    peak.peakKib());
        } catch (IOException e) {
            throw new BenchException("cannot read /proc/self/stat: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        }
    }

    /** Runs an untimed helper command (versions, git, diff) and returns its output; null when it failed to run. */
    static String output(List<String> cmd, Path dir, int timeoutSeconds) {
        try {
            Path tmp = Files.createTempFile("dwcp-bench-out", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                if (dir != null) {
                    pb.directory(dir.toFile());
                }
                Process p = pb.start();
                LIVE.add(p);
                boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
                if (!done) {
                    stop(p, cmd.getFirst());
                }
                LIVE.remove(p);
                String out = Files.readString(tmp, StandardCharsets.UTF_8);
                return done && p.exitValue() == 0 ? out : null;
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** SIGTERM to the process and its descendants, SIGKILL after 5 s. */
    static void stop(Process p, String name) {
        List<ProcessHandle> kids = p.descendants().toList();
        p.destroy();
        kids.forEach(ProcessHandle::destroy);
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                Log.info(name + " (pid " + p.pid() + ") ignored SIGTERM for 5 s, sending SIGKILL");
                kids.forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LIVE.remove(p);
    }

    /**
     * SIGKILL, as a crash: the process and everything it started, at once, no chance to clean up. Waits until the
     * process has been reaped (so its CPU has reached this JVM's children time before anything else is timed).
     */
    static void kill(Process p, String name) throws BenchException {
        List<ProcessHandle> kids = p.descendants().toList();
        p.destroyForcibly();
        kids.forEach(ProcessHandle::destroyForcibly);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new BenchException(name + " (pid " + p.pid() + ") still runs 30 s after SIGKILL");
            }
            for (ProcessHandle k : kids) {
                k.onExit().get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new BenchException("a child of " + name + " still runs 30 s after SIGKILL");
        }
        LIVE.remove(p);
    }

    /** For the shutdown hook: stop every process still running. */
    static void stopAll() {
        closing = true;
        for (Process p : List.copyOf(LIVE)) {
            stop(p, "pid " + p.pid());
        }
    }

    /**
     * The line of a log that best says why a process failed: the last one that mentions an error, an unknown
     * option, an exception or a failure, else the last non-blank line; with the log's path for the rest.
     */
    static String why(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
        String best = null;
        String last = null;
        for (String l : lines) {
            if (l.isBlank()) {
                continue;
            }
            last = l.trim();
            if (l.matches("(?i).*(error|unknown|exception|fail|invalid|denied|refused).*")) {
                best = l.trim();
            }
        }
        String line = best != null ? best : last != null ? last : "(empty log)";
        return ProcParsers.abbreviate(line) + " (log: " + log + ")";
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
