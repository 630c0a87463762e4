package io.dwcp.zerocopy.linux;

import static io.dwcp.core.linux.LinuxNative.C_INT;
import static io.dwcp.core.linux.LinuxNative.C_LONG;
import static io.dwcp.core.linux.LinuxNative.C_POINTER;

import io.dwcp.core.linux.LinuxNative;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
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
        static final MethodHandle H = h("sendfile", C_LONG, C_INT, C_INT, C_POINTER, C_LONG);
    }
    private static final class SpliceCall {
        static final MethodHandle H = h("splice", C_LONG, C_INT, C_POINTER, C_INT, C_POINTER, C_LONG, C_INT);
    }
    private static final class Pipe2Call {
        static final MethodHandle H = h("pipe2", C_INT, C_POINTER, C_INT);
    }
    private static final class FcntlCall {
        static final MethodHandle H = h("fcntl", C_INT, C_INT, C_INT, C_INT);
    }

    private LinuxZeroCopy() {
    }

    /**
     * Handles are made on first use (each holder class is initialised when its call first runs): making a downcall
     * handle costs milliseconds, and a sending client needs only a few of this class's calls.
     */
    private static MethodHandle h(String name, MemoryLayout ret, MemoryLayout... args) {
        return Sys.nativeUsable() ? LinuxNative.downcall(name, FunctionDescriptor.of(ret, args)) : null;
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
            long rc = (long) SendfileCall.H.invokeExact(LinuxNative.callState(), outFd, inFd, offsetPtr, count);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param offIn {@link MemorySegment#NULL} for a pipe or socket, else a {@code loff_t} the kernel advances */
    static long splice(int fdIn, MemorySegment offIn, int fdOut, MemorySegment offOut, long len, int flags) {
        try {
            long rc = (long) SpliceCall.H.invokeExact(LinuxNative.callState(), fdIn, offIn, fdOut, offOut, len, flags);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    /** @param fds two ints: read end, write end */
    static int pipe(MemorySegment fds) {
        try {
            int rc = (int) Pipe2Call.H.invokeExact(LinuxNative.callState(), fds, Sys.O_CLOEXEC);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }

    static int fcntl(int fd, int cmd, int arg) {
        try {
            int rc = (int) FcntlCall.H.invokeExact(LinuxNative.callState(), fd, cmd, arg);
            return rc < 0 ? -LinuxNative.errno() : rc;
        } catch (Throwable t) {
            throw Sys.linkError(t);
        }
    }
}
