package io.dwcp.core.framestream;

/**
 * What one end of a frame stream did. Written only by the thread that uses the writer or reader; read it
 * there, or after the stream has ended. {@link #copy()} and {@link #minus} give per-interval figures.
 */
public final class FrameStreamStats {
    long frames;
    long wholeFrames;
    long deltaFrames;
    long frameBytes;
    long wireBytes;
    long pagesSent;
    long evictions;

    /** Frames sent or received (END not counted). */
    public long frames() {
        return frames;
    }

    /** Frames that went without a cached basis: RAW, or XOR against zeros. */
    public long wholeFrames() {
        return wholeFrames;
    }

    /** Frames that went as XOR deltas against the previous frame of their key. */
    public long deltaFrames() {
        return deltaFrames;
    }

    /** Sum of the frames' lengths: what the application handed over or got back. */
    public long frameBytes() {
        return frameBytes;
    }

    /** Bytes on the channel: the stream header, frame headers, page maps and payloads. */
    public long wireBytes() {
        return wireBytes;
    }

    /** Pages whose bytes travelled (changed pages of deltas, non-zero pages of whole frames, every page of RAW). */
    public long pagesSent() {
        return pagesSent;
    }

    /** Cached frames dropped to stay within the budget; the next frame of such a key goes whole. */
    public long evictions() {
        return evictions;
    }

    public FrameStreamStats copy() {
        FrameStreamStats c = new FrameStreamStats();
        c.frames = frames;
        c.wholeFrames = wholeFrames;
        c.deltaFrames = deltaFrames;
        c.frameBytes = frameBytes;
        c.wireBytes = wireBytes;
        c.pagesSent = pagesSent;
        c.evictions = evictions;
        return c;
    }

    /** This minus {@code earlier}: what happened between the two. */
    public FrameStreamStats minus(FrameStreamStats earlier) {
        FrameStreamStats d = new FrameStreamStats();
        d.frames = frames - earlier.frames;
        d.wholeFrames = wholeFrames - earlier.wholeFrames;
        d.deltaFrames = deltaFrames - earlier.deltaFrames;
        d.frameBytes = frameBytes - earlier.frameBytes;
        d.wireBytes = wireBytes - earlier.wireBytes;
        d.pagesSent = pagesSent - earlier.pagesSent;
        d.evictions = evictions - earlier.evictions;
        return d;
    }

    @Override
    public String toString() {
        return "frames=" + frames + " whole=" + wholeFrames + " delta=" + deltaFrames + " frame_bytes=" + frameBytes
                + " wire_bytes=" + wireBytes + " pages_sent=" + pagesSent + " evictions=" + evictions;
    }
}
