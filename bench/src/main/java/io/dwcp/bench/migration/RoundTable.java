package io.dwcp.bench.migration;

import io.dwcp.core.framestream.FrameStreamStats;
import java.util.Locale;

/** Prints the per-round table and the totals, in fixed columns (Locale.ROOT: the same digits everywhere). */
final class RoundTable {
    private static final double MIB = 1 << 20;
    private long frames;
    private long fullBytes;
    private long wireBytes;
    private long dirtyBytes;
    private double seconds;
    /** The same, for the rounds after the first: what converging costs. */
    private long laterWire;
    private long laterDirty;

    void header() {
        System.out.println("round  kind        dirtied pages  frames  whole  delta  full size MiB  dirty MiB"
                + "  wire MiB  wire/full  wire/dirty  evictions  time s   GB/s");
    }

    /**
     * One round: {@code dirtied} pages written since the previous round (all of them in round 1), the
     * writer's figures for the round, and the seconds until the receiver had applied it.
     */
    void row(int round, String kind, long dirtied, int chunkBytes, FrameStreamStats s, double secs) {
        long full = s.frames() * (long) chunkBytes;
        long dirty = dirtied * GuestMemory.PAGE;
        frames += s.frames();
        fullBytes += full;
        wireBytes += s.wireBytes();
        dirtyBytes += dirty;
        seconds += secs;
        if (round > 1) {
            laterWire += s.wireBytes();
            laterDirty += dirty;
        }
        System.out.println(String.format(Locale.ROOT,
                "%5d  %-10s  %13d  %6d  %5d  %5d  %13.1f  %9.1f  %8.2f  %9.4f  %10.4f  %9d  %6.3f  %5.2f",
                round, kind, dirtied, s.frames(), s.wholeFrames(), s.deltaFrames(), full / MIB, dirty / MIB,
                s.wireBytes() / MIB, ratio(s.wireBytes(), full), ratio(s.wireBytes(), dirty), s.evictions(), secs,
                full / secs / 1e9));
    }

    /** Totals, against what the same migration costs when every dirty page goes as it is. */
    void totals() {
        System.out.println(String.format(Locale.ROOT,
                "total  %d frames, %.1f MiB of frames, %.2f MiB on the wire (%.4f of the frames), %.3f s", frames,
                fullBytes / MIB, wireBytes / MIB, ratio(wireBytes, fullBytes), seconds));
        // Round 1 counts every page as dirtied, so dirtyBytes is what sending each dirty page as it is would cost.
        System.out.println(String.format(Locale.ROOT,
                "plain  dirty pages sent as they are (4 KiB each, round 1 the whole memory): %.1f MiB; the frame stream"
                        + " sent %.4f of that; after round 1: %.2f MiB for %.1f MiB of dirty pages (%.4f)",
                dirtyBytes / MIB, ratio(wireBytes, dirtyBytes), laterWire / MIB, laterDirty / MIB,
                ratio(laterWire, laterDirty)));
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}
