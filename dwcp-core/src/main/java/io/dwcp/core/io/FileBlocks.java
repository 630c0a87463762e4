package io.dwcp.core.io;

import io.dwcp.core.digest.BlockDigests;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Fixed-size block arithmetic and positional block I/O shared by sender and receiver. */
public final class FileBlocks {
    private FileBlocks() {
    }

    public static int blockCount(long size, int blockSize) {
        long n = (size + blockSize - 1) / blockSize;
        if (n > Integer.MAX_VALUE / BlockDigests.DIGEST_LENGTH) {
            throw new IllegalArgumentException("size=" + size + " block_size=" + blockSize + " reason=too-many-blocks");
        }
        return (int) n;
    }

    /** Length of block {@code index} of a file of {@code size} bytes. */
    public static int blockLength(long size, int blockSize, int index) {
        return (int) Math.min(blockSize, size - (long) index * blockSize);
    }

    /** Reads exactly {@code length} bytes at {@code offset} into {@code buf} (cleared), flipped for reading. */
    public static void readBlock(FileChannel ch, long offset, ByteBuffer buf, int length) throws IOException {
        buf.clear().limit(length);
        long pos = offset;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new EOFException("reason=file-shrank offset=" + pos);
            }
            pos += n;
        }
        buf.flip();
    }

    /** Writes all of {@code buf} at {@code offset}. */
    public static void writeBlock(FileChannel ch, long offset, ByteBuffer buf) throws IOException {
        long pos = offset;
        while (buf.hasRemaining()) {
            pos += ch.write(buf, pos);
        }
    }

    /**
     * Block digests of the whole file as it is now, one pass, read through {@code scratch} (at least one block;
     * the caller owns it, so digesting a tree of files allocates no buffer per file). {@code onBlock} runs after
     * each block: a long digest is activity, not idleness.
     */
    public static byte[] digestAll(Path file, long size, int blockSize, ByteBuffer scratch, Runnable onBlock)
            throws IOException {
        if (scratch.capacity() < blockSize) {
            throw new IllegalArgumentException("scratch=" + scratch.capacity() + " block_size=" + blockSize);
        }
        int n = blockCount(size, blockSize);
        byte[] digests = new byte[n * BlockDigests.DIGEST_LENGTH];
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < n; i++) {
                readBlock(ch, (long) i * blockSize, scratch, blockLength(size, blockSize, i));
                BlockDigests.digest(scratch, digests, i);
                onBlock.run();
            }
        }
        return digests;
    }
}
