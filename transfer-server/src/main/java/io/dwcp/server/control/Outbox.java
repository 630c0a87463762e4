package io.dwcp.server.control;

import io.dwcp.core.frame.FrameType;
import io.dwcp.core.message.BodyWriter;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A session's messages to its client, in order. A session answers from its own thread and from data threads, one
 * small message per file of a tree (PLAN, FILE_DONE); a {@code writeAndFlush} each from those threads would wake
 * the event loop and make a write syscall per message. Messages queue here instead, and one drain task on the
 * event loop writes whatever has gathered and flushes once.
 */
final class Outbox {
    private final Channel channel;
    private final ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** Frames are gathered into buffers of about this size before each is handed to the channel. */
    private static final int GATHER_BYTES = 16 * 1024;
    /** The event loop's encoder, reused for every message (only {@link #drain} touches it). */
    private final BodyWriter writer = new BodyWriter(FrameType.ERROR);

    Outbox(Channel channel) {
        this.channel = channel;
    }

    /** Queues {@code m}; an ERROR closes the connection once written. Safe from any thread. */
    void send(Message m) {
        queue.add(m);
        if (scheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drain);
        }
    }

    /**
     * On the event loop: every queued message encoded through one writer into one buffer from the channel's
     * allocator, written with one flush. A tree's FILE_DONEs made a buffer, a wrapper and a promise each; now a drain
     * makes one buffer and one promise per 16 KiB.
     */
    private void drain() {
        scheduled.set(false); // a message queued from now on schedules another drain
        Message m;
        ByteBuf out = null;
        while ((m = queue.poll()) != null) {
            int n = ControlCodec.encode(m, writer);
            if (out == null) {
                out = channel.alloc().buffer(Math.max(n, GATHER_BYTES));
            }
            out.writeBytes(writer.array(), 0, n);
            writer.shrink(GATHER_BYTES);
            if (m instanceof Message.Error) {
                channel.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            if (out.readableBytes() >= GATHER_BYTES) {
                channel.write(out); // a write to a connection the peer closed fails quietly, as each did before
                out = null;
            }
        }
        if (out != null) {
            channel.write(out);
        }
        channel.flush();
    }
}
