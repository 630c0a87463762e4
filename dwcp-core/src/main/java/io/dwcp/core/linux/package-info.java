/**
 * The FFM base that every Linux boundary class builds on: the linker and libc lookup ({@link LinuxNative}),
 * errno capture, the errno names ({@link Errno}) and the typed {@link NativeIoException}. Only classes in
 * {@code *.linux} packages call into native code; everything above them sees Java types.
 */
package io.dwcp.core.linux;
