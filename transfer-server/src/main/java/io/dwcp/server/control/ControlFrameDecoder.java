package io.dwcp.server.control;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.io.ControlFrames;
import io.dwcp.core.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
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
        ByteBuffer view = in.nioBuffer();
        Message m = ControlFrames.tryDecode(view, limits, limits.maxControlBody(), ControlFrames.Carrier.CONTROL);
        if (m != null) {
            in.skipBytes(view.position());
            out.add(m);
        }
    }
}
