package io.dwcp.cli.send;

import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file being sent: its plan, the digests of the blocks read so far, and how many blocks have been
 * handled (sent or found unchanged). The last stream to handle a block composes the whole-file digest.
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

    synchronized FileChannel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            channel = FileChannel.open(source, StandardOpenOption.READ);
        }
        return channel;
    }

    synchronized void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only file
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
