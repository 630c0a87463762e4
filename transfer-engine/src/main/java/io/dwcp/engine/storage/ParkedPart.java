package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileStat;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A complete part file closed until its FILE_END to spare a file descriptor ({@link IncomingFile#openPartsLimit()}):
 * what it was, so that opening it again finds the same file with the same bytes. An inode number alone could be
 * reused by a file swapped in meanwhile, so every block is also read back against the digest taken as it landed.
 */
final class ParkedPart {
    private final long inode;
    private final long device;

    ParkedPart(FileStat s) {
        this.inode = s.inode();
        this.device = s.device();
    }

    /**
     * The part file at {@code partPath} again, or a VERIFY error ({@code reason=part-file-replaced}) when it is not
     * the parked one.
     *
     * @param digests each block's digest, {@link BlockDigests#DIGEST_LENGTH} bytes per block, as it landed
     */
    DataFile reopen(StorageRoot root, String partPath, int mode, String shown, long size, int blockSize,
                    byte[] digests) throws DwcpException {
        DataFile f = root.openPart(partPath, mode, shown);
        boolean same;
        try (Arena arena = Arena.ofConfined()) {
            FileStat s = f.stat();
            same = s.inode() == inode && s.device() == device;
            MemorySegment buf = arena.allocate(Math.max(1, Math.min(blockSize, size)));
            byte[] digest = new byte[BlockDigests.DIGEST_LENGTH];
            int blocks = FileBlocks.blockCount(size, blockSize);
            for (int i = 0; same && i < blocks; i++) {
                int length = FileBlocks.blockLength(size, blockSize, i);
                buf.fill((byte) 0); // a ZERO block at the end was left a hole past the end of the file
                f.readAtMost(buf, 0, length, (long) i * blockSize);
                BlockDigests.digest(buf, 0, length, digest, 0);
                same = BlockDigests.equalAt(digest, 0, digests, i);
            }
        } catch (IOException e) {
            closeQuietly(f);
            throw new DwcpException(ErrorCode.IO, "path=\"" + shown + "\" reason=part-reopen-failed detail=\""
                    + e.getMessage() + "\"");
        }
        if (same) {
            return f;
        }
        closeQuietly(f);
        throw new DwcpException(ErrorCode.VERIFY, "path=\"" + shown + "\" reason=part-file-replaced");
    }

    private static void closeQuietly(DataFile f) {
        try {
            f.close();
        } catch (IOException ignored) {
            // refusing it anyway
        }
    }
}
