package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.digest.Xxh3;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.message.Message;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.select.IoPaths;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The old version of a file the sender holds ({@code send --base OLD NEW}): when the receiver's copy is OLD, each
 * changed block goes as the XOR of its new and old bytes, only the pages that differ, with no round trip. Whether the
 * receiver's copy is OLD is decided by digest before anything is applied: OLD's block digests, computed in the
 * background from the start, must equal the ones the receiver planned with, block for block.
 */
final class SenderBasis implements AutoCloseable {
    private final Path path;
    private final DataFile file;
    private final long size;
    private final int blockSize;
    private final CompletableFuture<byte[]> digests;

    private SenderBasis(Path path, DataFile file, long size, int blockSize) {
        this.path = path;
        this.file = file;
        this.size = size;
        this.blockSize = blockSize;
        this.digests = CompletableFuture.supplyAsync(this::digestAll, r -> Thread.ofPlatform().daemon()
                .name("dwcp-base-digest").start(r));
    }

    /** Opens OLD and starts digesting it. */
    static SenderBasis open(Path path, int blockSize, IoPaths io) throws DwcpException {
        try {
            DataFile f = io.openRead(path);
            try {
                return new SenderBasis(path, f, f.size(), blockSize);
            } catch (IOException | RuntimeException e) {
                f.close();
                throw e;
            }
        } catch (IOException e) {
            throw new DwcpException(ErrorCode.IO, "base=\"" + path + "\" reason=unreadable detail=\"" + e.getMessage()
                    + "\"");
        }
    }

    private byte[] digestAll() {
        int n = FileBlocks.blockCount(size, blockSize);
        byte[] out = new byte[n * BlockDigests.DIGEST_LENGTH];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(blockSize, 4096);
            for (int i = 0; i < n; i++) {
                int length = read(i, buf, 0);
                Xxh3.hash128(buf, 0, length, out, i * BlockDigests.DIGEST_LENGTH);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /**
     * True when the receiver's basis (a BASIS plan line) is OLD: the same size and every block digest the same.
     * Waits for OLD's digests (computed while the receiver computed its own).
     */
    boolean isReceiverBasis(Message.FilePlan plan) throws DwcpException {
        if (plan.action() != Message.FilePlan.BASIS || plan.basisSize() != size
                || (plan.changes() & Message.FilePlan.RESUMED) != 0) {
            return false;
        }
        byte[] mine;
        try {
            mine = digests.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DwcpException(ErrorCode.IO, "base=\"" + path + "\" reason=interrupted");
        } catch (ExecutionException e) {
            throw new DwcpException(ErrorCode.IO, "base=\"" + path + "\" reason=unreadable detail=\""
                    + e.getCause().getMessage() + "\"");
        }
        return java.util.Arrays.equals(mine, plan.blockDigests());
    }

    /** True when OLD has block {@code index} with {@code length} bytes (the XOR needs both blocks whole). */
    boolean has(int index, int length) {
        return (long) index * blockSize < size && FileBlocks.blockLength(size, blockSize, index) == length;
    }

    /** Reads OLD's block {@code index} into {@code into[at..]}; returns its length. */
    int read(int index, MemorySegment into, long at) throws IOException {
        int length = FileBlocks.blockLength(size, blockSize, index);
        long position = (long) index * blockSize;
        int done = 0;
        while (done < length) {
            int n = file.read(into, at + done, length - done, position + done);
            if (n < 0) {
                throw new DwcpException(ErrorCode.IO, "base=\"" + path + "\" reason=changed-while-read offset="
                        + (position + done));
            }
            done += n;
        }
        return length;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException ignored) {
            // read-only
        }
    }
}
