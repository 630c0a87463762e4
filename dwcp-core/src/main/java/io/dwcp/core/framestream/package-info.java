/**
 * The frame-stream API: an application that sends successive versions of keyed frames (a VM's memory chunks,
 * a game state, a sensor image) sends each as an XOR delta against the previous frame of the same key.
 * {@link io.dwcp.core.framestream.FrameStreamWriter} and {@link io.dwcp.core.framestream.FrameStreamReader}
 * run over any blocking byte channel; both keep a bounded cache of previous frames and evict from it in the
 * same order, so a key whose basis was evicted is sent whole and the reader knows it without being told.
 * Wire layouts: {@link io.dwcp.core.framestream.FrameStreamDescriptor} (once per stream) and
 * {@link io.dwcp.core.framestream.FrameDeltaDescriptor} (per frame); both are in {@code docs/PROTOCOL.md}.
 */
package io.dwcp.core.framestream;
