package io.dwcp.zerocopy.portable;

import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.FileShrunkException;
import io.dwcp.zerocopy.IdleTimeoutException;
import io.dwcp.zerocopy.TcpInfo;
import io.dwcp.zerocopy.TruncatedPayloadException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/**
 * The portable {@link DataSocket}: a blocking {@code SocketChannel}, with cached buffer views of the caller's
 * segments. File ranges go out through {@code FileChannel.transferTo} and come in through a bounce buffer and
 * a positional write. An idle timeout switches the channel to non-blocking mode with one selector per
 * direction, since blocking channel reads ignore SO_TIMEOUT.
 */
public final class PortableDataSocket implements DataSocket {
    private static final int BOUNCE = 256 * 1024;

    private final SocketChannel channel;
    private final BufferView readView = new BufferView();
    private final BufferView headerView = new BufferView();
    private final BufferView writeView = new BufferView();
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private volatile int idleMillis;
    private Selector readSelector;
    private Selector writeSelector;

    public PortableDataSocket(SocketChannel channel) {
        this.channel = channel;
    }

    /** Blocks until the channel is ready for {@code op} in non-blocking mode, or the idle timeout passes. */
    private void await(Selector selector, int op, String name) throws IOException {
        if (selector == null) {
            return;
        }
        SelectionKey key = channel.keyFor(selector);
        if (key == null) {
            channel.register(selector, op);
        }
        int ready = selector.select(idleMillis);
        selector.selectedKeys().clear();
        if (!channel.isOpen()) {
            throw new AsynchronousCloseException();
        }
        if (ready == 0 && idleMillis > 0) {
            throw new IdleTimeoutException(name, -1);
        }
    }

    @Override
    public int read(MemorySegment dst, long off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        ByteBuffer b = readView.of(dst, off, len);
        for (;;) {
            int n = channel.read(b);
            if (n != 0) {
                return n;
            }
            await(readSelector, SelectionKey.OP_READ, "read");
        }
    }

    @Override
    public void readFully(MemorySegment dst, long off, long len) throws IOException {
        long done = 0;
        while (done < len) {
            int n = read(dst, off + done, (int) Math.min(len - done, 1 << 30));
            if (n < 0) {
                throw new TruncatedPayloadException("read", len, done);
            }
            done += n;
        }
    }

    @Override
    public int write(MemorySegment src, long off, int len) throws IOException {
        ByteBuffer b = writeView.of(src, off, len);
        for (;;) {
            int n = channel.write(b);
            if (n != 0 || len == 0) {
                return n;
            }
            await(writeSelector, SelectionKey.OP_WRITE, "write");
        }
    }

    @Override
    public void writeFully(MemorySegment src, long off, long len) throws IOException {
        long done = 0;
        while (done < len) {
            done += write(src, off + done, (int) Math.min(len - done, 1 << 30));
        }
    }

    @Override
    public void writeFully(MemorySegment header, long headerOff, int headerLen, MemorySegment payload,
            long payloadOff, int payloadLen) throws IOException {
        gather[0] = headerView.of(header, headerOff, headerLen);
        gather[1] = writeView.of(payload, payloadOff, payloadLen);
        while (gather[1].hasRemaining() || gather[0].hasRemaining()) {
            if (channel.write(gather) == 0) {
                await(writeSelector, SelectionKey.OP_WRITE, "write");
            }
        }
    }

    @Override
    public void transferFromFile(DataFile file, long fileOffset, long count) throws IOException {
        if (file instanceof ChannelFile cf) {
            FileChannel fc = cf.channel();
            long done = 0;
            while (done < count) {
                long n = fc.transferTo(fileOffset + done, count - done, channel);
                if (n > 0) {
                    done += n;
                } else if (fc.size() <= fileOffset + done) {
                    throw new FileShrunkException("transferTo", fileOffset + done, fileOffset + count);
                } else {
                    await(writeSelector, SelectionKey.OP_WRITE, "transferTo");
                }
            }
            return;
        }
        // A fallback the engine does not take (it sends from the buffer it digested): the bounce lives for the call.
        try (Arena call = Arena.ofConfined()) {
            MemorySegment bounce = call.allocate(BOUNCE, 4096);
            long done = 0;
            while (done < count) {
                int n = file.read(bounce, 0, (int) Math.min(BOUNCE, count - done), fileOffset + done);
                if (n < 0) {
                    throw new FileShrunkException("read", fileOffset + done, fileOffset + count);
                }
                writeFully(bounce, 0, n);
                done += n;
            }
        }
    }

    @Override
    public void writeHeaderAndFile(MemorySegment header, int headerLen, DataFile file, long fileOffset, long count)
            throws IOException {
        writeFully(header, 0, headerLen);
        transferFromFile(file, fileOffset, count);
    }

    @Override
    public void receiveToFile(DataFile file, long fileOffset, long count) throws IOException {
        // A fallback the engine does not take on this path (it reads payloads into its slabs): the bounce lives
        // for the call.
        try (Arena call = Arena.ofConfined()) {
            MemorySegment bounce = call.allocate(BOUNCE, 4096);
            long done = 0;
            while (done < count) {
                int n = read(bounce, 0, (int) Math.min(BOUNCE, count - done));
                if (n < 0) {
                    throw new TruncatedPayloadException("read", count, done);
                }
                file.writeFully(bounce, 0, n, fileOffset + done);
                done += n;
            }
        }
    }

    /** Call before data flows: switching to non-blocking mode must not race a blocked read or write. */
    @Override
    public synchronized void setIdleTimeout(int millis) throws IOException {
        if (millis < 0) {
            throw new IllegalArgumentException("idle_timeout_ms=" + millis);
        }
        idleMillis = millis;
        if (millis > 0 && readSelector == null) {
            readSelector = Selector.open();
            writeSelector = Selector.open();
            channel.configureBlocking(false);
        }
    }

    @Override
    public void setTcpNoDelay(boolean on) throws IOException {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, on);
    }

    @Override
    public void setSendBufferSize(int bytes) throws IOException {
        channel.setOption(StandardSocketOptions.SO_SNDBUF, bytes);
    }

    @Override
    public void setReceiveBufferSize(int bytes) throws IOException {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, bytes);
    }

    @Override
    public int sendBufferSize() throws IOException {
        return channel.getOption(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public int receiveBufferSize() throws IOException {
        return channel.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public Optional<TcpInfo> tcpInfo() {
        return Optional.empty();
    }

    @Override
    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() throws IOException {
        return (InetSocketAddress) channel.getRemoteAddress();
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public int fd() {
        return -1;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
        if (readSelector != null) {
            readSelector.wakeup();
            writeSelector.wakeup();
            readSelector.close();
            writeSelector.close();
        }
    }

    @Override
    public String toString() {
        return "portable-socket " + channel;
    }
}
