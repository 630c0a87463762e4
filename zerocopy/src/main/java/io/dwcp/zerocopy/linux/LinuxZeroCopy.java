package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Boundary for the in-kernel copy calls: {@code sendfile}, {@code splice} and the pipes splice needs. Results
 * are the call's value or {@code -errno}, as in {@link LinuxSockets}.
 *
 * <p>{@code fcntl} is variadic in C; it is linked here as a fixed three-int function, which is the same call
 * on the two ABIs this module supports (integer arguments travel in the same registers either way).
 */
final class LinuxZeroCopy {
    private static final class SendfileCall {
        // long sendfile(int, int, pointer, long)
        static final MethodHandle H = h("sendfile");
    }
    private static final class SpliceCall {
        // long splice(int, pointer, int, pointer, long, int)
        static final MethodHandle H = h("splice");
    }
    private static final class Pipe2Call {
        // int pipe2(pointer, int)
        static final MethodHandle H = h("pipe2");
    }
    private static final class FcntlCall {
        // int fcntl(int, int, int)
        static final MethodHandle H = h("fcntl");
    }

    private LinuxZeroCopy() {
    }

    /**
     * Handles are made on first use (each holder class is initialised when its call first runs): making a downcall
     * handle costs milliseconds, and a sending client needs only a few of this class's calls.
     */
    private static MethodHandle h(String name) {
        return Sys.nativeUsable() ? LinuxNative.function(name) : null;
    }

    /** Whether libc has {@code name}, without making its handle. */
    private static boolean present(String name) {
        return Sys.nativeUsable() && LinuxNative.symbol(name).isPresent();
    }

    static boolean sendfileLinked() {
        return present("sendfile");
    }

    static boolean spliceLinked() {
        return present("splice") && present("pipe2") && present("fcntl");
    }

    /** @param offsetPtr an {@code off_t} the kernel reads and advances; the file position is not used */
    static long sendfile(int outFd, int inFd, MemorySegment offsetPtr, long count) {
        try {
            long rc = (long) SendfileCall.H.invokeExact(LinuxNative.callState(), (long) outFd, (long) inFd,
                    LinuxNative.address(offsetPtr), count, 0L, 0L, 0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param offIn {@link MemorySegment#NULL} for a pipe or socket, else a {@code loff_t} the kernel advances */
    static long splice(int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len, int flags) {
        try {
            long rc = (long) SpliceCall.H.invokeExact(LinuxNative.callState(), (long) fdIn,
                    LinuxNative.address(offIn), (long) fdOut, LinuxNative.address(offOut), len, (long) flags, 0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param fds two ints: read end, write end */
    static int pipe(MemorySegment fds) {
        try {
            int rc = (int) (long) Pipe2Call.H.invokeExact(LinuxNative.callState(), LinuxNative.address(fds),
                    (long) Sys.O_CLOEXEC, 0L, 0L, 0L, 0L, 0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fcntl(int fd, int cmd, int arg) {
        try {
            int rc = (int) (long) FcntlCall.H.invokeExact(LinuxNative.callState(), (long) fd, (long) cmd, (long) arg,
                    0L, 0L, 0L, 0L);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
