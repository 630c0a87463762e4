package io.dwcp.wireguard.net;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A layer-3 TUN interface: IP packets in and out, no link header. With {@link #vnetHdr()} every packet read or
 * written starts with a {@value #VNET_HDR_LEN}-byte {@code virtio_net_hdr} describing checksum and segmentation
 * offloads. One thread may read while another writes.
 */
public interface TunDevice extends AutoCloseable {
    /** {@code sizeof(struct virtio_net_hdr)}: the header in front of each packet when {@link #vnetHdr()}. */
    int VNET_HDR_LEN = 10;

    /** The interface name the kernel gave (may differ from the one asked for, e.g. {@code tun%d}). */
    String name();

    /**
     * Blocks until a packet is available, copies it to the start of {@code buf} (native memory, room for the MTU,
     * or for 65535 bytes plus the header when offloads can hand over TSO super-packets) and returns its length
     * (header included when {@link #vnetHdr()}). Returns -1 once the device is closed, including when
     * {@link #close()} runs while this call is blocked.
     */
    int read(MemorySegment buf) throws IOException;

    /**
     * Writes one packet, the {@code len} bytes at {@code offset} of {@code buf} (header first when
     * {@link #vnetHdr()}): an offset rather than a slice, so the receive path allocates nothing per packet.
     */
    void write(MemorySegment buf, long offset, long len) throws IOException;

    /** Whether packets carry a {@code virtio_net_hdr} (and the kernel may hand over TSO super-packets). */
    boolean vnetHdr();

    /** Idempotent; wakes a blocked {@link #read}, and removes the interface unless it was made persistent. */
    @Override
    void close();
}
