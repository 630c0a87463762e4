package io.dwcp.zerocopy;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A blocking data-plane TCP stream over off-heap memory. The native implementation owns its fd and moves file
 * bytes in the kernel ({@code sendfile}, {@code splice}); the portable one wraps a {@code SocketChannel}.
 * Both give the same bytes for the same calls.
 *
 * <p>Failures: a peer that went away is a {@link io.dwcp.core.linux.NativeIoException} with
 * {@code isConnectionLost()} (portable: a plain {@link IOException}); no byte within the idle timeout is an
 * {@link IdleTimeoutException}; EOF inside a payload is a {@link TruncatedPayloadException}; a source file
 * shorter than the range to send is a {@link FileShrunkException}; a socket closed by another thread makes
 * blocked calls fail with {@link java.nio.channels.AsynchronousCloseException}.
 *
 * <p>Segments passed to the native implementation must be native (off-heap) and stay alive for the call.
 * One reader and one writer thread at a time; {@link #close()} may come from any thread.
 */
public interface DataSocket extends Closeable {
    /** Reads 1..len bytes into {@code dst[off..]}, blocking until some arrive; -1 at end of stream. */
    int read(MemorySegment dst, long off, int len) throws IOException;

    /** Reads exactly {@code len} bytes; EOF first is a {@link TruncatedPayloadException}. */
    void readFully(MemorySegment dst, long off, long len) throws IOException;

    /** Writes 1..len bytes from {@code src[off..]}, blocking until some fit; returns how many. */
    int write(MemorySegment src, long off, int len) throws IOException;

    /** Writes exactly {@code len} bytes. */
    void writeFully(MemorySegment src, long off, long len) throws IOException;

    /** Writes a header and a payload as one gathered write (one system call when both fit the socket). */
    void writeFully(MemorySegment header, long headerOff, int headerLen, MemorySegment payload, long payloadOff,
            int payloadLen) throws IOException;

    /** Sends {@code count} bytes of {@code file} from {@code fileOffset} (sendfile, or the fallback). */
    void transferFromFile(DataFile file, long fileOffset, long count) throws IOException;

    /** Writes {@code header[0..headerLen)} then {@code count} bytes of the file, coalesced into segments. */
    void writeHeaderAndFile(MemorySegment header, int headerLen, DataFile file, long fileOffset, long count)
            throws IOException;

    /**
     * Receives exactly {@code count} bytes into {@code file} at {@code fileOffset} (splice socket → pipe →
     * file, or the fallback). EOF first: the bytes that arrived are in the file, then
     * {@link TruncatedPayloadException} says how many.
     */
    void receiveToFile(DataFile file, long fileOffset, long count) throws IOException;

    /** Idle timeout for every blocking call (SO_RCVTIMEO/SO_SNDTIMEO); 0 waits forever. */
    void setIdleTimeout(int millis) throws IOException;

    void setTcpNoDelay(boolean on) throws IOException;

    void setSendBufferSize(int bytes) throws IOException;

    void setReceiveBufferSize(int bytes) throws IOException;

    /** The kernel's send buffer size (Linux reports twice what was set). */
    int sendBufferSize() throws IOException;

    int receiveBufferSize() throws IOException;

    /** TCP_INFO; empty on the portable path. */
    Optional<TcpInfo> tcpInfo() throws IOException;

    InetSocketAddress localAddress() throws IOException;

    InetSocketAddress remoteAddress() throws IOException;

    /** Sends FIN after what was written; reads still work. */
    void shutdownOutput() throws IOException;

    /** The socket's fd, or -1 on the portable path. */
    int fd();

    /** Idempotent; wakes a thread blocked in this socket (shutdown first, then close). */
    @Override
    void close() throws IOException;
}
