package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.IdleTimeoutException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The pipe that {@code splice} needs between a socket and a file (the kernel cannot splice socket to file
 * directly). One per receiving stream, reused for every payload. Each round moves at most one pipe's worth
 * from the socket and then drains the pipe completely into the file, so the pipe is empty between payloads;
 * if a file write fails with bytes still inside, the pipe is marked broken and the socket makes a new one.
 */
final class SplicePipe {
    /** Bigger pipes mean fewer rounds; 1 MiB is the default {@code fs.pipe-max-size} for unprivileged users. */
    static final int WANTED_SIZE = 1 << 20;
    private static final int FLAGS = Sys.SPLICE_F_MOVE | Sys.SPLICE_F_MORE;

    private final int readFd;
    private final int writeFd;
    private final int capacity;
    private final MemorySegment fileOffset;
    private boolean broken;

    private SplicePipe(int readFd, int writeFd, int capacity, MemorySegment fileOffset) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.capacity = capacity;
        this.fileOffset = fileOffset;
    }

    /** @param arena owns the pipe's state (the socket's: freed with it) */
    static SplicePipe open(Arena arena) throws NativeIoException {
        // two ints for pipe2, then reused as the loff_t of the file side once the fds are read out
        MemorySegment state = arena.allocate(8, 8);
        int rc = LinuxZeroCopy.pipe(state);
        if (rc < 0) {
            throw new NativeIoException("pipe2", -rc);
        }
        int r = state.get(ValueLayout.JAVA_INT, 0);
        int w = state.get(ValueLayout.JAVA_INT, 4);
        // a refusal (EPERM above pipe-max-size) just leaves the default size
        LinuxZeroCopy.fcntl(w, Sys.F_SETPIPE_SZ, WANTED_SIZE);
        int size = LinuxZeroCopy.fcntl(w, Sys.F_GETPIPE_SZ, 0);
        return new SplicePipe(r, w, size > 0 ? size : 65536, state);
    }

    int capacity() {
        return capacity;
    }

    boolean broken() {
        return broken;
    }

    /**
     * Moves up to {@code count} bytes from {@code socketFd} into {@code fileFd} at {@code position}.
     *
     * @return the bytes written to the file: {@code count}, or fewer when the peer closed first
     */
    long receive(int socketFd, int fileFd, long position, long count) throws IOException {
        long done = 0;
        while (done < count) {
            long n = LinuxZeroCopy.splice(socketFd, MemorySegment.NULL, writeFd, MemorySegment.NULL,
                    Math.min(count - done, capacity), FLAGS);
            if (n == 0) {
                return done;
            }
            if (n < 0) {
                int errno = (int) -n;
                if (errno == Errno.EINTR) {
                    continue;
                }
                if (errno == Errno.EAGAIN) {
                    throw new IdleTimeoutException("splice", socketFd);
                }
                throw new NativeIoException("splice", errno, "fd=" + socketFd + " from=socket");
            }
            done += drain(fileFd, position + done, n);
        }
        return done;
    }

    private long drain(int fileFd, long position, long inPipe) throws NativeIoException {
        long left = inPipe;
        while (left > 0) {
            fileOffset.set(ValueLayout.JAVA_LONG, 0, position + (inPipe - left));
            long m = LinuxZeroCopy.splice(readFd, MemorySegment.NULL, fileFd, fileOffset, left, FLAGS);
            if (m > 0) {
                left -= m;
            } else if (m != -Errno.EINTR) {
                broken = true;
                // m == 0 cannot happen with bytes in the pipe; report it rather than spin
                throw new NativeIoException("splice", m == 0 ? Errno.EIO : (int) -m,
                        "fd=" + fileFd + " to=file offset=" + (position + inPipe - left));
            }
        }
        return inPipe;
    }

    void close() {
        FdCalls.close(readFd);
        FdCalls.close(writeFd);
    }
}
