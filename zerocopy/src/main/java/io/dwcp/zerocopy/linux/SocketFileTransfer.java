package io.dwcp.zerocopy.linux;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.FileShrunkException;
import io.dwcp.zerocopy.IdleTimeoutException;
import io.dwcp.zerocopy.TruncatedPayloadException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;

/**
 * File ranges in and out of one {@link NativeDataSocket}: {@code sendfile} out, {@code splice} in, or a copy
 * through a bounce buffer when the probe turned those off or the file has no fd. The send side and the
 * receive side have separate state, as a reader and a writer thread may use one socket at once.
 */
final class SocketFileTransfer {
    private static final int BOUNCE = 256 * 1024;

    private final NativeDataSocket socket;
    private final int fd;
    private final boolean sendfile;
    private final boolean splice;
    /** The socket's: bounces and pipe state are freed with it. */
    private final Arena arena;
    private final MemorySegment sendfileOffset;
    private MemorySegment sendBounce;
    private MemorySegment receiveBounce;
    private SplicePipe pipe;

    SocketFileTransfer(NativeDataSocket socket, int fd, boolean sendfile, boolean splice, Arena arena) {
        this.socket = socket;
        this.arena = arena;
        this.sendfileOffset = arena.allocate(ValueLayout.JAVA_LONG);
        this.fd = fd;
        this.sendfile = sendfile;
        this.splice = splice;
    }

    void send(DataFile file, long fileOffset, long count) throws IOException {
        if (!sendfile || file.fd() < 0) {
            copyFromFile(file, fileOffset, count);
            return;
        }
        int in = file.fd();
        long done = 0;
        socket.enter();
        try {
            while (done < count) {
                sendfileOffset.set(ValueLayout.JAVA_LONG, 0, fileOffset + done);
                long n = LinuxZeroCopy.sendfile(fd, in, sendfileOffset, Math.min(count - done, NativeDataSocket.MAX_CHUNK));
                if (n > 0) {
                    done += n;
                } else if (n == 0) {
                    throw new FileShrunkException("sendfile", fileOffset + done, fileOffset + count);
                } else if (n != -Errno.EINTR) {
                    throw socket.failure("sendfile", (int) -n);
                }
            }
        } finally {
            socket.holder().exit();
        }
    }

    private void copyFromFile(DataFile file, long fileOffset, long count) throws IOException {
        if (sendBounce == null) {
            sendBounce = arena.allocate(BOUNCE, 4096);
        }
        long done = 0;
        while (done < count) {
            int n = file.read(sendBounce, 0, (int) Math.min(BOUNCE, count - done), fileOffset + done);
            if (n < 0) {
                throw new FileShrunkException("pread", fileOffset + done, fileOffset + count);
            }
            socket.writeFully(sendBounce, 0, n);
            done += n;
        }
    }

    void receive(DataFile file, long fileOffset, long count) throws IOException {
        if (!splice || file.fd() < 0) {
            copyToFile(file, fileOffset, count);
            return;
        }
        long got;
        socket.enter();
        try {
            if (pipe == null || pipe.broken()) {
                closePipe();
                pipe = SplicePipe.open(arena);
            }
            got = pipe.receive(fd, file.fd(), fileOffset, count);
        } catch (NativeIoException | IdleTimeoutException e) {
            if (socket.holder().isClosed()) {
                throw new AsynchronousCloseException();
            }
            throw e;
        } finally {
            socket.holder().exit();
        }
        if (got < count) {
            if (socket.holder().isClosed()) {
                throw new AsynchronousCloseException();
            }
            throw new TruncatedPayloadException("splice", count, got);
        }
    }

    private void copyToFile(DataFile file, long fileOffset, long count) throws IOException {
        if (receiveBounce == null) {
            receiveBounce = arena.allocate(BOUNCE, 4096);
        }
        long done = 0;
        while (done < count) {
            int n = socket.read(receiveBounce, 0, (int) Math.min(BOUNCE, count - done));
            if (n < 0) {
                throw new TruncatedPayloadException("recv", count, done);
            }
            file.writeFully(receiveBounce, 0, n, fileOffset + done);
            done += n;
        }
    }

    /** Called once the socket's fd is released (no call inside any more). */
    void closePipe() {
        if (pipe != null) {
            pipe.close();
            pipe = null;
        }
    }
}
