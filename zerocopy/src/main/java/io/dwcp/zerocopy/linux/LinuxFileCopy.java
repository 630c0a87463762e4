package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for copying between two files without reading them: the reflink ioctls ({@code FICLONE},
 * {@code FICLONERANGE}), {@code copy_file_range}, and {@code lseek} for finding a source's data and holes. Results
 * are the call's value or {@code -errno}, as in {@link LinuxFiles}.
 *
 * <p>{@code ioctl} is variadic in C; it is linked with a fixed third argument of 64 bits that carries either an
 * fd or a struct's address, which the two supported ABIs pass exactly as the variadic call would (as
 * {@code fcntl} in {@link LinuxZeroCopy}). {@code copy_file_range} has a glibc wrapper from 2.27 on; before that
 * it is made through {@code syscall}, as {@link LinuxTree} does for {@code getdents64}.
 */
final class LinuxFileCopy {
    private static final class IoctlCall {
        // int ioctl(int, long, long)
        static final MethodHandle H = h("ioctl");
    }
    /** Null on an older libc: {@link SyscallCopyFileRangeCall} then. */
    private static final class CopyFileRangeCall {
        // long copy_file_range(int, pointer, int, pointer, long, int)
        static final MethodHandle H = h("copy_file_range");
    }
    private static final class SyscallCopyFileRangeCall {
        // long syscall(long, int, pointer, int, pointer, long, int)
        static final MethodHandle H = h("syscall");
    }
    private static final class LseekCall {
        // long lseek(int, long, int)
        static final MethodHandle H = h("lseek");
    }

    /** {@code struct file_clone_range {s64 src_fd; u64 src_offset; u64 src_length; u64 dest_offset;}}. */
    static final long CLONE_RANGE_SIZE = 32;

    private LinuxFileCopy() {
    }

    /** Handles are made on first use, as in {@link LinuxFiles}: most processes never copy a file locally. */
    private static MethodHandle h(String name) {
        return Sys.nativeUsable() ? LinuxNative.function(name) : null;
    }

    /** Whether libc has {@code name}, without making its handle. */
    private static boolean present(String name) {
        return Sys.nativeUsable() && LinuxNative.symbol(name).isPresent();
    }

    /** True when every call here can be made, through its wrapper or {@code syscall}. */
    static boolean linked() {
        return present("ioctl") && present("lseek") && (present("copy_file_range") || present("syscall"));
    }

    /** Makes all of {@code dstFd} share all of {@code srcFd}'s extents (to the source's end). */
    static int ficlone(int dstFd, int srcFd) {
        try {
            int rc = (int) (long) IoctlCall.H.invokeExact(LinuxNative.callState(), (long) dstFd, Sys.FICLONE,
                    (long) srcFd, 0L, 0L, 0L, 0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param range a {@code struct file_clone_range} ({@link #CLONE_RANGE_SIZE} bytes); a length of 0 means to EOF */
    static int ficlonerange(int dstFd, MemorySegment range) {
        try {
            int rc = (int) (long) IoctlCall.H.invokeExact(LinuxNative.callState(), (long) dstFd, Sys.FICLONERANGE,
                    range.address(), 0L, 0L, 0L, 0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /**
     * @param offIn a {@code loff_t} the kernel reads and advances (the fd's own offset is not used); likewise
     *              {@code offOut}
     * @return bytes copied, 0 at the source's end, or {@code -errno}
     */
    static long copyFileRange(int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len) {
        try {
            long rc = CopyFileRangeCall.H != null
                    ? (long) CopyFileRangeCall.H.invokeExact(LinuxNative.callState(), (long) fdIn,
                            LinuxNative.address(offIn), (long) fdOut, LinuxNative.address(offOut), len, 0L, 0L)
                    : (long) SyscallCopyFileRangeCall.H.invokeExact(LinuxNative.callState(), Sys.SYS_COPY_FILE_RANGE,
                            (long) fdIn, LinuxNative.address(offIn), (long) fdOut, LinuxNative.address(offOut), len,
                            0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param whence {@link Sys#SEEK_DATA} or {@link Sys#SEEK_HOLE}; {@code -ENXIO} when no data follows */
    static long lseek(int fd, long offset, int whence) {
        try {
            long rc = (long) LseekCall.H.invokeExact(LinuxNative.callState(), (long) fd, offset, (long) whence, 0L,
                    0L, 0L, 0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
