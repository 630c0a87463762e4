package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.io.BlockingFrames;
import io.dwcp.core.message.Message;
import io.dwcp.engine.stream.DataSocketChannel;
import java.lang.foreign.Arena;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.select.IoPaths;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The data sockets of one transfer: connected through the process's {@link IoPaths} (so {@code sendfile} and
 * {@code MSG_ZEROCOPY} can use their fds), joined to the session with JOIN/JOIN_ACK, closed together (which
 * wakes any thread blocked in one).
 */
final class DataStreams {
    /** JOIN, JOIN_ACK and ERROR are small; this bounds what a data stream\'s handshake may carry. */
    private static final int HANDSHAKE_BYTES = 4096;

    private final IoPaths io;
    private final Limits limits;
    private final List<DataSocket> sockets = new CopyOnWriteArrayList<>();

    DataStreams(IoPaths io, Limits limits) {
        this.io = io;
        this.limits = limits;
    }

    /**
     * Connects stream {@code index} and joins it to the session; returns the bytes written for the JOIN.
     * Blocking calls on the socket then time out after the transfer's idle timeout.
     */
    long open(InetAddress addr, Message.Welcome welcome, int index) throws IOException {
        DataSocket socket = connect(addr, welcome.dataPort());
        sockets.add(socket);
        socket.setTcpNoDelay(true);
        socket.setIdleTimeout(limits.idleTimeoutMillis());
        long wire;
        Message m;
        try (Arena handshake = Arena.ofConfined()) {
            DataSocketChannel ch = new DataSocketChannel(socket, handshake, HANDSHAKE_BYTES);
            wire = BlockingFrames.writeMessage(ch, new Message.Join(welcome.sessionId(), index));
            m = BlockingFrames.readMessage(ch, limits, HANDSHAKE_BYTES);
        }
        if (m instanceof Message.Error e) {
            throw new DwcpException(e.code(), "stream=" + index + " " + e.message());
        }
        if (!(m instanceof Message.JoinAck)) {
            throw DwcpException.protocol("frame=" + m.type().wireName() + " reason=unexpected expected=joinack");
        }
        return wire;
    }

    DataSocket get(int index) {
        return sockets.get(index);
    }

    private DataSocket connect(InetAddress addr, int port) throws DwcpException {
        try {
            return io.connect(new InetSocketAddress(addr, port), (int) Math.min(Integer.MAX_VALUE, limits.idleTimeoutMillis()));
        } catch (IOException e) {
            String host = addr instanceof Inet6Address ? "[" + addr.getHostAddress() + "]" : addr.getHostAddress();
            throw new DwcpException(ErrorCode.IO, "connection=data server=" + host + ":" + port
                    + " reason=connect-failed detail=\"" + e.getMessage() + "\"");
        }
    }

    /** Closes every socket; idempotent, from any thread. */
    void closeAll() {
        for (DataSocket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}
