package io.dwcp.engine.send;

import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.FileStat;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code lstat}s of one directory's sorted names, made in chunks by whoever needs them first. A directory of a
 * few names is looked at whole before its listing is handed on, as before. A big one (a flat directory of 100,000
 * files) is handed on as soon as its names are sorted: the scanner makes entries from the first chunk while idle
 * lister threads look at the next ones, so its batches reach the receiver while the directory is still being read,
 * and the stat calls run on every lister thread, not on one (measured: the identical re-sync of a 100,000-file
 * directory spent 0.37 s on one thread looking, before its first batch left).
 *
 * <p>Chunks are claimed in order from one counter; a chunk's stats are published by the volatile write that marks
 * it done. The directory stays open until the scanner has taken every stat, which it does before it lets the
 * directory go (see {@link DirectoryLister.Held}).
 */
final class ListingStats {
    /** Names per chunk: a few hundred microseconds of system calls, so a waiting scanner never waits long. */
    static final int CHUNK = 256;

    private final ConfinedDirectory dir;
    private final String[] names;
    private final FileStat[] stats;
    private final int chunks;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicIntegerArray done;

    ListingStats(ConfinedDirectory dir, String[] names) {
        this.dir = dir;
        this.names = names;
        this.stats = new FileStat[names.length];
        this.chunks = (names.length + CHUNK - 1) / CHUNK;
        this.done = new AtomicIntegerArray(chunks);
    }

    /** Chunks of this directory: more than one means it is worth sharing out. */
    int chunks() {
        return chunks;
    }

    /**
     * What {@code names[i]} is: null when it vanished or could not be looked at. Looks at the next unclaimed chunk
     * itself while the one holding {@code i} is being looked at by another thread, and waits only when none is left.
     */
    FileStat get(int i) {
        int c = i / CHUNK;
        int idle = 0;
        while (done.get(c) == 0) {
            if (statNextChunk()) {
                continue;
            }
            if (++idle < 100) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000); // another thread is on chunk c: a few hundred microseconds at most
            }
        }
        return stats[i];
    }

    /** Looks at chunks until none is left unclaimed: what an idle lister thread does for a big directory. */
    void help() {
        while (statNextChunk()) {
            // claimed and looked at one more chunk
        }
    }

    /** Claims the next chunk nobody has and looks at its names; false when every chunk is claimed. */
    private boolean statNextChunk() {
        int c = nextChunk.getAndIncrement();
        if (c >= chunks) {
            return false;
        }
        int end = Math.min(names.length, (c + 1) * CHUNK);
        for (int i = c * CHUNK; i < end; i++) {
            try {
                stats[i] = dir.stat(names[i]).orElse(null);
            } catch (IOException | RuntimeException e) {
                stats[i] = null; // reported by the scanner as vanished or unreadable
            }
        }
        done.set(c, 1); // publishes the chunk's stats to the thread that reads them
        return true;
    }
}
