package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.codec.BlockEncoder;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.core.frame.Codec;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.DataFrameFlyweight;
import io.dwcp.core.frame.PageMapDescriptor;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.PageDigests;
import io.dwcp.simd.DeltaKernels;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.numa.Slab;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.FileShrunkException;
import io.dwcp.zerocopy.ZeroCopySender;
import io.dwcp.zerocopy.ZeroCopyStats;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The DATA frames of one stream, and the buffers they are built in. All buffers are slabs taken once per
 * stream: the block slab holds {@code [frame header | block bytes]}, and each LZ4 slab a whole frame.
 *
 * <ul>
 *   <li>RAW: the header, then the block's bytes straight from the file with {@code sendfile} (the block slab's
 *       copy served the digest and the CRC), or, with {@code sendfile} off, header and block in one write from
 *       the block slab. Over loopback sendfile saves no copy (the digest needs the bytes in memory anyway, and
 *       the kernel copies page cache into the socket where write copies the slab) and costs both ends more, so
 *       the client does not use it there ({@link TransferClient#sendfileFor}): 2 GiB, 5 alternating rounds,
 *       2.27 s with sendfile against 1.68 s from the slab, client 2.04 against 1.75 CPU-s and server 1.32
 *       against 1.12. It pays on a NIC with scatter-gather, where the socket side of sendfile copies nothing.
 *       A block under {@link #SENDFILE_MIN_BYTES} goes in one write from the slab even with sendfile on: one
 *       system call instead of two for the small files that make up most of a tree.</li>
 *   <li>ZERO: the header alone.</li>
 *   <li>LZ4: encoded into the next of {@link #LZ4_SLOTS} slabs and sent with {@link ZeroCopySender}, so a slab
 *       is written again only after the kernel let go of it (loopback completes every send as copied, and the
 *       sender switches to plain sends, counted in {@link #stats()}).</li>
 * </ul>
 */
final class FrameSender implements AutoCloseable {
    /** LZ4 frames that may be in flight at once: enough to cover a completion's round trip. */
    static final int LZ4_SLOTS = 4;
    /**
     * Below this a RAW block leaves from the slab it was read into, with its header in one write: {@code sendfile}
     * then costs a second call (the header's) and its page-cache plumbing, which a small copy does not repay.
     */
    static final int SENDFILE_MIN_BYTES = 64 * 1024;
    private static final int H = DataFrameDescriptor.FRAME_HEADER_LENGTH;

    private final DataSocket socket;
    private final boolean sendfile;
    private final boolean rawBlocks;
    /** Whole blocks' encoder when they go raw: all-zero blocks still travel as a header. */
    private final BlockEncoder rawEncoder = new BlockEncoder(CompressMode.OFF);
    private final int completionTimeoutMillis;
    private final BlockEncoder encoder;
    private final CRC32C crc = new CRC32C();
    private final Slab blockSlab;
    private final MemorySegment blockFrame;
    private final ByteBuffer block;
    private final DataFrameFlyweight header;
    private final ZeroCopySender zeroCopy;
    private final Slab deltaSlab;
    private final MemorySegment deltaFrame;
    private final DataFrameFlyweight deltaHeader;
    private final ByteBuffer deltaPayload;
    private final long[] pageMap;
    private final byte[] digestScratch = new byte[16];
    private int lastPages;
    private final EngineRuntime runtime;
    private final int blockSizeBytes;
    /** OLD's block for XOR deltas ({@code --base}): a slab taken at the first such block. */
    private Slab baseSlab;
    private MemorySegment baseBlock;
    private final Slab[] lz4Slabs;
    private final ByteBuffer[] lz4Payloads;
    private final DataFrameFlyweight[] lz4Headers;
    private int nextSlot;

    /**
     * Slabs one stream takes: the block slab, the page-frame slab, OLD's block ({@code --base}: taken at its first
     * use), plus the LZ4 slabs when compression may be used.
     */
    static int slabsPerStream(CompressMode compress) {
        return 3 + (compress == CompressMode.OFF ? 0 : LZ4_SLOTS);
    }

    FrameSender(EngineRuntime runtime, DataSocket socket, CompressMode compress, int blockSize,
                int completionTimeoutMillis) throws IOException {
        this(runtime, socket, compress, false, blockSize, completionTimeoutMillis);
    }

    /** As the full constructor, with {@code sendfile} wherever the I/O path has it. */
    FrameSender(EngineRuntime runtime, DataSocket socket, CompressMode compress, boolean rawBlocks, int blockSize,
                int completionTimeoutMillis) throws IOException {
        this(runtime, socket, compress, rawBlocks, runtime.io().sendfile(), blockSize, completionTimeoutMillis);
    }

    /**
     * @param rawBlocks whole blocks go RAW (or ZERO) whatever {@code compress} says; the pages of refined blocks
     *                  are still compressed when it pays: what {@code --compress auto} does over loopback
     */
    FrameSender(EngineRuntime runtime, DataSocket socket, CompressMode compress, boolean rawBlocks, boolean sendfile,
                int blockSize, int completionTimeoutMillis) throws IOException {
        if (sendfile && !runtime.io().sendfile()) {
            throw new IllegalArgumentException("sendfile=unavailable " + runtime.io().describe());
        }
        this.rawBlocks = rawBlocks;
        this.socket = socket;
        this.runtime = runtime;
        this.blockSizeBytes = blockSize;
        this.sendfile = sendfile;
        this.completionTimeoutMillis = completionTimeoutMillis;
        this.encoder = new BlockEncoder(compress);
        long frameBytes = (long) H + DataFrameDescriptor.maxPayload(blockSize);
        int slots = compress == CompressMode.OFF ? 0 : LZ4_SLOTS;
        this.lz4Slabs = new Slab[slots];
        this.lz4Payloads = new ByteBuffer[slots];
        this.lz4Headers = new DataFrameFlyweight[slots];
        this.blockSlab = runtime.buffer(H + (long) blockSize);
        this.pageMap = new long[PageMapDescriptor.mapWords(blockSize)];
        Slab delta = null;
        try {
            delta = runtime.buffer(H + (long) PageMapDescriptor.maxPayload(blockSize));
            this.blockFrame = blockSlab.segment();
            this.header = new DataFrameFlyweight().wrap(blockFrame.asSlice(0, H).asByteBuffer());
            this.block = blockFrame.asSlice(H, blockSize).asByteBuffer();
            for (int i = 0; i < slots; i++) {
                lz4Slabs[i] = runtime.buffer(frameBytes);
                MemorySegment s = lz4Slabs[i].segment();
                lz4Headers[i] = new DataFrameFlyweight().wrap(s.asSlice(0, H).asByteBuffer());
                lz4Payloads[i] = s.asSlice(H, frameBytes - H).asByteBuffer();
            }
            this.zeroCopy = slots == 0 ? null
                    : runtime.io().zeroCopySender(socket, slots, ZeroCopySender.DEFAULT_THRESHOLD);
        } catch (IOException | RuntimeException e) {
            if (delta != null) {
                delta.release();
            }
            releaseSlabs();
            throw e;
        }
        this.deltaSlab = delta;
        this.deltaFrame = delta.segment();
        this.deltaHeader = new DataFrameFlyweight().wrap(deltaFrame.asSlice(0, H).asByteBuffer());
        this.deltaPayload = deltaFrame.asSlice(H, PageMapDescriptor.maxPayload(blockSize)).asByteBuffer();
    }

    /** Where a block is read to: the block slab after the header room (the block's bytes start at {@link #BLOCK_AT}). */
    MemorySegment blockMemory() {
        return blockFrame;
    }

    /** Offset of the block's bytes in {@link #blockMemory()}. */
    static final long BLOCK_AT = H;

    /**
     * Sends the block now in the block slab ({@code length} bytes of {@code file} at {@code offset}) as one DATA
     * frame; returns the bytes put on the wire.
     *
     * @param source the file the bytes were read from, for {@code sendfile}; the frame carries the CRC of the
     *               bytes read, so bytes changed since then are refused by the receiver and retried
     */
    long send(OutgoingFile f, DataFile source, long offset, int length) throws IOException {
        ByteBuffer b = block.clear().limit(length);
        crc.reset();
        crc.update(b);
        int blockCrc = (int) crc.getValue();
        b.position(0);
        int slot = lz4Slabs.length == 0 || rawBlocks ? -1 : freeSlot();
        BlockEncoder blocks = rawBlocks ? rawEncoder : encoder;
        int wire = blocks.encode(b, slot < 0 ? null : lz4Payloads[slot]);
        Codec codec = blocks.codec();
        switch (codec) {
            case ZERO -> {
                header.encode(Codec.ZERO, f.id, offset, length, 0, blockCrc);
                socket.writeFully(blockFrame, 0, H);
                return H;
            }
            case LZ4 -> {
                lz4Headers[slot].encode(Codec.LZ4, f.id, offset, length, wire, blockCrc);
                zeroCopy.send(lz4Slabs[slot].segment(), 0, H + wire);
                nextSlot = (slot + 1) % lz4Slabs.length;
                return H + wire;
            }
            default -> {
                header.encode(Codec.RAW, f.id, offset, length, length, blockCrc);
                if (sendfile && length >= SENDFILE_MIN_BYTES) {
                    try {
                        socket.writeHeaderAndFile(blockFrame, H, source, offset, length);
                    } catch (FileShrunkException e) {
                        // The frame's header and part of its payload went: the stream is broken, not only the file.
                        throw new DwcpException(ErrorCode.IO, f.shrank(e.offset()).getMessage());
                    }
                } else {
                    socket.writeFully(blockFrame, 0, H + length);
                }
                return H + length;
            }
        }
    }

    /**
     * The CRC32C of the block now in the block slab: what a changed block keeps (with its page digests) while the
     * receiver's page digests are on their way, so it need not be read again whole.
     */
    int blockCrc(int length) {
        crc.reset();
        crc.update(block.clear().limit(length));
        return (int) crc.getValue();
    }

    /**
     * Sends block {@code index} of {@code f} as a page frame: only the pages whose digest ({@code mine[mineAt..]},
     * taken when the block was first read) differs from the receiver's ({@code theirs[at..]}) travel, read from
     * {@code source} now, LZ4-compressed when that pays; {@code blockCrc} is the whole block's CRC32C from that first
     * read (had the source changed since, the receiver's rebuilt block fails it and the block is sent again whole).
     * Returns the bytes put on the wire, or -1 when every page differs (send the block itself: the page map would
     * only add to it). {@link #lastPages} then says how many pages went.
     */
    long sendPages(OutgoingFile f, DataFile source, int index, int length, byte[] theirs, int at, byte[] mine,
                   int mineAt, int blockCrc) throws IOException {
        int pages = PageMapDescriptor.pages(length);
        java.util.Arrays.fill(pageMap, 0);
        int changed = 0;
        for (int p = 0; p < pages; p++) {
            if (!PageDigests.equal(mine, mineAt, theirs, at, p)) {
                PageMapDescriptor.set(pageMap, p);
                changed++;
            }
        }
        if (changed == pages) {
            return -1;
        }
        long cursor = H + PageMapDescriptor.mapBytes(length);
        long base = f.offset(index);
        int first = PageMapDescriptor.nextIn(pageMap, pages, 0);
        while (first < pages) { // runs of changed pages, one read each
            int end = PageMapDescriptor.nextOut(pageMap, pages, first);
            long from = (long) first * PageMapDescriptor.PAGE;
            int n = (int) (Math.min(length, (long) end * PageMapDescriptor.PAGE) - from);
            readFully(f, source, deltaFrame, cursor, n, base + from);
            cursor += n;
            first = PageMapDescriptor.nextIn(pageMap, pages, end);
        }
        lastPages = changed;
        PageMapDescriptor.writeMap(pageMap, length, deltaFrame, H);
        int payload = (int) (cursor - H);
        ByteBuffer pagesPayload = deltaPayload.clear().limit(payload);
        int slot = lz4Slabs.length == 0 ? -1 : freeSlot();
        int wire = slot < 0 ? payload : encoder.encode(pagesPayload, lz4Payloads[slot]);
        byte[] basis = f.basisDigests();
        if (slot >= 0 && encoder.codec() == Codec.LZ4) {
            lz4Headers[slot].encode(Codec.PAGES_LZ4, f.id, base, length, wire, blockCrc, basis, f.basisDigestAt(index));
            zeroCopy.send(lz4Slabs[slot].segment(), 0, H + wire);
            nextSlot = (slot + 1) % lz4Slabs.length;
            return H + wire;
        }
        deltaHeader.encode(Codec.PAGES, f.id, base, length, payload, blockCrc, basis, f.basisDigestAt(index));
        socket.writeFully(deltaFrame, 0, H + payload);
        return H + payload;
    }

    private static void readFully(OutgoingFile f, DataFile source, MemorySegment into, long at, int length,
                                  long position) throws IOException {
        int done = source.readAtMost(into, at, length, position);
        if (done < length) {
            throw f.shrank(position + done);
        }
    }

    /**
     * Sends the block now in the block slab as the XOR of it and OLD's block ({@code base}, read into the base
     * buffer): only pages that differ travel, LZ4-compressed when that pays, naming the receiver's basis block digest
     * (OLD's block digest is checked against it first: {@link #BASE_MISMATCH} when they differ, nothing sent). Returns
     * the bytes put on the wire, or -1 when every page differs (send the block itself). {@link #lastPages} then says
     * how many pages went.
     */
    /** {@link #sendXor}: the receiver's block is not OLD's; nothing was sent. */
    static final long BASE_MISMATCH = -2;

    long sendXor(OutgoingFile f, int index, int length, SenderBasis base) throws IOException {
        if (baseBlock == null) {
            baseSlab = runtime.buffer(blockSizeBytes);
            baseBlock = baseSlab.segment();
        }
        base.read(index, baseBlock, 0);
        // The receiver's block must be OLD's, proven by digest before a delta against it goes out.
        BlockDigests.digest(baseBlock, 0, length, digestScratch, 0);
        if (!BlockDigests.equalAt(digestScratch, 0, f.basisDigests(), index)) {
            return BASE_MISMATCH;
        }
        int pages = PageMapDescriptor.pages(length);
        long mapBytes = PageMapDescriptor.mapBytes(length);
        long written = DeltaKernels.get().encode(baseBlock, 0, blockFrame, H, length, deltaFrame, H + mapBytes, pageMap);
        int changed = 0;
        for (int w = 0; w < PageMapDescriptor.mapWords(length); w++) {
            changed += Long.bitCount(pageMap[w]);
        }
        if (changed == pages) {
            return -1;
        }
        lastPages = changed;
        PageMapDescriptor.writeMap(pageMap, length, deltaFrame, H);
        crc.reset();
        crc.update(block.clear().limit(length));
        int blockCrc = (int) crc.getValue();
        int payload = (int) (mapBytes + written);
        ByteBuffer xorPayload = deltaPayload.clear().limit(payload);
        int slot = lz4Slabs.length == 0 ? -1 : freeSlot();
        int wire = slot < 0 ? payload : encoder.encode(xorPayload, lz4Payloads[slot]);
        byte[] basis = f.basisDigests();
        if (slot >= 0 && encoder.codec() == Codec.LZ4) {
            lz4Headers[slot].encode(Codec.XOR_LZ4, f.id, f.offset(index), length, wire, blockCrc, basis,
                    f.basisDigestAt(index));
            zeroCopy.send(lz4Slabs[slot].segment(), 0, H + wire);
            nextSlot = (slot + 1) % lz4Slabs.length;
            return H + wire;
        }
        deltaHeader.encode(Codec.XOR, f.id, f.offset(index), length, payload, blockCrc, basis, f.basisDigestAt(index));
        socket.writeFully(deltaFrame, 0, H + payload);
        return H + payload;
    }

    int blockSize() {
        return blockSizeBytes;
    }

    /** Pages the last {@link #sendPages} or {@link #sendXor} sent. */
    int lastPages() {
        return lastPages;
    }

    /**
     * The LZ4 slot to encode into next, once the kernel is done with it: slots are used in send order and
     * reclaimed in send order, so fewer than {@link #LZ4_SLOTS} in flight means the next slot is free.
     */
    private int freeSlot() throws IOException {
        while (zeroCopy.reclaim() != null) {
            // reap what completed; cheap when nothing did
        }
        while (zeroCopy.inFlight() >= lz4Slabs.length) {
            if (zeroCopy.awaitReclaim(completionTimeoutMillis) == null) {
                throw new IOException("reason=zerocopy-completion-timeout in_flight=" + zeroCopy.inFlight()
                        + " waited_ms=" + completionTimeoutMillis);
            }
        }
        return nextSlot;
    }

    ZeroCopyStats stats() {
        return zeroCopy == null ? new ZeroCopyStats(0, 0, 0, 0) : zeroCopy.stats();
    }

    /**
     * Waits (bounded) for the kernel to let go of every LZ4 slab, then gives the slabs back. When the socket
     * died first nothing completes any more; its buffers are freed with it, so the slabs are released anyway.
     */
    @Override
    public void close() {
        try {
            while (zeroCopy != null && zeroCopy.inFlight() > 0
                    && zeroCopy.awaitReclaim(Math.min(completionTimeoutMillis, 1000)) != null) {
                // drain
            }
        } catch (IOException ignored) {
            // socket gone: see above
        }
        releaseSlabs();
    }

    private void releaseSlabs() {
        if (blockSlab != null) {
            blockSlab.release();
        }
        if (deltaSlab != null) {
            deltaSlab.release();
        }
        if (baseSlab != null) {
            baseSlab.release();
        }
        for (Slab s : lz4Slabs) {
            if (s != null) {
                s.release();
            }
        }
    }
}
