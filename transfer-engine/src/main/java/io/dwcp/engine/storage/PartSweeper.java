package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Log;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Removes part files nobody resumed: regular files named {@code NAME.dwcp-part} below the root whose mtime is older
 * than the configured age. An interrupted transfer leaves its part file (with the journal of its verified blocks)
 * for the next send of the same file to resume; one that is never sent again would stay forever.
 *
 * <p>The walk goes through the confined root like everything else the server does: one directory open at a time,
 * its names read as they come ({@code getdents64}, no list of the directory), looked up without following links,
 * so a symlink (to a directory or anywhere else) is never entered and nothing outside the root is touched. Only the
 * paths of directories still to visit are held: a depth-first stack, not a list of the tree.
 *
 * <p>A part file a transfer holds ({@link ReceivingPaths}) is never touched, however old: a stalled
 * transfer keeps it. The removal itself runs with the part file kept unclaimed ({@link ReceivingPaths#ifUnclaimed}),
 * after a second look at the file (same inode, still old), so a transfer that starts on the file waits for the
 * unlink and then starts afresh rather than resuming a file that vanishes under it. A part file with more than one
 * name (a hard link being placed under the reserved name) is left alone, and so is an in-place transfer's undo log
 * ({@link UndoLog}, which lives under the part name): it is the only way back to the file's old bytes, and the next
 * transfer of that file rolls it back; each sweep warns about it instead.
 */
public final class PartSweeper implements AutoCloseable {
    private static final Log LOG = Log.of("server");
    /** Sweeps are at least this far apart, whatever the age. */
    public static final Duration MIN_INTERVAL = Duration.ofHours(1);
    /** How long {@link #close} waits for a sweep under way to notice it should stop. */
    private static final long STOP_WAIT_MILLIS = 2000;
    private static final String SUFFIX = RelativePaths.PART_SUFFIX;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final StorageRoot root;
    private final ReceivingPaths receiving;
    private final Duration maxAge;
    /** One sweep at a time (the timer's and a direct call); not the monitor, which {@link #close} needs at once. */
    private final Object sweeping = new Object();
    private volatile boolean stopped;
    private ScheduledExecutorService timer;

    /** @param maxAge part files whose mtime is older than this are removed; positive */
    public PartSweeper(StorageRoot root, ReceivingPaths receiving, Duration maxAge) {
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("part-max-age=" + maxAge + " reason=must-be-positive");
        }
        this.root = root;
        this.receiving = receiving;
        this.maxAge = maxAge;
    }

    /** The time between sweeps: a quarter of the age, at least {@link #MIN_INTERVAL}. */
    public static Duration interval(Duration maxAge) {
        Duration quarter = maxAge.dividedBy(4);
        return quarter.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL : quarter;
    }

    /**
     * Sweeps now on a daemon thread of its own, then every {@link #interval}; the caller goes on at once (a server
     * listens while the first sweep walks its root). {@link #close} stops it.
     */
    public synchronized void start() {
        if (timer != null || stopped) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("dwcp-part-sweep")
                .unstarted(r));
        long every = interval(maxAge).toMillis();
        LOG.info("part_sweep max_age=" + format(maxAge) + " every=" + format(interval(maxAge)));
        timer.scheduleWithFixedDelay(() -> {
            try {
                sweep();
            } catch (RuntimeException | Error e) {
                // an exception would cancel every later sweep: report it and go on next time
                LOG.warn("sweep failed detail=\"" + shown(String.valueOf(e)) + "\"");
            }
        }, 0, every, TimeUnit.MILLISECONDS);
    }

    /**
     * What one sweep did. {@code busy}: old part files skipped because a transfer holds their path; {@code undoLogs}:
     * old in-place undo logs kept.
     */
    public record Result(long removed, long bytes, long scannedDirs, long busy, long undoLogs, long errors,
                         long tookMillis, boolean stopped) {
    }

    /** One sweep of the whole root on the calling thread; logs one summary line. */
    public Result sweep() {
        synchronized (sweeping) {
            return sweepOnce();
        }
    }

    private Result sweepOnce() {
        long t0 = System.nanoTime();
        Instant cutoff = Instant.now().minus(maxAge);
        Pass p = new Pass(cutoff.getEpochSecond() * 1_000_000_000L + cutoff.getNano());
        boolean interrupted = false;
        try {
            p.walk();
        } catch (Stopped s) {
            interrupted = true;
        }
        Result r = new Result(p.removed, p.bytes, p.dirs, p.busy, p.undoLogs, p.errors,
                (System.nanoTime() - t0) / 1_000_000, interrupted);
        LOG.info("sweep removed=" + r.removed() + " bytes=" + r.bytes() + " scanned_dirs=" + r.scannedDirs()
                + " took_ms=" + r.tookMillis() + (r.busy() > 0 ? " busy=" + r.busy() : "")
                + (r.undoLogs() > 0 ? " undo_logs=" + r.undoLogs() : "")
                + (r.errors() > 0 ? " errors=" + r.errors() + " first_error=\"" + shown(p.firstError) + "\"" : "")
                + (interrupted ? " stopped=true" : ""));
        return r;
    }

    /** Stops the timer and any sweep under way (it ends at its next name); waits a little for it. */
    @Override
    public void close() {
        ScheduledExecutorService t;
        synchronized (this) {
            stopped = true;
            t = timer;
        }
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Ends a walk from inside a listing callback. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    /** One walk's counters and its stack of directories still to visit. */
    private final class Pass {
        private final long cutoffNanos;
        private final Deque<String> pending = new ArrayDeque<>();
        long removed;
        long bytes;
        long dirs;
        long busy;
        long undoLogs;
        long errors;
        String firstError;

        Pass(long cutoffNanos) {
            this.cutoffNanos = cutoffNanos;
        }

        void walk() {
            pending.push("");
            while (!pending.isEmpty()) {
                checkStopped();
                String dir = pending.pop();
                ConfinedDirectory d;
                try {
                    d = root.openDirectory(dir, dir.isEmpty() ? "." : dir);
                } catch (DwcpException e) {
                    error(e.getMessage());
                    continue;
                }
                if (d == null) {
                    continue; // removed since it was listed
                }
                dirs++;
                try (d) {
                    // a name that is not UTF-8 cannot be looked up by its lossy decoding: left alone
                    d.list(name -> visit(d, dir, name), malformed -> { });
                } catch (IOException e) {
                    error(e.getMessage());
                }
            }
        }

        private void visit(ConfinedDirectory d, String dir, String name) {
            checkStopped();
            String path = dir.isEmpty() ? name : dir + "/" + name;
            FileStat s;
            try {
                s = d.stat(name).orElse(null);
            } catch (IOException e) {
                error(e.getMessage());
                return;
            }
            if (s == null) {
                return; // gone since it was listed
            }
            if (s.isDirectory()) {
                pending.push(path); // links are not directories here: lstat, never followed
            } else if (isPart(name) && stale(s)) {
                remove(path, s);
            }
        }

        private boolean stale(FileStat s) {
            return s.isRegularFile() && s.links() == 1 && s.mtimeNanos() < cutoffNanos;
        }

        private void remove(String path, FileStat seen) {
            if (undoLog(path)) {
                undoLogs++;
                LOG.warn("sweep kept path=\"" + shown(path) + "\" reason=in-place-undo-log hint=\"an in-place transfer of the"
                        + " file beside it was interrupted: the next send of it rolls the file back\"");
                return;
            }
            long[] freed = {-1};
            if (!receiving.ifUnclaimed(path, () -> freed[0] = removeIfStill(path, seen))) {
                busy++;
                return;
            }
            if (freed[0] >= 0) {
                removed++;
                bytes += freed[0];
                long ageSeconds = Math.max(0, Instant.now().getEpochSecond() - seen.mtimeNanos() / 1_000_000_000L);
                LOG.info("swept path=\"" + shown(path) + "\" bytes=" + freed[0] + " age=" + roughly(ageSeconds));
            }
        }

        /** With the part file unclaimed: looks again and unlinks; the bytes freed, or -1 when it stays. */
        private long removeIfStill(String path, FileStat seen) {
            try {
                FileStat now = root.stat(path, path).orElse(null);
                if (now == null || !stale(now) || now.inode() != seen.inode() || now.device() != seen.device()) {
                    return -1; // renamed into place, replaced or written since the listing
                }
                root.deleteQuietly(path);
                FileStat after = root.stat(path, path).orElse(null);
                if (after != null && after.inode() == now.inode() && after.device() == now.device()) {
                    error("path=\"" + path + "\" reason=unlink-failed");
                    return -1;
                }
                return now.size();
            } catch (DwcpException e) {
                error(e.getMessage());
                return -1;
            }
        }

        /** Whether the file holds an {@link UndoLog} (its magic first); true when it cannot be read: kept then. */
        private boolean undoLog(String path) {
            try (DataFile f = root.openRead(path, path); Arena a = Arena.ofConfined()) {
                MemorySegment head = a.allocate(Long.BYTES);
                int have = 0;
                while (have < Long.BYTES) {
                    int n = f.read(head, have, Long.BYTES - have, have);
                    if (n <= 0) {
                        return false; // shorter than a magic: no undo log
                    }
                    have += n;
                }
                return head.get(LE_LONG, 0) == UndoLog.MAGIC;
            } catch (DwcpException e) {
                error(e.getMessage());
                return true;
            } catch (IOException e) {
                error("path=\"" + path + "\" reason=read-failed detail=\"" + e.getMessage() + "\"");
                return true;
            }
        }

        private void error(String detail) {
            errors++;
            if (firstError == null) {
                firstError = String.valueOf(detail);
            }
        }

        private void checkStopped() {
            if (stopped || Thread.currentThread().isInterrupted()) {
                throw new Stopped();
            }
        }
    }

    /** {@code NAME.dwcp-part} with a NAME: a bare {@code .dwcp-part} is no file's part. */
    static boolean isPart(String name) {
        return name.length() > SUFFIX.length() && name.endsWith(SUFFIX);
    }

    /** A path or message for one log line: no control characters, no double quotes. */
    static String shown(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c == '"' ? '\'' : c);
        }
        return b.toString();
    }

    /** An age in its largest whole unit, rounded down: {@code 10d}, {@code 5h}, {@code 3m}, {@code 40s}. */
    static String roughly(long seconds) {
        return seconds >= 86400 ? seconds / 86400 + "d" : seconds >= 3600 ? seconds / 3600 + "h"
                : seconds >= 60 ? seconds / 60 + "m" : seconds + "s";
    }

    /** {@code 7d}, {@code 42h}, {@code 30m}, {@code 1s}; the largest unit that divides it, as the option reads. */
    public static String format(Duration d) {
        long s = d.toSeconds();
        if (s == 0) {
            return d.toMillis() + "ms";
        }
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
