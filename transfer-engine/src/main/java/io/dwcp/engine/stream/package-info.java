/**
 * Byte-stream adapters over the data plane's {@link io.dwcp.zerocopy.DataSocket}, so that the control-message
 * framing of {@link io.dwcp.core.io.BlockingFrames} (JOIN, JOIN_ACK, ERROR on a data stream) runs over the same
 * socket whose fd the data plane uses for {@code sendfile} and {@code splice}; used by both ends.
 */
package io.dwcp.engine.stream;
