package io.dwcp.engine.stream;

import io.dwcp.zerocopy.DataSocket;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ClosedChannelException;

/**
 * A blocking {@link ByteChannel} view of a {@link DataSocket}, for the few control frames a data stream carries
 * (JOIN, JOIN_ACK, ERROR) through {@link io.dwcp.core.io.BlockingFrames}. The bulk of a stream goes through the
 * socket itself; this view is for the handshake and its errors.
 *
 * <p>The native socket takes off-heap memory only, so every byte passes through a native bounce segment made
 * with the view (one per direction), heap and direct buffers alike: wrapping the caller's buffer in a segment
 * would allocate per call, and the frames here are small. A call allocates nothing. Closing the view closes the socket.
 * One reader and one writer thread at a time, as for the socket.
 */
public final class DataSocketChannel implements ByteChannel {
    private final DataSocket socket;
    private final MemorySegment readBounce;
    private final MemorySegment writeBounce;
    /** Buffer views of the bounce segments, made once: absolute bulk puts between buffers allocate nothing. */
    private final ByteBuffer readView;
    private final ByteBuffer writeView;
    private volatile boolean open = true;

    /**
     * @param arena  owns the bounce segments (the caller's, closed when the handshake is over)
     * @param bounce bytes of each bounce segment (one for reads, one for writes)
     */
    public DataSocketChannel(DataSocket socket, Arena arena, int bounce) {
        this.socket = socket;
        this.readBounce = arena.allocate(bounce, 64);
        this.writeBounce = arena.allocate(bounce, 64);
        this.readView = readBounce.asByteBuffer();
        this.writeView = writeBounce.asByteBuffer();
    }

    public DataSocket socket() {
        return socket;
    }

    /**
     * Reads what one {@code recv} returns, at most {@code dst.remaining()} bytes: never more, since bytes past
     * a frame belong to whoever reads the socket next (the data plane after the handshake).
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        int want = (int) Math.min(dst.remaining(), readBounce.byteSize());
        if (want == 0) {
            return 0;
        }
        int n = socket.read(readBounce, 0, want);
        if (n > 0) {
            dst.put(dst.position(), readView, 0, n);
            dst.position(dst.position() + n);
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int total = src.remaining();
        while (src.hasRemaining()) {
            int chunk = (int) Math.min(src.remaining(), writeBounce.byteSize());
            writeView.put(0, src, src.position(), chunk);
            socket.writeFully(writeBounce, 0, chunk);
            src.position(src.position() + chunk);
        }
        return total;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Closes the socket too (waking a thread blocked in it). */
    @Override
    public void close() throws IOException {
        open = false;
        socket.close();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }
}
