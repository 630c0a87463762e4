package io.dwcp.zerocopy.portable;

import io.dwcp.zerocopy.DataListener;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.IdleTimeoutException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Opens portable data-plane sockets over the JDK's channels. */
public final class PortableSockets {
    /** Connects; {@code timeoutMillis} bounds the handshake (0: the system's own limit). */
    public DataSocket connect(InetSocketAddress to, int timeoutMillis) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            if (timeoutMillis > 0) {
                // the socket adaptor's connect is the JDK's way to bound a blocking connect
                ch.socket().connect(to, timeoutMillis);
            } else {
                ch.connect(to);
            }
            return new PortableDataSocket(ch);
        } catch (SocketTimeoutException e) {
            ch.close();
            throw new IdleTimeoutException("connect", -1);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public DataListener listen(InetSocketAddress at, int backlog) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(at, backlog);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new DataListener() {
            @Override
            public DataSocket accept() throws IOException {
                return new PortableDataSocket(server.accept());
            }

            @Override
            public InetSocketAddress localAddress() throws IOException {
                return (InetSocketAddress) server.getLocalAddress();
            }

            @Override
            public void close() throws IOException {
                server.close();
            }
        };
    }
}
