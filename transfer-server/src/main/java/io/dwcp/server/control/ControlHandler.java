package io.dwcp.server.control;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Log;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import io.dwcp.engine.receive.TransferSession;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import java.security.MessageDigest;

/**
 * One control connection: HELLO and authentication here on the event loop (cheap), everything after it
 * handed to the connection's {@link TransferSession}.
 */
public final class ControlHandler extends SimpleChannelInboundHandler<Message> {
    private static final Log LOG = Log.of("control");

    private final ServerContext server;
    private TransferSession session;

    public ControlHandler(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Message msg) {
        if (session != null) {
            session.submit(msg);
            return;
        }
        if (!(msg instanceof Message.Hello hello)) {
            refuse(ctx.channel(), ErrorCode.PROTOCOL, "frame=" + msg.type().wireName()
                    + " reason=expected-hello");
            return;
        }
        String refusal = server.refusal((java.net.InetSocketAddress) ctx.channel().remoteAddress());
        if (refusal != null) {
            LOG.warn("peer=" + ctx.channel().remoteAddress() + " auth=refused " + refusal);
            refuse(ctx.channel(), ErrorCode.AUTH, "auth=refused " + refusal);
            return;
        }
        byte[] token = server.token();
        if (token != null && !MessageDigest.isEqual(token, hello.token())) {
            LOG.warn("peer=" + ctx.channel().remoteAddress() + " auth=refused reason=bad-token client=\"" + hello.client() + "\"");
            refuse(ctx.channel(), ErrorCode.AUTH, "auth=refused reason=" + (hello.token().length == 0 ? "token-required" : "bad-token"));
            return;
        }
        if (hello.streams() < 1) {
            refuse(ctx.channel(), ErrorCode.PROTOCOL, "frame=hello reason=bad-streams streams=" + hello.streams());
            return;
        }
        Channel ch = ctx.channel();
        int streams = Math.min(hello.streams(), server.limits().maxStreams());
        Outbox outbox = new Outbox(ch);
        TransferSession s = server.newSession(streams, outbox::send, (java.net.InetSocketAddress) ch.remoteAddress());
        if (s == null) {
            refuse(ch, ErrorCode.LIMIT, "reason=too-many-sessions max=" + server.limits().maxSessions());
            return;
        }
        session = s;
        LOG.info("session=" + s.name() + " peer=" + ch.remoteAddress() + " client=\"" + hello.client() + "\" streams=" + streams);
        send(ch, new Message.Welcome(s.id(), server.dataPort(), streams, "dwcp/" + FrameDescriptor.VERSION));
    }

    private static void send(Channel ch, Message m) {
        var f = ch.writeAndFlush(Unpooled.wrappedBuffer(ControlCodec.encode(m)));
        if (m instanceof Message.Error) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void refuse(Channel ch, ErrorCode code, String message) {
        send(ch, new Message.Error(code, message));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            long idle = System.nanoTime() - (session == null ? 0 : session.lastActivityNanos());
            if (session == null || idle > server.limits().idleTimeoutMillis() * 1_000_000L) {
                LOG.warn("peer=" + ctx.channel().remoteAddress() + " reason=idle-timeout");
                if (session != null) {
                    session.abort(ErrorCode.LIMIT, "reason=idle-timeout");
                }
                refuse(ctx.channel(), ErrorCode.LIMIT, "reason=idle-timeout");
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof DwcpException e) {
            LOG.warn("peer=" + ctx.channel().remoteAddress() + " closing " + e.getMessage());
            if (session != null) {
                session.abort(e.code(), e.getMessage());
            } else {
                refuse(ctx.channel(), e.code(), e.getMessage());
            }
        } else {
            LOG.warn("peer=" + ctx.channel().remoteAddress() + " closing reason=" + c);
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (session != null) {
            session.closed();
        }
    }
}
