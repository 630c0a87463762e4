package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The peak RSS of a process tree that cannot be asked afterwards: a client's VmHWM vanishes when it exits (a
 * zombie has no memory), and an rsync daemon's work happens in children it forks per connection and reaps. So a
 * thread reads VmHWM every 10 ms while the run lasts; what a process gains in its last 10 ms is missed. A sample
 * sums the processes alive at that moment (rsync's receiver and generator are two; a JVM is one), an upper bound
 * where forked processes still share pages; the peak is the largest sample. Summing per moment rather than over
 * every process seen keeps a launcher's short-lived helpers (the sed and find of ./dwcp before it execs the JVM)
 * out of the JVM's figure.
 */
final class PeakSampler implements AutoCloseable {
    private static final long PERIOD_MS = 10;
    private final long root;
    private final boolean includeRoot;
    private final AtomicLong peak = new AtomicLong(-1);
    private final Thread thread;
    private volatile boolean stopped;

    private PeakSampler(long root, boolean includeRoot) {
        this.root = root;
        this.includeRoot = includeRoot;
        this.thread = Thread.ofPlatform().daemon().name("peak-sampler-" + root).unstarted(this::loop);
    }

    /** Samples root and its descendants (includeRoot false: only the descendants, e.g. of an idle daemon). */
    static PeakSampler start(long root, boolean includeRoot) {
        PeakSampler s = new PeakSampler(root, includeRoot);
        s.sample();
        s.thread.start();
        return s;
    }

    private void loop() {
        while (!stopped) {
            sample();
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        List<Long> pids = new ArrayList<>();
        if (includeRoot) {
            pids.add(root);
        }
        descendants(root, pids, 0);
        long sum = 0;
        boolean any = false;
        for (long pid : pids) {
            OptionalLong kib = ProcReader.peakRssKib(pid);
            if (kib.isPresent()) {
                sum += kib.getAsLong();
                any = true;
            }
        }
        if (any) {
            peak.accumulateAndGet(sum, Math::max);
        }
    }

    /** Through the main thread's children list: rsync and cp fork from their main thread; a JVM client forks nothing. */
    private static void descendants(long pid, List<Long> into, int depth) {
        if (depth > 8) {
            return;
        }
        String kids;
        try {
            kids = Files.readString(Path.of("/proc/" + pid + "/task/" + pid + "/children")).trim();
        } catch (IOException e) {
            return;
        }
        if (kids.isEmpty()) {
            return;
        }
        for (String k : kids.split("\\s+")) {
            long c = Long.parseLong(k);
            into.add(c);
            descendants(c, into, depth + 1);
        }
    }

    /** Stops sampling; the largest sample, or null when no process could be read. */
    Long peakKib() {
        close();
        return peak.get() < 0 ? null : peak.get();
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
