package io.dwcp.core.framestream;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.Xxh3;
import io.dwcp.simd.DeltaKernel;
import io.dwcp.simd.DeltaKernels;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Receives the frames of a {@link FrameStreamWriter}: {@link #next()} reads a frame's header and checks it
 * (lengths bounded by the stream's largest frame before anything is allocated; a named basis must be the
 * cached frame of the key with exactly that digest and length), then {@link #readInto} rebuilds the frame in
 * the caller's memory, or {@link #read()} in the reader's own buffer. A frame counts only once its CRC32C
 * matches; any error leaves the reader failed, so a wrong frame is never handed out.
 *
 * <pre>{@code
 * try (FrameStreamReader r = new FrameStreamReader(socket, FrameStreamConfig.defaults())) {
 *     while (r.next()) {
 *         r.readInto(memory, r.key() * CHUNK);
 *     }
 * }
 * }</pre>
 *
 * The writer's announced budget is used as long as it is within this reader's limits. One thread uses a
 * reader; the channel stays the caller's.
 */
public final class FrameStreamReader implements AutoCloseable {
    private enum State { IDLE, PENDING, ENDED, FAILED }

    private final ChannelInput in;
    private final FrameStreamConfig limits;
    private final FrameStreamStats stats = new FrameStreamStats();
    private final FrameAssembler assembler;
    private final LZ4SafeDecompressor lz4 = LZ4Factory.fastestInstance().safeDecompressor();
    private final CRC32C crc = new CRC32C();
    /** The header and read-ahead buffers: the reader's own, freed by {@link #close()}. */
    private final Arena arena = Arena.ofShared();
    private final ByteBuffer head = arena.allocate(FrameDeltaDescriptor.HEADER_LENGTH).asByteBuffer();
    private final FrameDeltaFlyweight header = new FrameDeltaFlyweight().wrap(head);
    /** [0, 16): the basis digest a header names; [16, 32): the digest of the frame just rebuilt. */
    private final byte[] digest = new byte[32];
    private FrameCache cache;
    private int maxFrame;
    private long budget;
    private GrowableBuffer wire;
    private GrowableBuffer xor;
    private GrowableBuffer own;
    private long[] map;
    private FrameCache.Entry basis;
    private State state = State.IDLE;

    /** A reader with the fastest delta kernel of this CPU; {@code limits} bound what a writer may announce. */
    public FrameStreamReader(ReadableByteChannel channel, FrameStreamConfig limits) {
        this(channel, limits, DeltaKernels.get());
    }

    public FrameStreamReader(ReadableByteChannel channel, FrameStreamConfig limits, DeltaKernel kernel) {
        if (channel instanceof SelectableChannel s && !s.isBlocking()) {
            throw new IllegalArgumentException("channel=non-blocking reason=unsupported");
        }
        this.in = new ChannelInput(Objects.requireNonNull(channel, "channel"), arena.allocate(64 * 1024).asByteBuffer());
        this.limits = Objects.requireNonNull(limits, "limits");
        this.assembler = new FrameAssembler(kernel);
    }

    /**
     * Reads and checks the next frame's header: true when there is a frame ({@link #key()}, {@link #length()};
     * read it with {@link #readInto} or {@link #read()} before the next call), false at the end of the stream.
     */
    public boolean next() throws IOException {
        switch (state) {
            case PENDING -> throw new IllegalStateException("frame=frame-stream reason=frame-not-read key=" + key());
            case FAILED -> throw new IllegalStateException("frame=frame-stream reason=failed");
            case ENDED -> {
                return false;
            }
            default -> {
            }
        }
        try {
            if (cache == null) {
                readStreamHeader();
            }
            head.clear();
            in.readFully(head);
            header.validate(maxFrame);
            if (header.codec() == FrameCodec.END) {
                stats.wireBytes += FrameDeltaDescriptor.HEADER_LENGTH;
                state = State.ENDED;
                return false;
            }
            basis = header.namesBasis() ? checkedBasis() : null;
            state = State.PENDING;
            return true;
        } catch (IOException | RuntimeException e) {
            state = State.FAILED;
            throw e;
        }
    }

    private FrameCache.Entry checkedBasis() throws DwcpException {
        long key = header.key();
        FrameCache.Entry e = cache.find(key);
        if (e == null) {
            throw DwcpException.protocol("frame=frame-delta reason=no-basis key=" + key
                    + " hint=\"the writer named a previous frame this reader does not hold\"");
        }
        header.basisDigest(digest, 0);
        if (e.length != header.basisLength() || !Arrays.equals(digest, 0, 16, e.digest, 0, 16)) {
            throw DwcpException.protocol("frame=frame-delta reason=basis-mismatch key=" + key + " named="
                    + HexFormat.of().formatHex(digest, 0, 16) + " named_length=" + header.basisLength()
                    + " cached=" + BlockDigests.hex(e.digest) + " cached_length=" + e.length);
        }
        return e;
    }

    /** The pending frame's key. */
    public long key() {
        return header.key();
    }

    /** The pending frame's length in bytes. */
    public int length() {
        return header.length();
    }

    /** True when the pending frame is a delta against the previous frame of its key. */
    public boolean isDelta() {
        return basis != null;
    }

    /**
     * Rebuilds the pending frame in {@code dst[offset, offset+length())} and checks it. A destination too small
     * throws {@link IndexOutOfBoundsException} and leaves the frame pending.
     */
    public void readInto(MemorySegment dst, long offset) throws IOException {
        requirePending();
        Objects.checkFromIndexSize(offset, length(), dst.byteSize());
        try {
            rebuild(dst, offset);
            state = State.IDLE;
        } catch (IOException | RuntimeException e) {
            state = State.FAILED;
            throw e;
        }
    }

    /** Rebuilds the pending frame in the reader's own memory; the view is valid until the next {@link #next()}. */
    public MemorySegment read() throws IOException {
        requirePending();
        int len = length();
        MemorySegment buf = own.ensure(Math.max(1, len));
        readInto(buf, 0);
        return buf.asSlice(0, len);
    }

    private void requirePending() {
        if (state != State.PENDING) {
            throw new IllegalStateException("frame=frame-stream reason=no-pending-frame state="
                    + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private void rebuild(MemorySegment dst, long off) throws IOException {
        FrameCodec codec = header.codec();
        int len = header.length();
        int wireLength = header.wireLength();
        long key = header.key();
        long pages;
        if (codec == FrameCodec.RAW) {
            if (len > 0) {
                in.readFully(dst.asSlice(off, len).asByteBuffer());
            }
            pages = FrameDeltaDescriptor.pageCount(len);
        } else {
            MemorySegment source = wire.ensure(Math.max(1, wireLength));
            int total = wireLength;
            if (wireLength > 0) {
                in.readFully(wire.buffer(wireLength).limit(wireLength));
            }
            if (codec == FrameCodec.XOR_LZ4) {
                total = unpack(wireLength, FrameDeltaDescriptor.maxPayload(len), key);
                source = xor.ensure(total);
            }
            // XOR with no payload at all: nothing differs from the basis.
            boolean unchanged = codec == FrameCodec.XOR && wireLength == 0;
            int mapBytes = unchanged ? 0 : FrameDeltaDescriptor.mapLength(len);
            long pagesBytes = FrameAssembler.readMap(source, unchanged ? -1 : total, len, map, key);
            assembler.assemble(cache, basis, map, len, source, mapBytes, pagesBytes, dst, off);
            pages = PageMaps.bitCount(map, len);
        }
        checkCrc(dst, off, len, key);
        boolean kept = cache.admits(len);
        if (kept) {
            Xxh3.hash128(dst, off, len, digest, 16);
        }
        if (codec != FrameCodec.RAW && basis != null && basis.length == len) {
            cache.update(basis, dst, off, map, digest, 16); // only the pages in the map differ from the basis
        } else {
            cache.store(key, dst, off, len, digest, 16);
        }
        stats.frames++;
        stats.frameBytes += len;
        stats.wireBytes += FrameDeltaDescriptor.HEADER_LENGTH + (long) wireLength;
        stats.pagesSent += pages;
        if (basis != null) {
            stats.deltaFrames++;
        } else {
            stats.wholeFrames++;
        }
        basis = null;
    }

    /** Decodes the LZ4 block in the wire buffer into {@link #xor}; returns the decoded length (at most {@code max}). */
    private int unpack(int n, int max, long key) throws DwcpException {
        try {
            return lz4.decompress(wire.buffer(n), 0, n, xor.buffer(max), 0, max);
        } catch (LZ4Exception e) {
            throw DwcpException.protocol("frame=frame-delta reason=lz4-corrupt key=" + key + " detail=\"" + e.getMessage() + "\"");
        }
    }

    private void checkCrc(MemorySegment dst, long off, int len, long key) throws DwcpException {
        int want = header.crc();
        int got = 0;
        if (len > 0) {
            crc.reset();
            crc.update(dst.asSlice(off, len).asByteBuffer());
            got = (int) crc.getValue();
        }
        if (got != want) {
            throw new DwcpException(ErrorCode.VERIFY, "frame=frame-delta reason=bad-crc key=" + key + " want="
                    + Integer.toHexString(want) + " got=" + Integer.toHexString(got));
        }
    }

    private void readStreamHeader() throws IOException {
        ByteBuffer h = ByteBuffer.allocate(FrameStreamDescriptor.LENGTH);
        in.readFully(h);
        StreamHeader.Announced a = StreamHeader.check(h, limits);
        maxFrame = a.maxFrame();
        budget = a.cacheBytes();
        cache = new FrameCache(budget, maxFrame, stats);
        wire = new GrowableBuffer(FrameDeltaDescriptor.maxWireLength(maxFrame));
        xor = new GrowableBuffer(FrameDeltaDescriptor.maxPayload(maxFrame));
        own = new GrowableBuffer(maxFrame);
        map = new long[PageMaps.words(maxFrame)];
        stats.wireBytes += FrameStreamDescriptor.LENGTH;
    }

    /** The cache budget the writer announced (0 before the first {@link #next()}). */
    public long cacheBudget() {
        return budget;
    }

    /** The largest frame the writer announced (0 before the first {@link #next()}). */
    public int maxFrameBytes() {
        return maxFrame;
    }

    public FrameStreamStats stats() {
        return stats;
    }

    boolean caches(long key) {
        return cache != null && cache.find(key) != null;
    }

    /** Bytes of scratch the reader holds now (the cache aside): none until a frame needed them. */
    long bufferBytes() {
        return wire == null ? 0 : wire.capacity() + xor.capacity() + own.capacity();
    }

    int cachedFrames() {
        return cache == null ? 0 : cache.entries();
    }

    /** Frees the cache and buffers; the channel is left open. */
    @Override
    public void close() {
        if (cache != null) {
            cache.close();
            wire.close();
            xor.close();
            own.close();
            cache = null;
        }
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
