/**
 * TUN offloads in pure Java: the {@code virtio_net_hdr} that precedes every packet on a TUN opened with
 * {@code IFF_VNET_HDR}, Internet checksums, TCP segmentation of the kernel's TSO super-packets read from the TUN
 * ({@link io.dwcp.wireguard.offload.TcpSegmenter}) and coalescing of decrypted TCP segments into GSO super-packets
 * written to it ({@link io.dwcp.wireguard.offload.TcpCoalescer}). Everything works on off-heap
 * {@link java.lang.foreign.MemorySegment}s in place and allocates nothing per packet.
 */
package io.dwcp.wireguard.offload;
