package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.io.FileBlocks;
import io.dwcp.core.manifest.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file being received. Blocks arrive on any data stream, in any order; each is written at its offset
 * into {@code NAME.dwcp-part} and digested. The file reaches its final name only when the sender's block
 * count has arrived and the whole-file digest recomputed from the received (and, for unchanged blocks, the
 * basis) block digests equals the sender's.
 */
public final class IncomingFile {
    public static final String PART_SUFFIX = io.dwcp.core.manifest.RelativePaths.PART_SUFFIX;

    public enum State { RECEIVING, DONE, FAILED }

    private final int id;
    private final Entry entry;
    private final Path finalPath;
    private final Path partPath;
    private final int blockSize;
    private final int blockCount;
    private final byte[] digests;
    private final AtomicLongArray received;
    private final AtomicInteger receivedCount = new AtomicInteger();
    private final byte[] basisDigests;
    private final long basisSize;
    /** The part file starts empty (no basis to copy), so whatever is not written reads as zeros. */
    private final boolean freshPart;

    private final Object lock = new Object();
    private volatile FileChannel channel;
    private long expectedBlocks = -1;
    private byte[] expectedDigest;
    private State state = State.RECEIVING;
    private boolean identical;

    /**
     * @param basisDigests block digests of the file now at {@code finalPath}, or null when there is none
     */
    public IncomingFile(int id, Entry entry, Path finalPath, int blockSize, byte[] basisDigests, long basisSize) {
        this.id = id;
        this.entry = entry;
        this.finalPath = finalPath;
        this.partPath = finalPath.resolveSibling(finalPath.getFileName() + PART_SUFFIX);
        this.blockSize = blockSize;
        this.blockCount = FileBlocks.blockCount(entry.size(), blockSize);
        this.digests = new byte[blockCount * BlockDigests.DIGEST_LENGTH];
        this.received = new AtomicLongArray((blockCount + 63) / 64);
        this.basisDigests = basisDigests;
        this.basisSize = basisSize;
        this.freshPart = basisDigests == null || basisSize == 0;
    }

    public int id() {
        return id;
    }

    public Entry entry() {
        return entry;
    }

    public Path partPath() {
        return partPath;
    }

    /** True when the file was already in place byte for byte and nothing had to be written. */
    /** True when the root had no file here: every block of it takes new space. */
    public boolean isNew() {
        return basisDigests == null;
    }

    public boolean identical() {
        synchronized (lock) {
            return identical;
        }
    }

    public State state() {
        synchronized (lock) {
            return state;
        }
    }

    /**
     * Checks that a block of {@code length} bytes at {@code offset} is one of this file's blocks, exactly;
     * returns its index. Called before the payload is read, and again when it is stored.
     */
    public int check(long offset, int length) throws DwcpException {
        long index = offset / blockSize;
        if (offset < 0 || offset % blockSize != 0 || index >= blockCount) {
            throw DwcpException.protocol("frame=data reason=offset-beyond-file file=" + id + " offset=" + offset
                    + " size=" + entry.size());
        }
        int want = FileBlocks.blockLength(entry.size(), blockSize, (int) index);
        if (length != want) {
            throw DwcpException.protocol("frame=data reason=wrong-block-length file=" + id + " offset=" + offset
                    + " length=" + length + " want=" + want);
        }
        return (int) index;
    }

    /**
     * Stores one verified (CRC-checked) block. Returns true when this call completed the file's data, so the
     * caller should try {@link #finish()}.
     *
     * @param allZero the block arrived as ZERO (all zero bytes): in a fresh part file it is left a hole, so a
     *                sparse file stays sparse and its holes cost no writes
     */
    public boolean accept(long offset, ByteBuffer block, boolean allZero) throws DwcpException {
        int i = check(offset, block.remaining());
        FileChannel ch = openChannel();
        // Digest first: the write consumes the buffer's position, the digest reads it without moving it.
        BlockDigests.digest(block, digests, i);
        if (!(allZero && freshPart)) {
            try {
                FileBlocks.writeBlock(ch, offset, block);
            } catch (IOException e) {
                throw writeFailed(e);
            }
        }
        if (!markReceived(i)) {
            return false;
        }
        int count = receivedCount.incrementAndGet();
        synchronized (lock) {
            return expectedBlocks >= 0 && count == expectedBlocks;
        }
    }

    /** Sets block {@code i}'s bit; false when it was already set (a block sent twice counts once). */
    private boolean markReceived(int i) {
        int word = i >>> 6;
        long bit = 1L << (i & 63);
        while (true) {
            long w = received.get(word);
            if ((w & bit) != 0) {
                return false;
            }
            if (received.compareAndSet(word, w, w | bit)) {
                return true;
            }
        }
    }

    /** Records the sender's FILE_END; returns true when all its blocks are already here. */
    public boolean expect(long blocksSent, byte[] digest) throws DwcpException {
        if (blocksSent < 0 || blocksSent > blockCount) {
            throw DwcpException.protocol("frame=file_end reason=bad-block-count file=" + id + " blocks=" + blocksSent
                    + " max=" + blockCount);
        }
        synchronized (lock) {
            if (expectedBlocks >= 0) {
                throw DwcpException.protocol("frame=file_end reason=duplicate file=" + id);
            }
            expectedBlocks = blocksSent;
            expectedDigest = digest;
            return receivedCount.get() == expectedBlocks;
        }
    }

    /**
     * Verifies the whole-file digest and, on a match, applies mode and mtime and renames the part file into
     * place. Only the first caller does the work and gets true (or the exception); later callers get false.
     * On a mismatch the part file is removed.
     */
    public boolean finish() throws DwcpException {
        synchronized (lock) {
            if (state != State.RECEIVING) {
                return false;
            }
            try {
                byte[] composed = new byte[digests.length];
                boolean anyWritten = false;
                for (int i = 0; i < blockCount; i++) {
                    if ((received.get(i >>> 6) & (1L << (i & 63))) != 0) {
                        System.arraycopy(digests, i * 16, composed, i * 16, 16);
                        anyWritten = true;
                    } else if (basisDigests != null && (long) i * blockSize < basisSize
                            && FileBlocks.blockLength(basisSize, blockSize, i) == FileBlocks.blockLength(entry.size(), blockSize, i)) {
                        System.arraycopy(basisDigests, i * 16, composed, i * 16, 16);
                    } else {
                        throw new DwcpException(ErrorCode.VERIFY, "path=\"" + entry.path() + "\" reason=missing-block index=" + i);
                    }
                }
                byte[] fileDigest = BlockDigests.fileDigest(composed, blockCount, entry.size());
                if (!java.util.Arrays.equals(fileDigest, expectedDigest)) {
                    throw new DwcpException(ErrorCode.VERIFY, "path=\"" + entry.path() + "\" reason=digest-mismatch got="
                            + BlockDigests.hex(fileDigest) + " want=" + BlockDigests.hex(expectedDigest));
                }
                if (!anyWritten && basisDigests != null && basisSize == entry.size()) {
                    identical = true;
                    applyMetadata(finalPath);
                } else {
                    openChannel();
                    long size = entry.size();
                    if (channel.size() > size) {
                        channel.truncate(size); // a longer basis
                    } else if (channel.size() < size) {
                        channel.write(ByteBuffer.allocate(1), size - 1); // ends in a hole: set the length
                    }
                    channel.close();
                    channel = null;
                    applyMetadata(partPath);
                    Files.move(partPath, finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
                state = State.DONE;
                return true;
            } catch (DwcpException e) {
                fail();
                throw e;
            } catch (IOException e) {
                fail();
                throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=finish-failed detail=" + e.getMessage());
            }
        }
    }

    /** Abandons the file: closes and removes the part file. Nothing under the final name is touched. */
    public void fail() {
        synchronized (lock) {
            if (state == State.DONE) {
                return;
            }
            state = State.FAILED;
            closeQuietly();
            try {
                Files.deleteIfExists(partPath);
            } catch (IOException ignored) {
                // best effort: a stale part file is harmless and overwritten by the next attempt
            }
        }
    }

    /**
     * A new, empty part file. A leftover one (or anything else under the reserved name, a planted link too) is
     * ours to replace; that is rare, so the common case costs one open and no exception.
     */
    private FileChannel createPart() throws IOException {
        try {
            return FileChannel.open(partPath, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.FileAlreadyExistsException leftover) {
            Files.deleteIfExists(partPath);
            return FileChannel.open(partPath, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW,
                    LinkOption.NOFOLLOW_LINKS);
        }
    }

    /**
     * A write that failed because the file was finished or abandoned meanwhile (its channel closed under the
     * writer) says so; anything else is a real write failure.
     */
    private DwcpException writeFailed(IOException e) {
        synchronized (lock) {
            if (state != State.RECEIVING) {
                return notReceiving();
            }
        }
        return new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=write-failed detail=" + e);
    }

    private DwcpException notReceiving() {
        return new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=file-"
                + state.name().toLowerCase(java.util.Locale.ROOT));
    }

    private FileChannel openChannel() throws DwcpException {
        FileChannel ch = channel;
        if (ch != null && ch.isOpen()) {
            return ch;
        }
        synchronized (lock) {
            if (state != State.RECEIVING) {
                throw notReceiving();
            }
            if (channel == null) {
                try {
                    if (!freshPart) {
                        // Unchanged blocks come from the basis: start the part file as a copy of the part of it
                        // the new file can use (transferTo between files is copy_file_range on Linux: an in-kernel
                        // copy, a reflink where the file system can).
                        FileChannel part = createPart();
                        try (FileChannel basis = FileChannel.open(finalPath, StandardOpenOption.READ,
                                LinkOption.NOFOLLOW_LINKS)) {
                            long want = Math.min(basisSize, entry.size());
                            long done = 0;
                            while (done < want) {
                                long n = basis.transferTo(done, want - done, part);
                                if (n <= 0) {
                                    break; // the basis shrank: blocks past it are sent, the digest decides
                                }
                                done += n;
                            }
                        } catch (IOException e) {
                            part.close();
                            throw e;
                        }
                        channel = part;
                    } else {
                        channel = createPart();
                    }
                } catch (IOException e) {
                    throw new DwcpException(ErrorCode.IO, "path=\"" + entry.path() + "\" reason=open-failed detail=" + e.getMessage());
                }
            }
            return channel;
        }
    }

    private void applyMetadata(Path p) throws IOException {
        Files.setPosixFilePermissions(p, permissions(entry.mode()));
        Files.setLastModifiedTime(p, FileTime.fromMillis(entry.mtimeMillis()));
    }

    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int b = 0; b < 9; b++) {
            if ((mode & (1 << b)) != 0) {
                s.add(order[b]);
            }
        }
        return s;
    }

    private void closeQuietly() {
        FileChannel ch = channel;
        channel = null;
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing a file we are abandoning
            }
        }
    }
}
