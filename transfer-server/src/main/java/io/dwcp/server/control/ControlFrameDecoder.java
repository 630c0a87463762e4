package io.dwcp.server.control;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.message.ControlCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the control byte stream into messages. The prefix is validated (magic, version, type, length
 * against the limit) as soon as its 8 bytes are here, before any body is accumulated, so an oversized or
 * foreign frame costs nothing but the connection.
 */
public final class ControlFrameDecoder extends ByteToMessageDecoder {
    private final Limits limits;
    private boolean failed;

    public ControlFrameDecoder(Limits limits) {
        this.limits = limits;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws DwcpException {
        if (failed) {
            // After the first bad frame the stream has no trustworthy framing left: drop the rest.
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeOne(in, out);
        } catch (DwcpException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeOne(ByteBuf in, List<Object> out) throws DwcpException {
        if (in.readableBytes() < FrameDescriptor.PREFIX_LENGTH) {
            return;
        }
        int at = in.readerIndex();
        FrameType type = FrameDescriptor.checkPrefix(in.nioBuffer(at, FrameDescriptor.PREFIX_LENGTH), 0,
                limits.maxControlBody());
        if (!type.isControl()) {
            throw DwcpException.protocol("frame=" + type.wireName() + " reason=not-a-control-frame");
        }
        int length = in.getInt(at + FrameDescriptor.LENGTH_OFFSET);
        if (in.readableBytes() < FrameDescriptor.PREFIX_LENGTH + length) {
            return;
        }
        in.skipBytes(FrameDescriptor.PREFIX_LENGTH);
        ByteBuf body = in.readSlice(length);
        out.add(ControlCodec.decode(type, body.nioBuffer(), limits));
    }
}
