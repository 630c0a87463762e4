package io.dwcp.wireguard.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;

/**
 * The portable transport, on a blocking {@link DatagramChannel}: one datagram per {@link #receive}, no GSO or
 * GRO (super-datagrams are split here on send). NIO hands out an address object per received datagram; the last
 * source and destination are cached so a conversation with one peer costs no further objects.
 */
public final class NioUdpTransport implements UdpTransport {
    private final DatagramChannel channel;
    private final int port;
    /** Automatic: a sender still inside {@link #send} after {@link #close()} must not find its cache freed. */
    /** The last destination, raw and decoded: sending to the same peer again needs no new address object. */
    private final MemorySegment sendCacheKey = Endpoints.onHeap();
    private InetSocketAddress sendCacheAddress;
    private final MemorySegment receiveCacheKey = Endpoints.onHeap();
    private SocketAddress receiveCacheAddress;
    private long sendFailures;

    private NioUdpTransport(DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /**
     * Binds the wildcard address (dual stack where the JDK supports IPv6) on {@code port}, 0 for any.
     *
     * @param bufferBytes receive and send buffer size to ask for (the kernel may cap it)
     */
    public static NioUdpTransport open(int port, int bufferBytes) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            ch.bind(new InetSocketAddress(port));
            return new NioUdpTransport(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** As {@link #open(int, int)} on an address of one family, e.g. loopback in tests. */
    public static NioUdpTransport open(InetSocketAddress at, int bufferBytes) throws IOException {
        DatagramChannel ch = DatagramChannel.open(at.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
            ch.bind(at);
            return new NioUdpTransport(ch);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public int receive(PacketBatch batch) throws IOException {
        ByteBuffer view = batch.view(0);
        view.clear();
        SocketAddress from;
        try {
            from = channel.receive(view);
        } catch (ClosedChannelException e) {
            // includes AsynchronousCloseException: close() while blocked is the documented way out
            return -1;
        }
        if (from.equals(receiveCacheAddress)) {
            Endpoints.copy(receiveCacheKey, batch.endpoint(0));
        } else {
            Endpoints.encode((InetSocketAddress) from, batch.endpoint(0));
            Endpoints.copy(batch.endpoint(0), receiveCacheKey);
            receiveCacheAddress = from;
        }
        batch.setLength(0, view.position());
        batch.setSegmentSize(0, 0);
        return 1;
    }

    @Override
    public int send(PacketBatch batch, int count) throws IOException {
        if (!channel.isOpen()) {
            return -1;
        }
        int whole = 0;
        for (int i = 0; i < count; i++) {
            InetSocketAddress to = destination(batch.endpoint(i));
            int len = batch.length(i);
            int seg = batch.segmentSize(i);
            int step = seg > 0 && seg < len ? seg : Math.max(len, 1);
            ByteBuffer view = batch.view(i);
            boolean ok = true;
            int off = 0;
            do {
                view.limit(Math.min(len, off + step)).position(off);
                ok &= sendOne(view, to);
                off += step;
            } while (off < len);
            if (!channel.isOpen()) {
                return -1;
            }
            if (ok) {
                whole++;
            }
        }
        return whole;
    }

    private boolean sendOne(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        try {
            if (channel.send(datagram, to) > 0 || !datagram.hasRemaining()) {
                return true;
            }
        } catch (ClosedChannelException e) {
            return false;
        } catch (IOException | UnsupportedAddressTypeException e) {
            // unreachable network, unsupported family for this socket: the datagram is lost, not the socket
        }
        sendFailures++;
        return false;
    }

    private InetSocketAddress destination(MemorySegment endpoint) {
        if (sendCacheAddress == null || !Endpoints.same(endpoint, sendCacheKey)) {
            sendCacheAddress = Endpoints.decode(endpoint);
            Endpoints.copy(endpoint, sendCacheKey);
        }
        return sendCacheAddress;
    }

    @Override
    public int localPort() {
        return port;
    }

    @Override
    public boolean gso() {
        return false;
    }

    @Override
    public boolean gro() {
        return false;
    }

    @Override
    public void setMark(int mark) throws IOException {
        if (mark != 0) {
            throw new IOException("fwmark=" + Integer.toUnsignedString(mark) + " reason=unsupported-on-portable-udp");
        }
    }

    @Override
    public long sendFailures() {
        return sendFailures;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a datagram channel has nothing to flush; the fd is released either way
        }
    }
}
