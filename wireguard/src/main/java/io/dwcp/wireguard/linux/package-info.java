/**
 * The native boundaries of the WireGuard device, and the only code in this module that calls libc. The calls any
 * fd or socket makes are core's ({@code FdCalls}: open, close, read, write, ioctl, poll, eventfd; {@code SocketCalls}:
 * bind, options, names, sendmsg, shutdown); {@code LinuxUdpCalls} adds the UDP socket and recvmmsg/sendmmsg. All
 * return {@code result or -errno} without allocating; {@code Sys} holds the ABI constants (x86-64 and arm64 agree on all
 * of them). {@link io.dwcp.wireguard.linux.LinuxTun} and {@link io.dwcp.wireguard.linux.LinuxUdp} turn them into
 * the {@code net} interfaces; {@code MmsgTable} is a batch's message headers, built once in the batch's memory.
 * {@link io.dwcp.wireguard.linux.NetPaths} probes the native UDP path once and chooses the fallback otherwise.
 *
 * <p>Fds are owned through core's {@code FdHolder}: a close from any thread wakes a blocked call (shutdown for the UDP
 * socket, an eventfd polled next to the TUN fd) and the fd is released only when no call is inside.
 */
package io.dwcp.wireguard.linux;
