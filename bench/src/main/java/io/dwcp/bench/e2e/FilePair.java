package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The two versions of one file that the delta workloads move: OLD, a seeded random file of SIZE_MIB (what the
 * receiver holds when a run starts), and NEW, the source: OLD with 1% of its 4 KiB pages rewritten with new random
 * bytes at seeded page-aligned offsets. OLD lives next to NEW under another name (the sender's copy of the basis,
 * for dwcp send --base) and is dated a day before NEW, so that no tool takes the two for one file by size and mtime.
 */
final class FilePair {
    static final int PAGE = 4096;
    static final double CHANGED_FRACTION = 0.01;
    static final Duration OLD_AGE = Duration.ofDays(1);

    private FilePair() {}

    /** Pages of a file of this size that NEW rewrites: 1% of its whole pages, at least one. */
    static long changedPages(long size) {
        return Math.max(1, Math.round(size / PAGE * CHANGED_FRACTION));
    }

    static long changedBytes(long size) {
        return changedPages(size) * PAGE;
    }

    /** Where OLD lives beside NEW: file-delta-2048M.bin -> file-delta-2048M.old.bin. */
    static Path oldPath(Path neu) {
        String n = neu.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return neu.resolveSibling(dot < 0 ? n + ".old" : n.substring(0, dot) + ".old" + n.substring(dot));
    }

    /** Writes OLD (seeded by the size, as a plain file workload of that size) and NEW (pages chosen by seed). */
    static Source create(Path neu, long size, long seed) throws IOException {
        Path old = oldPath(neu);
        Sources.randomFile(old, size, new SplittableRandom(size >> 20));
        Files.copy(old, neu);
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + size);
        long total = size / PAGE;
        BitSet pages = choose(total, changedPages(size), random);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined();
             FileChannel ch = FileChannel.open(neu, StandardOpenOption.WRITE)) {
            ByteBuffer buf = arena.allocate(PAGE).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int p = pages.nextSetBit(0); p >= 0 && !Processes.closing(); p = pages.nextSetBit(p + 1)) {
                Sources.fill(buf, PAGE, random);
                long at = (long) p * PAGE;
                while (buf.hasRemaining()) {
                    at += ch.write(buf, at);
                }
            }
        }
        FileTime newTime = Files.getLastModifiedTime(neu);
        Files.setLastModifiedTime(old, FileTime.from(newTime.toInstant().minus(OLD_AGE)));
        String note = Fmt.s("OLD: a seeded random file of %s; NEW: OLD with %d of its %d 4 KiB pages (%.0f%%) rewritten with new"
                + " random bytes at seeded page-aligned offsets (SEED %d): %d bytes changed", Fmt.size(size), pages.cardinality(),
                total, CHANGED_FRACTION * 100, seed, (long) pages.cardinality() * PAGE);
        return new Source(neu, size, 1, 0, note, old);
    }

    /** count distinct page numbers below total (count far below total: rejection is cheap). */
    static BitSet choose(long total, long count, SplittableRandom random) {
        if (total > Integer.MAX_VALUE || count > total) {
            throw new IllegalArgumentException("cannot choose " + count + " of " + total + " pages");
        }
        BitSet set = new BitSet((int) total);
        while (set.cardinality() < count) {
            set.set((int) random.nextLong(total));
        }
        return set;
    }

    /**
     * Untimed, before every run: the tool's destination gets OLD under NEW's name, with OLD's mode and mtime (a copy
     * made now, so every run of every tool starts from the same fresh pages), then sync, so that no write-back of the
     * copy runs during the timed send. NEW is not touched.
     */
    static void restoreOld(Source source, Path dest, int timeoutSeconds) throws BenchException {
        try {
            Files.createDirectories(dest.getParent());
            Files.copy(source.basis(), dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        } catch (IOException e) {
            throw new BenchException("cannot restore the old version at " + dest + ": " + e.getMessage(), e);
        }
        if (Processes.output(List.of("sync"), null, timeoutSeconds) == null) {
            throw new BenchException("sync failed after restoring the old version at " + dest);
        }
    }
}
