package io.dwcp.wireguard.net;

import java.io.IOException;

/**
 * An unconnected UDP socket moving {@link PacketBatch}es. One thread may receive while another sends; each of
 * {@link #receive} and {@link #send} must not be called by two threads at once on the same transport.
 */
public interface UdpTransport extends AutoCloseable {
    /**
     * Blocks until at least one datagram arrived, then fills slots {@code 0..n-1} (length, endpoint = source,
     * segment size when the kernel coalesced several) and returns {@code n}. Returns -1 once the transport is
     * closed, including when {@link #close()} runs while this call is blocked.
     *
     * @throws IOException for a socket error other than an interrupted call
     */
    int receive(PacketBatch batch) throws IOException;

    /**
     * Sends slots {@code 0..count-1}, each to its endpoint; a slot with a segment size below its length goes out as
     * that many datagrams (one GSO super-datagram when {@link #gso()}). A datagram the network refuses (no route,
     * no buffer space, wrong family) is dropped and counted in {@link #sendFailures()}, as a router would.
     *
     * @return the number of slots the kernel took whole, or -1 once the transport is closed
     * @throws IOException when the socket itself failed
     */
    int send(PacketBatch batch, int count) throws IOException;

    /** The bound UDP port. */
    int localPort();

    /** Whether {@link #send} hands super-datagrams to the kernel whole (UDP GSO) rather than splitting them. */
    boolean gso();

    /**
     * Whether {@link #receive} may return coalesced datagrams (UDP GRO); receive batches then need
     * {@link PacketBatch#MAX_DATAGRAM}-byte slots.
     */
    boolean gro();

    /**
     * Marks every datagram this socket sends with {@code mark} (Linux {@code SO_MARK}, 0 for none), for policy
     * routing as wg-quick sets it up.
     *
     * @throws IOException when this transport cannot mark (the portable one) or the kernel refuses (EPERM without
     *     CAP_NET_ADMIN)
     */
    void setMark(int mark) throws IOException;

    /** Datagrams dropped by {@link #send} so far. */
    long sendFailures();

    /** Idempotent; wakes a thread blocked in {@link #receive}, which then returns -1. */
    @Override
    void close();
}
