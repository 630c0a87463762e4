package io.dwcp.zerocopy;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * An open file with positional I/O over off-heap memory. The native implementation is a raw fd (from
 * {@link ConfinedRoot} or {@code IoPaths.openRead}), which is what {@code sendfile}/{@code splice} need; the
 * portable one wraps a {@code FileChannel}. Positions are 64-bit everywhere.
 */
public interface DataFile extends Closeable {
    /** How {@link #copyFrom} moved the bytes, best first. */
    enum CopyKind {
        /** Reflinked: the file system shares the source's extents (XFS, Btrfs); no data was read or written. */
        CLONE,
        /** Copied inside the kernel ({@code copy_file_range}; on NFS or SMB a server-side copy). */
        KERNEL_COPY,
        /** Read into user memory and written out again, through a bounded buffer. */
        USER_COPY
    }

    /** Reads up to {@code len} bytes at {@code position}; -1 at or beyond end of file. */
    int read(MemorySegment dst, long off, int len, long position) throws IOException;

    /**
     * Reads {@code len} bytes at {@code position} into {@code dst[off..]}, or as many as there are before the end of
     * the file; returns how many (fewer than {@code len} only at the end of the file).
     */
    default int readAtMost(MemorySegment dst, long off, int len, long position) throws IOException {
        int done = 0;
        while (done < len) {
            int n = read(dst, off + done, len - done, position + done);
            if (n <= 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** Writes up to {@code len} bytes at {@code position}; returns how many. */
    int write(MemorySegment src, long off, int len, long position) throws IOException;

    /** Writes exactly {@code len} bytes at {@code position} (ENOSPC and the like throw). */
    void writeFully(MemorySegment src, long off, long len, long position) throws IOException;

    long size() throws IOException;

    /**
     * Asks the kernel to start reading {@code [position, position + length)} into the page cache now, without waiting
     * for it ({@code POSIX_FADV_WILLNEED}): a file about to be read through is then read ahead of the reader, not one
     * request at a time. Only a hint: does nothing where it is not supported.
     */
    void willNeed(long position, long length) throws IOException;

    /** Sets the length (shrinks or extends with a hole). */
    void truncate(long size) throws IOException;

    /**
     * Reserves disk space for {@code [position, position+length)} (fallocate); with {@code keepSize} the
     * visible size is unchanged. False when the file system cannot (EOPNOTSUPP): then nothing is reserved.
     */
    boolean reserve(long position, long length, boolean keepSize) throws IOException;

    /** fsync ({@code metadata}) or fdatasync. */
    void force(boolean metadata) throws IOException;

    FileStat stat() throws IOException;

    void chmod(int mode) throws IOException;

    /** Sets owner and group (-1 leaves one as it is). */
    void chown(int uid, int gid) throws IOException;

    /** Sets access and modification times, in nanoseconds since the epoch. */
    void setTimes(long atimeNanos, long mtimeNanos) throws IOException;

    /**
     * Runs {@code use} on the file's extended attributes, through this open file; their call buffers live for that
     * call only, freed when it returns.
     */
    <T> T withXattrs(ExtendedAttributes.Use<T> use) throws IOException;

    /**
     * Maps {@code [position, position+length)} shared; a writable map of a shorter file extends it first
     * (touching a mapped page beyond EOF would be SIGBUS). Close the region to unmap.
     */
    MappedRegion map(long position, long length, boolean writable) throws IOException;

    /**
     * Makes {@code [0, length)} of this file equal to {@code [0, length)} of {@code source}: a reflink clone
     * ({@code ioctl FICLONE}, or {@code FICLONERANGE} for part of the source) where the file system shares extents,
     * else {@code copy_file_range}, else a read/write loop through a bounded buffer. This file is expected new or
     * empty. Holes in the source stay holes where the native path can see them ({@code SEEK_DATA}) and this file
     * is empty; the size becomes the copied length either way. A source shorter than {@code length} is copied
     * as far as it goes (the caller compares digests); errors throw, nothing is left half-done silently.
     *
     * <p>The result is {@link CopyKind#CLONE} when the range was shared but for a tail shorter than a block,
     * else {@link CopyKind#USER_COPY} when any byte passed through user memory, else
     * {@link CopyKind#KERNEL_COPY}. The portable path always says {@code USER_COPY}: the JDK tries
     * {@code copy_file_range} inside {@code transferTo} but does not tell whether it fell back.
     *
     * @throws IllegalArgumentException for a negative length or this file as its own source
     */
    CopyKind copyFrom(DataFile source, long length) throws IOException;

    /**
     * Shares {@code [0, length)} of {@code source} by reflink only, and says whether it did: a file system without
     * shared extents (tmpfs, ext4) returns false at once, having done nothing, so the caller can choose another way
     * than a whole copy. A tail shorter than a block may be copied.
     */
    boolean cloneFrom(DataFile source, long length) throws IOException;

    /**
     * Copies {@code [position, position + length)} of {@code source} to the same place in this file, in the kernel
     * where it can ({@code copy_file_range}, skipping the source's holes), else through a bounded buffer. A source
     * that ends early is copied as far as it goes.
     */
    CopyKind copyRange(DataFile source, long position, long length) throws IOException;

    /** The fd, or -1 on the portable path. */
    int fd();
}
