/**
 * The data plane's I/O layer, as Java types: {@link io.dwcp.zerocopy.DataSocket} (blocking TCP over off-heap
 * memory, with file ranges sent by {@code sendfile} and received by {@code splice}),
 * {@link io.dwcp.zerocopy.DataFile} (positional file I/O, reservation, mapping, local copies by reflink or
 * in the kernel),
 * {@link io.dwcp.zerocopy.ConfinedRoot} (every network-supplied path resolved beneath one directory, no symlink
 * followed) and {@link io.dwcp.zerocopy.ZeroCopySender} ({@code MSG_ZEROCOPY} with buffers held until the
 * kernel's completion).
 *
 * <p>{@code select.IoPaths} decides once per process which implementation backs them: the native one
 * in {@code io.dwcp.zerocopy.linux} where each call was probed and works, the JDK one in
 * {@code io.dwcp.zerocopy.portable} otherwise or when {@code --io portable} forces it; its
 * {@code describe()} line ({@code io_path=sendfile+splice+msg_zerocopy confine=openat2}) is what the server
 * logs. Both implementations give the same bytes for the same calls, which the tests check path against path.
 *
 * <p>Expected conditions do not throw (EINTR is retried, partial transfers are looped or counted); what
 * does throw is typed: {@link io.dwcp.zerocopy.IdleTimeoutException},
 * {@link io.dwcp.zerocopy.TruncatedPayloadException}, {@link io.dwcp.zerocopy.FileShrunkException},
 * {@link io.dwcp.zerocopy.PathRefusedException} and {@link io.dwcp.core.linux.NativeIoException} (errno named,
 * {@code isConnectionLost()} for a vanished peer).
 */
package io.dwcp.zerocopy;
