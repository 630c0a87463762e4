package io.dwcp.core.io;

import io.dwcp.core.Limits;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/** Frame I/O over blocking channels: the client's control connection and stream set-up on data sockets. */
public final class BlockingFrames {
    private BlockingFrames() {
    }

    /** Fills {@code buf} to its limit or throws {@link EOFException}. */
    public static void readFully(ReadableByteChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new EOFException("reason=eof missing=" + buf.remaining());
            }
        }
    }

    /** Writes all of {@code buf}; returns the number of bytes written. */
    public static int writeFully(WritableByteChannel ch, ByteBuffer buf) throws IOException {
        int n = buf.remaining();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        return n;
    }

    /** Reads one control frame, bounded by {@code maxBody}, and decodes it. */
    public static Message readMessage(ReadableByteChannel ch, Limits limits, int maxBody) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(FrameDescriptor.PREFIX_LENGTH);
        readFully(ch, prefix);
        FrameType type = ControlFrames.checkPrefix(prefix, 0, maxBody, ControlFrames.Carrier.DATA_HANDSHAKE);
        ByteBuffer body = ByteBuffer.allocate(FrameDescriptor.bodyLength(prefix, 0));
        readFully(ch, body);
        body.flip();
        return ControlCodec.decode(type, body, limits);
    }

    /** Encodes and writes one message; returns the bytes written. */
    public static int writeMessage(WritableByteChannel ch, Message m) throws IOException {
        return writeFully(ch, ControlCodec.encode(m));
    }
}
