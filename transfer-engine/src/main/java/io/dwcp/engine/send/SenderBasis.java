package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.message.Message;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.select.IoPaths;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * The old version of a file the sender holds ({@code send --base OLD NEW}): when the receiver's copy is OLD, each
 * changed block goes as the XOR of its new and old bytes, only the pages that differ, with no round trip. Whether the
 * receiver's copy is OLD is decided by digest before anything is applied: each OLD block read for a delta must have
 * the digest the receiver planned with; the first that does not ends the deltas for that file, which is then refined
 * against the receiver's copy instead.
 */
final class SenderBasis implements AutoCloseable {
    private final Path path;
    private final DataFile file;
    private final long size;
    private final int blockSize;

    private SenderBasis(Path path, DataFile file, long size, int blockSize) {
        this.path = path;
        this.file = file;
        this.size = size;
        this.blockSize = blockSize;
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

    /**
     * True when the receiver's basis (a BASIS plan line) may be OLD: the same size, not a resumed part file. Whether it
     * is, block by block, is proven by digest before each delta goes out ({@link FrameSender#sendXor}).
     */
    boolean mayBeReceiverBasis(Message.FilePlan plan) {
        return plan.action() == Message.FilePlan.BASIS && plan.basisSize() == size
                && (plan.changes() & Message.FilePlan.RESUMED) == 0;
    }

    /** True when OLD has block {@code index} with {@code length} bytes (the XOR needs both blocks whole). */
    boolean has(int index, int length) {
        return (long) index * blockSize < size && FileBlocks.blockLength(size, blockSize, index) == length;
    }

    /** Reads OLD's block {@code index} into {@code into[at..]}; returns its length. */
    int read(int index, MemorySegment into, long at) throws IOException {
        int length = FileBlocks.blockLength(size, blockSize, index);
        long position = (long) index * blockSize;
        int done = file.readAtMost(into, at, length, position);
        if (done < length) {
            throw new DwcpException(ErrorCode.IO, "base=\"" + path + "\" reason=changed-while-read offset="
                    + (position + done));
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
