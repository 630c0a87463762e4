package io.dwcp.wireguard.net;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A batch of datagram slots for one receive or send call: per slot an off-heap buffer of fixed capacity, a
 * length, a remote endpoint ({@link Endpoints} layout) and a segment size. Everything is allocated once, from an
 * arena the batch closes, so a steady stream of batches allocates nothing.
 *
 * <p>A slot whose {@linkplain #segmentSize(int) segment size} is positive and smaller than its length holds several
 * datagrams back to back (all of that size but the last, which may be shorter): a GRO datagram the kernel coalesced
 * on receive, or a GSO super-datagram to split on send. Segment size 0 means one datagram.
 *
 * <p>Not thread-safe: one thread at a time owns a batch (it may hand it to another between calls).
 */
public final class PacketBatch implements AutoCloseable {
    /** The largest UDP datagram, and the slot capacity a transport with GRO needs. */
    public static final int MAX_DATAGRAM = 65535;
    private static final long ENDPOINT_STRIDE = 32;

    private final Arena arena = Arena.ofShared();
    private final int capacity;
    private final MemorySegment[] buffers;
    private final MemorySegment[] endpoints;
    private final int[] lengths;
    private final int[] segmentSizes;
    private ByteBuffer[] views;
    private Object attachment;

    /**
     * @param slots    datagrams per call, 1..1024 (the kernel's {@code UIO_MAXIOV} bounds one sendmmsg)
     * @param capacity bytes per slot
     */
    public PacketBatch(int slots, int capacity) {
        if (slots < 1 || slots > 1024 || capacity < 1) {
            throw new IllegalArgumentException("slots=" + slots + " capacity=" + capacity + " reason=out-of-range");
        }
        this.capacity = capacity;
        // cache-line aligned slots, so one slot's writes never share a line with its neighbour's
        long stride = (capacity + 63L) & ~63L;
        MemorySegment data = arena.allocate(stride * slots, 64);
        MemorySegment eps = arena.allocate(ENDPOINT_STRIDE * slots, 8);
        buffers = new MemorySegment[slots];
        endpoints = new MemorySegment[slots];
        for (int i = 0; i < slots; i++) {
            buffers[i] = data.asSlice(i * stride, capacity);
            endpoints[i] = eps.asSlice(i * ENDPOINT_STRIDE, Endpoints.BYTES);
        }
        lengths = new int[slots];
        segmentSizes = new int[slots];
    }

    public int slots() {
        return buffers.length;
    }

    public int capacity() {
        return capacity;
    }

    /** Slot {@code i}'s whole buffer ({@link #capacity()} bytes); the datagram is its first {@link #length} bytes. */
    public MemorySegment buffer(int i) {
        return buffers[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    public void setLength(int i, int length) {
        if (length < 0 || length > capacity) {
            throw new IllegalArgumentException("length=" + length + " capacity=" + capacity);
        }
        lengths[i] = length;
    }

    /** 0 for one datagram; else the size of each datagram coalesced into the slot (see the class comment). */
    public int segmentSize(int i) {
        return segmentSizes[i];
    }

    public void setSegmentSize(int i, int segmentSize) {
        if (segmentSize < 0 || segmentSize > MAX_DATAGRAM) {
            throw new IllegalArgumentException("segmentSize=" + segmentSize);
        }
        segmentSizes[i] = segmentSize;
    }

    /** How many datagrams slot {@code i} holds. */
    public int segments(int i) {
        int seg = segmentSizes[i];
        int len = lengths[i];
        return seg <= 0 || len <= seg ? 1 : (len + seg - 1) / seg;
    }

    /**
     * Slot {@code i}'s remote endpoint, {@link Endpoints#BYTES} bytes: the source after a receive, the destination
     * for a send.
     */
    public MemorySegment endpoint(int i) {
        return endpoints[i];
    }

    /** Copies an endpoint (a peer's, kept in its own segment) into slot {@code i}. */
    public void setEndpoint(int i, MemorySegment endpoint) {
        Endpoints.copy(endpoint, endpoints[i]);
    }

    /** Encodes {@code address} into slot {@code i}: for configuration and tests, the hot path copies raw endpoints. */
    public void setAddress(int i, InetSocketAddress address) {
        Endpoints.encode(address, endpoints[i]);
    }

    /** Slot {@code i}'s endpoint as an address (allocates). */
    public InetSocketAddress address(int i) {
        return Endpoints.decode(endpoints[i]);
    }

    /** A cached {@link ByteBuffer} over slot {@code i}'s whole buffer, for NIO transports; callers set its bounds. */
    public ByteBuffer view(int i) {
        if (views == null) {
            views = new ByteBuffer[buffers.length];
        }
        ByteBuffer v = views[i];
        if (v == null) {
            v = buffers[i].asByteBuffer();
            views[i] = v;
        }
        return v;
    }

    /**
     * Native memory that lives exactly as long as the batch, for a transport's per-batch structures (message
     * headers, I/O vectors) so they are built once, not per call.
     */
    public MemorySegment allocateNative(long bytes, long alignment) {
        return arena.allocate(bytes, alignment);
    }

    /** The transport state attached to this batch, or null. */
    public Object attachment() {
        return attachment;
    }

    /** Attaches a transport's per-batch state (replacing any other transport's). */
    public void attach(Object state) {
        attachment = state;
    }

    /** Frees every slot; the batch and its segments must not be used afterwards. */
    @Override
    public void close() {
        arena.close();
    }
}
