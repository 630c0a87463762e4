/**
 * The portable implementations of the module's interfaces over the plain JDK ({@code SocketChannel},
 * {@code FileChannel}, {@code java.nio.file}): the fallback when a native path is missing or refused, and
 * what {@code --io portable} forces. They keep the native side's contracts (same bytes, same typed
 * exceptions for truncation, shrinking sources and idle timeouts) and reuse cached buffer views of the
 * caller's segments instead of wrapping them per call. {@code PortableConfinedRoot} is best effort: its
 * symlink checks race with concurrent renames, which only openat2 or an fd walk can close.
 */
package io.dwcp.zerocopy.portable;
