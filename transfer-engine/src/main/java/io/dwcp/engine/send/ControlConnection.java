package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.io.BlockingFrames;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sender's control connection: one reader thread, writers from any thread (each frame written whole), every
 * byte written counted in the transfer's wire bytes, every frame in either direction counted as activity.
 */
final class ControlConnection implements AutoCloseable {
    private final SocketChannel channel;
    private final Limits limits;
    private final AtomicLong wireBytes;
    private final Runnable onActivity;
    private final Object writeLock = new Object();

    private ControlConnection(SocketChannel channel, Limits limits, AtomicLong wireBytes, Runnable onActivity) {
        this.channel = channel;
        this.limits = limits;
        this.wireBytes = wireBytes;
        this.onActivity = onActivity;
    }

    /** Connects, saying where when it cannot. */
    static ControlConnection open(InetAddress addr, int port, Limits limits, AtomicLong wireBytes,
                                  Runnable onActivity) throws IOException {
        SocketChannel ch = connect(addr, port, "control");
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        return new ControlConnection(ch, limits, wireBytes, onActivity);
    }

    static InetAddress resolve(String host) throws DwcpException {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new DwcpException(ErrorCode.IO, "host=\"" + host + "\" reason=unknown-host");
        }
    }

    /** Connects one socket, saying which one and where when it cannot (a closed data port is a firewall's doing). */
    private static SocketChannel connect(InetAddress addr, int port, String which) throws DwcpException {
        try {
            return SocketChannel.open(new InetSocketAddress(addr, port));
        } catch (IOException e) {
            String host = addr instanceof Inet6Address ? "[" + addr.getHostAddress() + "]" : addr.getHostAddress();
            throw new DwcpException(ErrorCode.IO, "connection=" + which + " server=" + host + ":" + port
                    + " reason=connect-failed detail=\"" + e.getMessage() + "\"");
        }
    }

    void send(Message m) throws IOException {
        sendEncoded(ControlCodec.encode(m));
    }

    void sendEncoded(ByteBuffer frame) throws IOException {
        synchronized (writeLock) {
            wireBytes.addAndGet(BlockingFrames.writeFully(channel, frame));
        }
        onActivity.run();
    }

    /** The next message, an ERROR included (the caller decides what it means). */
    Message read() throws IOException {
        Message m = BlockingFrames.readMessage(channel, limits, limits.maxControlBody());
        onActivity.run();
        return m;
    }

    /** Closes the socket: wakes the reader wherever it is blocked. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // done with it
        }
    }
}
