package io.dwcp.core.framestream;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.core.codec.CompressionAdvisor;
import io.dwcp.core.digest.Xxh3;
import io.dwcp.simd.DeltaKernel;
import io.dwcp.simd.DeltaKernels;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Sends keyed frames over a blocking channel, each as an XOR delta against the previous frame of its key when
 * that frame is still cached, else whole (its zero pages skipped). The first send writes the stream header
 * ({@link FrameStreamDescriptor}); {@link #finish()} writes the end frame. The channel stays the caller's.
 *
 * <pre>{@code
 * try (FrameStreamWriter w = new FrameStreamWriter(socket, FrameStreamConfig.defaults())) {
 *     w.send(chunkIndex, memory, chunkIndex * CHUNK, CHUNK);   // as often as frames change
 *     w.finish();
 * }
 * }</pre>
 *
 * Buffers are reused from frame to frame and cached frames live in the cache's own off-heap pool; a frame
 * costs, besides the kernel's pass, its CRC32C and (when it will be cached) its XXH3-128 and a copy into
 * the cache. One thread uses a writer. After an exception from the channel the writer refuses further use.
 */
public final class FrameStreamWriter implements AutoCloseable {
    /** Zero capacity, so its position and limit never change: safe to share. */
    /** The body of a frame that has none: one per JVM, zero bytes (direct, as every other body handed to LZ4). */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);
    private final WritableByteChannel channel;
    private final FrameStreamConfig config;
    private final FrameStreamStats stats = new FrameStreamStats();
    private final FrameCache cache;
    private final DeltaEncoder encoder;
    private final LZ4Compressor lz4 = LZ4Factory.fastestInstance().fastCompressor();
    /** Whole frames (against zeros) and deltas compress differently: each kind learns on its own. */
    private final CompressionAdvisor wholeAdvisor = new CompressionAdvisor();
    private final CompressionAdvisor deltaAdvisor = new CompressionAdvisor();
    private final CRC32C crc = new CRC32C();
    /** The header of one frame, in memory the writer owns (freed by {@link #close()}). */
    private final Arena arena = Arena.ofShared();
    private final ByteBuffer head;
    private final FrameDeltaFlyweight header = new FrameDeltaFlyweight();
    private final GrowableBuffer xor;
    private final GrowableBuffer packed;
    private final long[] map;
    /** [0, 16): the digest of the frame being sent. */
    private final byte[] digest = new byte[16];
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private boolean started;
    private boolean finished;
    private boolean failed;

    /** A writer with the fastest delta kernel of this CPU. */
    public FrameStreamWriter(WritableByteChannel channel, FrameStreamConfig config) {
        this(channel, config, DeltaKernels.get());
    }

    public FrameStreamWriter(WritableByteChannel channel, FrameStreamConfig config, DeltaKernel kernel) {
        if (channel instanceof SelectableChannel s && !s.isBlocking()) {
            throw new IllegalArgumentException("channel=non-blocking reason=unsupported");
        }
        this.channel = Objects.requireNonNull(channel, "channel");
        this.config = Objects.requireNonNull(config, "config");
        int max = config.maxFrameBytes();
        this.cache = new FrameCache(config.cacheBytes(), max, stats);
        this.encoder = new DeltaEncoder(kernel);
        this.head = arena.allocate(FrameDeltaDescriptor.HEADER_LENGTH).asByteBuffer();
        this.header.wrap(head);
        this.xor = new GrowableBuffer(FrameDeltaDescriptor.maxPayload(max));
        this.packed = new GrowableBuffer(FrameDeltaDescriptor.maxWireLength(max));
        this.map = new long[PageMaps.words(max)];
    }

    /** Sends the whole segment as the next frame of {@code key}. */
    public void send(long key, MemorySegment frame) throws IOException {
        send(key, frame, 0, frame.byteSize());
    }

    /**
     * Sends {@code frame[offset, offset+length)} as the next frame of {@code key}. A frame longer than the
     * configured largest is refused ({@link ErrorCode#LIMIT}) before anything is sent, and the stream goes on.
     */
    public void send(long key, MemorySegment frame, long offset, long length) throws IOException {
        checkOpen();
        Objects.checkFromIndexSize(offset, length, frame.byteSize());
        if (length > config.maxFrameBytes()) {
            throw new DwcpException(ErrorCode.LIMIT, "frame=frame-delta reason=too-long key=" + key + " length="
                    + length + " max=" + config.maxFrameBytes());
        }
        try {
            start();
            sendFrame(key, frame, offset, (int) length);
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private void sendFrame(long key, MemorySegment frame, long offset, int len) throws IOException {
        FrameCache.Entry basis = cache.find(key);
        ByteBuffer view = len == 0 ? EMPTY : frame.asSlice(offset, len).asByteBuffer();
        crc.reset();
        crc.update(view);
        view.position(0);
        int crcValue = (int) crc.getValue();
        boolean keep = cache.admits(len);
        if (keep) {
            Xxh3.hash128(frame, offset, len, digest, 0);
        }
        FrameCodec codec = FrameCodec.RAW;
        int flags = 0;
        int wire = len;
        ByteBuffer body = view;
        long pages = FrameDeltaDescriptor.pageCount(len);
        if (len > 0) {
            // The page-map payload: the map first (written once the kernel has set it), then the pages.
            int mapBytes = FrameDeltaDescriptor.mapLength(len);
            MemorySegment out = xor.ensure(mapBytes + (long) len);
            long changed = encoder.encode(cache, basis, frame, offset, len, out, mapBytes, map);
            int payload = mapBytes + (int) changed;
            if (changed > 0) {
                PageMaps.write(map, len, out, 0);
            }
            int packedLength = changed == 0 ? -1 : compress(payload, basis == null ? wholeAdvisor : deltaAdvisor);
            if (changed == 0 || packedLength >= 0 || payload < len) {
                flags = basis == null ? FrameDeltaDescriptor.FLAG_ZERO_BASIS : 0;
                pages = PageMaps.bitCount(map, len);
                if (changed == 0) {
                    codec = FrameCodec.XOR;
                    wire = 0;
                    body = EMPTY;
                } else if (packedLength >= 0) {
                    codec = FrameCodec.XOR_LZ4;
                    wire = packedLength;
                    body = packed.buffer(packedLength).limit(packedLength);
                } else {
                    codec = FrameCodec.XOR;
                    wire = payload;
                    body = xor.buffer(payload).limit(payload);
                }
            }
        }
        boolean delta = codec.isXor() && flags == 0;
        if (delta) {
            header.encode(codec, flags, len, key, wire, crcValue, basis.digest, 0, basis.length);
        } else {
            header.encode(codec, flags, len, key, wire, crcValue, null, 0, 0);
        }
        head.clear().limit(FrameDeltaDescriptor.HEADER_LENGTH);
        write(head, body);
        if (basis != null && basis.length == len && len > 0) {
            cache.update(basis, frame, offset, map, digest, 0); // the map names every page that differs
        } else {
            cache.store(key, frame, offset, len, digest, 0);
        }
        stats.frames++;
        stats.frameBytes += len;
        stats.wireBytes += FrameDeltaDescriptor.HEADER_LENGTH + (long) wire;
        stats.pagesSent += pages;
        if (delta) {
            stats.deltaFrames++;
        } else {
            stats.wholeFrames++;
        }
    }

    /** LZ4 of the page-map payload into {@link #packed}; its length when it pays by the configured mode, else -1. */
    private int compress(int n, CompressionAdvisor advisor) {
        CompressMode mode = config.compress();
        if (mode == CompressMode.OFF || (mode == CompressMode.AUTO && !advisor.shouldTry())) {
            return -1;
        }
        ByteBuffer out = packed.buffer(FrameDeltaDescriptor.maxLz4Length(n));
        int c = lz4.compress(xor.buffer(n), 0, n, out, 0, out.capacity());
        boolean pays = mode == CompressMode.AUTO ? advisor.record(n, c) : c < n;
        return pays ? c : -1;
    }

    /** Writes the end frame; the stream carries nothing after it. Idempotent. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        checkOpen();
        try {
            start();
            header.encode(FrameCodec.END, 0, 0, 0L, 0, 0, null, 0, 0);
            head.clear().limit(FrameDeltaDescriptor.HEADER_LENGTH);
            write(head, EMPTY);
            stats.wireBytes += FrameDeltaDescriptor.HEADER_LENGTH;
            finished = true;
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    public FrameStreamStats stats() {
        return stats;
    }

    public FrameStreamConfig config() {
        return config;
    }

    /** Frames cached now (the reader's cache holds the same keys). */
    int cachedFrames() {
        return cache.entries();
    }

    boolean caches(long key) {
        return cache.find(key) != null;
    }

    private void start() throws IOException {
        if (started) {
            return;
        }
        ByteBuffer h = StreamHeader.encode(config);
        write(h, EMPTY);
        stats.wireBytes += FrameStreamDescriptor.LENGTH;
        started = true;
    }

    private void write(ByteBuffer first, ByteBuffer second) throws IOException {
        if (channel instanceof GatheringByteChannel g) {
            gather[0] = first;
            gather[1] = second;
            while (second.hasRemaining() || first.hasRemaining()) {
                g.write(gather);
            }
            gather[0] = null;
            gather[1] = null;
        } else {
            while (first.hasRemaining()) {
                channel.write(first);
            }
            while (second.hasRemaining()) {
                channel.write(second);
            }
        }
    }

    private void checkOpen() {
        if (failed || finished) {
            throw new IllegalStateException("frame=frame-stream reason=" + (failed ? "failed" : "finished"));
        }
    }

    /**
     * Writes the end frame unless the stream failed or has ended, and frees the cache and buffers. The
     * channel is left open.
     */
    @Override
    public void close() throws IOException {
        try {
            if (!failed && !finished) {
                finish();
            }
        } finally {
            cache.close();
            xor.close();
            packed.close();
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }
}
