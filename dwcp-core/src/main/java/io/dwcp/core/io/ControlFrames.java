package io.dwcp.core.io;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import java.nio.ByteBuffer;

/**
 * The one framing of control messages, whatever carries the bytes: the server's Netty pipeline, a blocking
 * control connection, or the handshake on a data stream. A frame is judged by its prefix as soon as the prefix is
 * in (magic, version, a control type, a body length within the limit), before any body byte is buffered, and
 * decoded only when whole.
 */
public final class ControlFrames {
    private ControlFrames() {
    }

    /** Where a frame arrives, which decides the types it may have. */
    public enum Carrier {
        /** The control connection: control types only. */
        CONTROL,
        /** A data stream's handshake: JOIN, JOIN_ACK, ERROR; DATA frames are the data plane's business. */
        DATA_HANDSHAKE
    }

    /**
     * Validates the prefix at absolute index {@code at} of {@code buf}; returns its type. A type that does not
     * belong on {@code carrier} is a protocol error.
     */
    public static FrameType checkPrefix(ByteBuffer buf, int at, int maxBody, Carrier carrier) throws DwcpException {
        FrameType type = FrameDescriptor.checkPrefix(buf, at, maxBody);
        if (carrier == Carrier.CONTROL && !type.isControl()) {
            throw DwcpException.protocol("frame=" + type.wireName() + " reason=not-a-control-frame");
        }
        if (type == FrameType.DATA) {
            throw DwcpException.protocol("frame=data reason=unexpected-here");
        }
        return type;
    }

    /**
     * Decodes one frame from {@code buf} (position to limit) if it is all there, advancing the position past it;
     * returns null, position unchanged, when more bytes are needed.
     */
    public static Message tryDecode(ByteBuffer buf, Limits limits, int maxBody, Carrier carrier) throws DwcpException {
        int at = buf.position();
        if (buf.remaining() < FrameDescriptor.PREFIX_LENGTH) {
            return null;
        }
        FrameType type = checkPrefix(buf, at, maxBody, carrier);
        int length = FrameDescriptor.bodyLength(buf, at);
        if (buf.remaining() < FrameDescriptor.PREFIX_LENGTH + length) {
            return null;
        }
        ByteBuffer body = buf.slice(at + FrameDescriptor.PREFIX_LENGTH, length);
        buf.position(at + FrameDescriptor.PREFIX_LENGTH + length);
        return ControlCodec.decode(type, body, limits);
    }
}
