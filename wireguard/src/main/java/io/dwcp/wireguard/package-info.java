/**
 * A userspace WireGuard peer that speaks the real protocol (interoperable with the kernel, wireguard-go and every
 * WireGuard client). Packages by capability:
 * <ul>
 *   <li>{@code io.dwcp.wireguard.crypto}: BLAKE2s, HMAC/HKDF over it, X25519 and ChaCha20-Poly1305 from the JDK,
 *       XChaCha20-Poly1305 for cookie replies, keys in {@code wg}'s base64 format.</li>
 *   <li>{@code io.dwcp.wireguard.noise}: the Noise_IKpsk2 handshake, message layouts, mac1/mac2 and cookies,
 *       TAI64N, the replay window, transport keypairs.</li>
 *   <li>{@code io.dwcp.wireguard.offload}: virtio-net headers, TCP segmentation and coalescing for TUN offloads.</li>
 *   <li>{@code io.dwcp.wireguard.device}: the device: peers, cryptokey routing, timers, crypto workers.</li>
 *   <li>{@code io.dwcp.wireguard.uapi}: the UAPI socket {@code wg} talks to; {@code io.dwcp.wireguard.config}: the
 *       wg-quick style configuration file.</li>
 *   <li>{@code io.dwcp.wireguard.linux}: the native boundaries, TUN ({@code LinuxTun}) and UDP ({@code LinuxUdp}).</li>
 * </ul>
 */
package io.dwcp.wireguard;
