package io.dwcp.zerocopy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Sends buffers with {@code MSG_ZEROCOPY} and hands each one back only after the kernel reported it done with
 * the pages: until then the NIC (or the loopback path) may still read them, so reusing a buffer early would
 * put the next block's bytes on the wire under the previous block's header and CRC.
 *
 * <p>Use: {@link #send} a buffer (it joins the in-flight ring; a full ring is a caller error), then get buffers
 * back with {@link #reclaim()} (non-blocking) or {@link #awaitReclaim(int)}, in send order. Buffers below the
 * threshold, and every buffer once the socket switched to copying, are sent with a plain send and come back
 * as soon as the ones before them did.
 *
 * <p>When a completion says the kernel copied after all ({@code SO_EE_CODE_ZEROCOPY_COPIED}: loopback, a
 * device without scatter-gather), zero copy only costs page pinning and notifications, so the sender switches
 * to plain sends for good and counts the switch. One thread per sender.
 */
public final class ZeroCopySender {
    /** Below this, pinning pages and reaping a notification costs more than copying. */
    public static final int DEFAULT_THRESHOLD = 16 * 1024;

    private final DataSocket socket;
    private final ZeroCopyChannel ops;
    private final int threshold;
    private final InFlightRing ring;
    /** Made once: reaping passes it down instead of a lambda per call. */
    private final ZeroCopyChannel.CompletionSink sink = this::completed;
    private boolean copyMode;
    private int nextId;
    private long zerocopySends;
    private long completions;
    private long copied;
    private long switchedToCopy;

    /** @param ops null when MSG_ZEROCOPY is unavailable: every send is then a plain one */
    /** @param ops the socket's zero-copy sends, or null to send plainly with the same buffer discipline */
    public ZeroCopySender(DataSocket socket, ZeroCopyChannel ops, int maxInFlight, int threshold) {
        this.socket = socket;
        this.ops = ops;
        this.threshold = threshold;
        this.ring = new InFlightRing(maxInFlight);
        this.copyMode = ops == null;
    }

    /**
     * Sends {@code buffer[off, off+len)} entirely and keeps the buffer in flight.
     *
     * @return a ticket for {@link #isCompleted(long)}
     * @throws IllegalStateException when {@code maxInFlight} buffers are already in flight
     */
    public long send(MemorySegment buffer, long off, int len) throws IOException {
        if (ring.isFull()) {
            throw new IllegalStateException("reason=in-flight-full in_flight=" + ring.size());
        }
        if (copyMode || len < threshold) {
            socket.writeFully(buffer, off, len);
            return ring.add(buffer, 0, 0);
        }
        int first = nextId;
        int calls = 0;
        long done = 0;
        while (done < len) {
            long n = ops.send(buffer, off + done, len - done);
            if (n < 0) {
                // no page pinning budget left right now: copy the rest, the ids so far still complete
                socket.writeFully(buffer, off + done, len - done);
                break;
            }
            done += n;
            calls++;
            nextId++;
        }
        zerocopySends += calls;
        return ring.add(buffer, first, calls);
    }

    /** Reaps completions and returns the oldest buffer the kernel is done with, or null. */
    public MemorySegment reclaim() throws IOException {
        if (!ring.headCompleted() && ops != null) {
            ops.reap(sink);
        }
        return ring.poll();
    }

    /** As {@link #reclaim()}, waiting up to {@code timeoutMillis} for the completion; null when none came. */
    public MemorySegment awaitReclaim(int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (;;) {
            MemorySegment b = reclaim();
            if (b != null || ring.size() == 0 || ops == null) {
                return b;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0 || !ops.await((int) left)) {
                return reclaim();
            }
        }
    }

    /** True once the kernel is done with the buffer of this ticket. Reaps nothing: call {@link #reclaim()}. */
    public boolean isCompleted(long ticket) {
        return ring.isCompleted(ticket);
    }

    public int inFlight() {
        return ring.size();
    }

    /** False after the switch to plain sends (or when MSG_ZEROCOPY was never available). */
    public boolean usingZeroCopy() {
        return !copyMode;
    }

    public ZeroCopyStats stats() {
        return new ZeroCopyStats(zerocopySends, completions, copied, switchedToCopy);
    }

    /** One completion notification from the error queue. */
    private void completed(int firstId, int lastId, boolean copiedByKernel) {
        int n = lastId - firstId + 1;
        completions += n;
        ring.complete(firstId, lastId);
        if (copiedByKernel) {
            copied += n;
            if (!copyMode) {
                copyMode = true;
                switchedToCopy++;
            }
        }
    }
}
