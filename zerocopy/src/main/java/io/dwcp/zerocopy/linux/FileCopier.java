package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.DataFile.CopyKind;
import io.dwcp.zerocopy.FileStat;
import io.dwcp.zerocopy.UserCopy;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One {@link NativeFile#copyFrom} between two fds, best way first: a reflink clone; else {@code copy_file_range}
 * over the source's data extents ({@code SEEK_DATA}/{@code SEEK_HOLE}, so a hole stays a hole when the target is
 * empty there), else the user loop for what is left. Each step falls back only on the errnos that mean "not
 * here" (another file system, no support); anything else throws. Nothing is remembered between calls: a failed
 * clone or copy attempt costs one syscall, and the next copy may be on another file system.
 *
 * <p>The call's structures (the clone range, the two offsets, the user buffer when needed) live in one confined
 * arena for the whole copy: nothing is allocated per extent or block. The caller holds both fds open.
 */
final class FileCopier implements AutoCloseable {
    /** Whether the kernel calls can be made at all; else the user loop does everything. */
    private static final boolean LINKED = LinuxFileCopy.linked();
    /** Per copy_file_range call: the kernel caps a call near 2 GiB anyway (MAX_RW_COUNT). */
    private static final long MAX_CHUNK = NativeDataSocket.MAX_CHUNK;

    private final NativeFile source;
    private final NativeFile target;
    private final int srcFd;
    private final int dstFd;
    private final String detail;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment offIn = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment offOut = arena.allocate(ValueLayout.JAVA_LONG);
    private MemorySegment buffer;
    /** copy_file_range is still worth trying for the next extent. */
    private boolean kernel = LINKED;
    private long userBytes;
    /** The end of the range being copied: sizes the user buffer, once. */
    private long end;

    FileCopier(NativeFile source, NativeFile target, String detail) {
        this.source = source;
        this.target = target;
        this.srcFd = source.fd();
        this.dstFd = target.fd();
        this.detail = detail;
    }

    /** The source's statx: its size and block size (what a clone range must be aligned to). */
    private MemorySegment statSource() throws IOException {
        MemorySegment st = arena.allocate(StatxLayout.SIZE, 8);
        int rc = LinuxFiles.statx(srcFd, arena.allocateFrom(""), Sys.AT_EMPTY_PATH, st);
        if (rc < 0) {
            throw failure("statx", rc);
        }
        return st;
    }

    CopyKind copy(long length) throws IOException {
        MemorySegment st = statSource();
        long srcSize = StatxLayout.read(st).size();
        long n = Math.min(length, srcSize);
        end = n;
        long targetSize = target.size();
        long cloned = LINKED ? clone(n, srcSize, StatxLayout.blockSize(st)) : -1;
        if (cloned == n) {
            return CopyKind.CLONE;
        }
        long from = Math.max(cloned, 0);
        copyExtents(from, n, targetSize <= from);
        return cloned > 0 ? CopyKind.CLONE : userBytes > 0 ? CopyKind.USER_COPY : CopyKind.KERNEL_COPY;
    }

    /** Shares [0, length) by reflink only; true when done (a tail shorter than a block copied). */
    boolean cloneOnly(long length) throws IOException {
        if (!LINKED) {
            return false;
        }
        MemorySegment st = statSource();
        long srcSize = StatxLayout.read(st).size();
        long n = Math.min(length, srcSize);
        end = n;
        long cloned = n == 0 ? -1 : clone(n, srcSize, StatxLayout.blockSize(st));
        if (cloned <= 0) {
            return false;
        }
        if (cloned < n) {
            copyExtents(cloned, n, false);
        }
        return true;
    }

    /** Copies [from, to) to the same offsets; the target's range is expected untouched, so holes stay holes. */
    CopyKind copyAt(long from, long to) throws IOException {
        end = to;
        copyExtents(from, to, true);
        return userBytes > 0 ? CopyKind.USER_COPY : CopyKind.KERNEL_COPY;
    }

    /** Bytes from 0 now shared with the source, or -1 when the file system cannot share them. */
    private long clone(long n, long srcSize, int blockSize) throws IOException {
        if (n == srcSize) {
            int rc = retry(() -> LinuxFileCopy.ficlone(dstFd, srcFd));
            return rc == 0 ? n : refused(rc, "ficlone");
        }
        if (n == 0) {
            return -1; // FICLONERANGE's length 0 would mean "to the source's end"
        }
        int rc = cloneRange(n);
        if (rc == 0) {
            return n;
        }
        refused(rc, "ficlonerange");
        // A range ending inside the source must end on a block boundary (EINVAL otherwise): share the whole
        // blocks and let the tail be copied.
        long whole = blockSize > 0 ? n - n % blockSize : 0;
        if (rc == -Errno.EINVAL && whole > 0 && whole < n) {
            rc = cloneRange(whole);
            return rc == 0 ? whole : refused(rc, "ficlonerange");
        }
        return -1;
    }

    private int cloneRange(long length) {
        MemorySegment range = arena.allocate(LinuxFileCopy.CLONE_RANGE_SIZE, 8);
        range.set(ValueLayout.JAVA_LONG, 0, srcFd);
        range.set(ValueLayout.JAVA_LONG, 8, 0); // src_offset
        range.set(ValueLayout.JAVA_LONG, 16, length);
        range.set(ValueLayout.JAVA_LONG, 24, 0); // dest_offset
        return retry(() -> LinuxFileCopy.ficlonerange(dstFd, range));
    }

    /**
     * -1 for the errnos that mean this file system (or pair of them) does not share extents: EOPNOTSUPP (ext4,
     * tmpfs), EXDEV (two mounts), EINVAL (unaligned range, or a file system that does not take the ioctl), ENOTTY,
     * and EBADF, which the man page also lists for a file system without reflink. Anything else throws.
     */
    private long refused(int rc, String op) throws IOException {
        return switch (-rc) {
            case Errno.EOPNOTSUPP, Errno.EXDEV, Errno.EINVAL, Errno.EBADF, Sys.ENOTTY -> -1;
            default -> throw failure(op, rc);
        };
    }

    /**
     * Copies the data extents of {@code [from, n)}. With {@code holesStay} (the target holds nothing from
     * {@code from} on) a hole in the source is skipped, and the size set at the end makes a trailing one part of
     * the file; otherwise every byte is copied.
     */
    private void copyExtents(long from, long n, boolean holesStay) throws IOException {
        if (holesStay && LINKED && dense()) {
            // SEEK_HOLE finds no hole in a dense file only after walking every page to its end, each call: a 2 GiB
            // basis copied in 32 MiB steps spent 1 s of system time in lseek on tmpfs. Nothing to skip: copy it all.
            holesStay = false;
        }
        boolean skipped = false;
        long at = from;
        while (at < n) {
            long data = at;
            long dataEnd = n;
            if (holesStay && LINKED) {
                long d = LinuxFileCopy.lseek(srcFd, at, Sys.SEEK_DATA);
                if (d == -Sys.ENXIO) {
                    skipped = true; // nothing but a hole, or the source's end, from here on
                    break;
                }
                if (d >= 0) {
                    data = Math.min(d, n);
                    long h = LinuxFileCopy.lseek(srcFd, data, Sys.SEEK_HOLE);
                    dataEnd = h > data ? Math.min(h, n) : n;
                    skipped |= data > at;
                } else {
                    holesStay = false; // a file system that cannot say: copy everything
                }
            }
            if (data >= n) {
                break;
            }
            long reached = copyRange(data, dataEnd);
            if (reached < dataEnd) {
                return; // the source ended early (it shrank): nothing more to copy, nothing to extend
            }
            at = reached;
        }
        if (skipped) {
            long size = Math.min(n, source.size());
            if (target.size() < size) {
                target.truncate(size);
            }
        }
    }

    /**
     * True when the source has as many bytes allocated as its size, so it has no holes to keep (a file with blocks
     * preallocated past its end and a hole inside is taken for dense too: its hole is copied as the zeros it reads as).
     */
    private boolean dense() throws IOException {
        FileStat s = StatxLayout.read(statSource());
        return s.allocated() >= s.size();
    }

    /** Copies {@code [from, to)} in the kernel while it will, then through user memory; returns where it stopped. */
    private long copyRange(long from, long to) throws IOException {
        long at = from;
        while (kernel && at < to) {
            offIn.set(ValueLayout.JAVA_LONG, 0, at);
            offOut.set(ValueLayout.JAVA_LONG, 0, at);
            long r = LinuxFileCopy.copyFileRange(srcFd, offIn, dstFd, offOut, Math.min(to - at, MAX_CHUNK));
            if (r > 0) {
                at += r;
            } else if (r == 0) {
                break; // the source's end, or a file the kernel will not copy: the user loop reads on and sees
            } else if (r != -Errno.EINTR) {
                kernel = switch ((int) -r) {
                    // EXDEV: two file systems (refused again since 5.19); EOPNOTSUPP/EINVAL: not for these files;
                    // ENOSYS or EPERM: an old kernel or a seccomp filter that does not know the call (an immutable
                    // target also says EPERM, and then the user loop's pwrite reports it)
                    case Errno.EXDEV, Errno.EOPNOTSUPP, Errno.EINVAL, Errno.ENOSYS, Errno.EPERM -> false;
                    default -> throw failure("copy_file_range", r);
                };
            }
        }
        if (at < to) {
            if (buffer == null) {
                buffer = arena.allocate(Math.min(UserCopy.BUFFER, end - at));
            }
            long reached = UserCopy.copy(source, target, at, to, buffer);
            userBytes += reached - at;
            at = reached;
        }
        return at;
    }

    private interface IntCall {
        int run();
    }

    private static int retry(IntCall call) {
        int rc;
        do {
            rc = call.run();
        } while (rc == -Errno.EINTR);
        return rc;
    }

    private NativeIoException failure(String op, long rc) {
        return new NativeIoException(op, (int) -rc, detail);
    }

    @Override
    public void close() {
        arena.close();
    }
}
