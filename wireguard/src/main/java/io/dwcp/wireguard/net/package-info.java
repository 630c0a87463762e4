/**
 * The portable packet I/O the WireGuard device is written against: {@link io.dwcp.wireguard.net.PacketBatch}
 * (off-heap slots with lengths, raw endpoints and GSO/GRO segment sizes, allocated once),
 * {@link io.dwcp.wireguard.net.UdpTransport} and {@link io.dwcp.wireguard.net.TunDevice}.
 * {@link io.dwcp.wireguard.net.Endpoints} keeps endpoints as raw {@code sockaddr} bytes so the hot path compares
 * and copies them without objects. {@link io.dwcp.wireguard.net.NioUdpTransport} is the UDP fallback where the
 * native path is unavailable; TUN has none. Implementations for Linux live in {@code io.dwcp.wireguard.linux}.
 */
package io.dwcp.wireguard.net;
