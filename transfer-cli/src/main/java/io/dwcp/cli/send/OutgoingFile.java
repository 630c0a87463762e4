package io.dwcp.cli.send;

import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file being sent: its plan, the digests of the blocks read so far, and how many blocks have been
 * handled (sent or found unchanged). The last stream to handle a block composes the whole-file digest.
 *
 * <p>The file is memory-mapped read-only: blocks are digested, checked and written to the socket straight
 * from the page cache, so the sender makes no copy of its own. The mapping lives in a shared arena, closed
 * when the last block has been handled (and mapped again if the receiver asks for a block once more).
 */
final class OutgoingFile {
    final int id;
    final Entry entry;
    final Path source;
    final int blockSize;
    final int blockCount;
    final byte[] digests;
    private final byte[] basisDigests;
    private final long basisSize;
    private final AtomicInteger handled = new AtomicInteger();
    private final AtomicInteger sent = new AtomicInteger();
    private Arena arena;
    private MemorySegment mapped;
    private int users;
    private boolean retired;

    OutgoingFile(int id, Entry entry, Path source, int blockSize, Message.FilePlan plan) {
        this.id = id;
        this.entry = entry;
        this.source = source;
        this.blockSize = blockSize;
        this.blockCount = FileBlocks.blockCount(entry.size(), blockSize);
        this.digests = new byte[blockCount * BlockDigests.DIGEST_LENGTH];
        boolean basis = plan.action() == Message.FilePlan.BASIS;
        this.basisDigests = basis ? plan.blockDigests() : null;
        this.basisSize = basis ? plan.basisSize() : 0;
    }

    long offset(int block) {
        return (long) block * blockSize;
    }

    int length(int block) {
        return FileBlocks.blockLength(entry.size(), blockSize, block);
    }

    /** True when the receiver's basis has this block with the same length and digest. */
    boolean unchanged(int block) {
        return basisDigests != null
                && offset(block) < basisSize
                && FileBlocks.blockLength(basisSize, blockSize, block) == length(block)
                && (block + 1) * BlockDigests.DIGEST_LENGTH <= basisDigests.length
                && BlockDigests.equalAt(digests, block, basisDigests, block);
    }

    /**
     * A view of block {@code index} in the mapped file; the caller must {@link #release()} it when done, so
     * that the mapping is not unmapped under a reader.
     */
    synchronized ByteBuffer block(int index) throws IOException {
        ByteBuffer b = mapping().asSlice(offset(index), length(index)).asByteBuffer();
        users++;
        return b;
    }

    synchronized void release() {
        if (--users == 0 && retired) {
            unmap();
        }
    }

    private MemorySegment mapping() throws IOException {
        if (mapped == null) {
            try (FileChannel ch = FileChannel.open(source, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size != entry.size()) {
                    throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=source-changed-size was="
                            + entry.size() + " now=" + size);
                }
                Arena a = Arena.ofShared();
                try {
                    mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, a);
                } catch (IOException | RuntimeException e) {
                    a.close();
                    throw e;
                }
                arena = a;
                retired = false;
            }
        }
        return mapped;
    }

    /** No more blocks are due (a late retry maps the file again); unmaps once no reader holds a view. */
    synchronized void retire() {
        retired = true;
        if (users == 0) {
            unmap();
        }
    }

    private void unmap() {
        if (arena != null) {
            arena.close();
            arena = null;
            mapped = null;
        }
    }

    /** Records a handled block; returns true for the call that handled the file's last block. */
    boolean handled(boolean wasSent) {
        if (wasSent) {
            sent.incrementAndGet();
        }
        return handled.incrementAndGet() == blockCount;
    }

    int sentBlocks() {
        return sent.get();
    }

    byte[] fileDigest() {
        return BlockDigests.fileDigest(digests, blockCount, entry.size());
    }
}
