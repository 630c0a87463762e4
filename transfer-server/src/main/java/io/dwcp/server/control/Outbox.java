package io.dwcp.server.control;

import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import io.netty.buffer.Unpooled;
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

    private void drain() {
        scheduled.set(false); // a message queued from now on schedules another drain
        Message m;
        boolean wrote = false;
        while ((m = queue.poll()) != null) {
            var f = channel.write(Unpooled.wrappedBuffer(ControlCodec.encode(m)));
            wrote = true;
            if (m instanceof Message.Error) {
                channel.flush();
                f.addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        if (wrote) {
            channel.flush();
        }
    }
}
