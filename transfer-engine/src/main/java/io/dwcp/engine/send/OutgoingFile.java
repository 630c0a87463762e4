package io.dwcp.engine.send;

import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file being sent: its plan, the digests of the blocks read so far, and how many blocks have been
 * handled (sent or found unchanged). The last stream to handle a block composes the whole-file digest.
 *
 * <p>The file stays open while blocks are due; each stream reads its blocks into its own buffer
 * ({@link #read}). It is closed when the last block has been handled, and opened again if the receiver asks
 * for a block once more.
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
    private FileChannel channel;
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
     * Reads block {@code index} into {@code into} (cleared first, flipped on return) with positional reads.
     *
     * <p>Read, not mapped: the block is then digested, checked and written to the socket from memory this
     * thread has just filled, and a file that shrinks under the transfer is a clean error instead of a fault on
     * a mapping. Measured against a read-only mapping (2 GiB over loopback, 6 alternating pairs): about 0.1
     * CPU-s less for the sender and 4% less time; the copy costs less than the page faults and TLB misses of
     * reading a fresh mapping.
     */
    ByteBuffer read(int index, ByteBuffer into) throws IOException {
        FileChannel ch = acquire();
        try {
            into.clear().limit(length(index));
            long position = offset(index);
            while (into.hasRemaining()) {
                if (ch.read(into, position + into.position()) < 0) {
                    throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path()
                            + "\" reason=source-changed-during-transfer detail=shrank offset=" + (position + into.position()));
                }
            }
            return into.flip();
        } finally {
            release();
        }
    }

    /** Opens the file on first use (and again for a retry after {@link #retire()}); counts the reader. */
    private synchronized FileChannel acquire() throws IOException {
        if (channel == null) {
            FileChannel ch = FileChannel.open(source, StandardOpenOption.READ);
            long size;
            try {
                size = ch.size();
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            if (size != entry.size()) {
                ch.close();
                throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=source-changed-size was="
                        + entry.size() + " now=" + size);
            }
            channel = ch;
            retired = false;
        }
        users++;
        return channel;
    }

    private synchronized void release() {
        if (--users == 0 && retired) {
            close();
        }
    }

    /** No more blocks are due (a late retry opens the file again); closes once no reader is inside. */
    synchronized void retire() {
        retired = true;
        if (users == 0) {
            close();
        }
    }

    private void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // opened read-only: nothing to flush, nothing lost
            }
            channel = null;
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
