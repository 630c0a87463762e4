package io.dwcp.core.framestream;

import io.dwcp.core.DwcpException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Blocking reads of exact lengths through a small read-ahead buffer: a stream of small deltas (48-byte
 * headers, short maps) then costs one read call for many frames, while a large payload is read straight into
 * its destination.
 */
final class ChannelInput {
    private final ReadableByteChannel channel;
    /** Read mode: position..limit is what was read ahead and not yet used. */
    private final ByteBuffer ahead;

    ChannelInput(ReadableByteChannel channel, ByteBuffer ahead) {
        this.channel = channel;
        this.ahead = ahead.flip();
    }

    /** Fills {@code dst} from its position to its limit; the end of the channel first is an error. */
    void readFully(ByteBuffer dst) throws IOException {
        drainInto(dst);
        while (dst.hasRemaining()) {
            if (dst.remaining() >= ahead.capacity()) {
                if (channel.read(dst) < 0) {
                    throw truncated();
                }
            } else {
                ahead.clear();
                int n = channel.read(ahead);
                ahead.flip();
                if (n < 0) {
                    throw truncated();
                }
                drainInto(dst);
            }
        }
    }

    private void drainInto(ByteBuffer dst) {
        int n = Math.min(ahead.remaining(), dst.remaining());
        if (n > 0) {
            int limit = ahead.limit();
            ahead.limit(ahead.position() + n);
            dst.put(ahead);
            ahead.limit(limit);
        }
    }

    private static DwcpException truncated() {
        return DwcpException.protocol("frame=frame-stream reason=truncated hint=\"the channel ended before the end frame\"");
    }
}
