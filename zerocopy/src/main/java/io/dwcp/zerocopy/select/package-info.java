/**
 * The choice of I/O path, made once per process: which native calls work here (each probed for real) or the
 * portable JDK path, and the factory for every socket, file and confined root the data plane opens. It sits above
 * both implementations ({@code linux}, {@code portable}), which depend only on the interfaces of
 * {@code io.dwcp.zerocopy}: no package cycle.
 */
package io.dwcp.zerocopy.select;
