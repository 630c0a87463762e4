package io.dwcp.engine.receive.data;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Log;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.DataFrameFlyweight;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.io.BlockingFrames;
import io.dwcp.core.message.Message;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;

/**
 * One data stream: JOIN, then DATA frames until the sender closes. Each frame's header is validated before
 * its payload is read into a slot of the session's {@link BlockPipeline}, whose thread decodes it, checks its
 * CRC32C and hands the block to the session. Buffers are allocated once per stream.
 */
final class DataStreamReceiver implements Runnable, AutoCloseable {
    private static final Log LOG = Log.of("data");

    private final SocketChannel channel;
    private final DataSessions sessions;
    private final DataPlane plane;
    private final ByteBuffer header = ByteBuffer.allocateDirect(DataFrameDescriptor.FRAME_HEADER_LENGTH);
    private final DataFrameFlyweight frame = new DataFrameFlyweight();
    private volatile long lastActivityNanos = System.nanoTime();
    private DataSession session;

    DataStreamReceiver(SocketChannel channel, DataSessions sessions, DataPlane plane) {
        this.channel = channel;
        this.sessions = sessions;
        this.plane = plane;
    }

    long lastActivityNanos() {
        return lastActivityNanos;
    }

    @Override
    public void run() {
        try {
            join();
            receive();
        } catch (EOFException | AsynchronousCloseException e) {
            // sender finished between frames, or the session / idle watchdog closed us
        } catch (DwcpException e) {
            LOG.warn("peer=" + peer() + " stream-closed " + e.getMessage());
            if (session != null) {
                session.abort(e.code(), e.getMessage());
            } else {
                refuse(e);
            }
        } catch (IOException e) {
            if (session != null) {
                session.abort(ErrorCode.IO, "reason=data-stream-failed detail=" + e.getMessage());
            }
        } finally {
            close();
            plane.remove(this);
        }
    }

    private void refuse(DwcpException e) {
        try {
            BlockingFrames.writeMessage(channel, new Message.Error(e.code(), e.getMessage()));
        } catch (IOException ignored) {
            // the peer is gone or broken; nothing more to tell it
        }
    }

    private void join() throws IOException {
        Message m = BlockingFrames.readMessage(channel, plane.limits(), 64);
        if (!(m instanceof Message.Join join)) {
            throw DwcpException.protocol("frame=" + m.type().wireName() + " reason=expected-join");
        }
        DataSession s = sessions.find(join.sessionId());
        if (s == null) {
            throw new DwcpException(ErrorCode.AUTH, "frame=join reason=unknown-session");
        }
        if (s.blockSize() == 0) {
            throw DwcpException.protocol("frame=join reason=no-plan-yet");
        }
        if (!s.attach(this)) {
            throw new DwcpException(ErrorCode.LIMIT, "frame=join reason=too-many-streams max=" + s.streams());
        }
        session = s;
        BlockingFrames.writeMessage(channel, new Message.JoinAck(join.stream()));
    }

    private void receive() throws IOException {
        int blockSize = session.blockSize();
        BlockPipeline pipeline = session.pipeline();
        frame.wrap(header);
        try {
            while (true) {
                header.clear();
                readHeader();
                frame.validate(blockSize);
                session.checkBlock(frame.fileId(), frame.offset(), frame.reconstructedLength());
                BlockPipeline.Slot slot = pipeline.acquire();
                int wire = frame.wireLength();
                ByteBuffer payload = slot.payload;
                payload.clear().limit(wire);
                try {
                    BlockingFrames.readFully(channel, payload);
                } catch (EOFException e) {
                    throw DwcpException.protocol("frame=data reason=truncated-payload missing=" + payload.remaining());
                }
                payload.flip();
                lastActivityNanos = System.nanoTime();
                slot.codec = frame.codec();
                slot.fileId = frame.fileId();
                slot.offset = frame.offset();
                slot.length = frame.reconstructedLength();
                slot.crc = frame.crc();
                slot.frameBytes = FrameDescriptor.PREFIX_LENGTH + DataFrameDescriptor.HEADER_LENGTH + wire;
                pipeline.submit(slot);
            }
        } catch (InterruptedException e) {
            throw new DwcpException(ErrorCode.IO, "reason=interrupted");
        }
    }

    /**
     * Reads the fixed header. The prefix is checked as soon as its 8 bytes are in, so a short foreign frame is
     * refused at once rather than waiting for bytes that never come. A clean EOF before the first byte is the
     * sender's normal end of stream.
     */
    private void readHeader() throws IOException {
        boolean checked = false;
        while (header.hasRemaining()) {
            int n = channel.read(header);
            if (n < 0) {
                if (header.position() == 0) {
                    throw new EOFException();
                }
                throw DwcpException.protocol("frame=data reason=truncated-header got=" + header.position());
            }
            if (!checked && header.position() >= FrameDescriptor.PREFIX_LENGTH) {
                FrameType type = FrameDescriptor.checkPrefix(header, 0, DataFrameDescriptor.maxBody());
                if (type != FrameType.DATA) {
                    throw DwcpException.protocol("frame=" + type.wireName()
                            + " reason=unexpected-on-data-stream");
                }
                checked = true;
            }
        }
        header.flip();
        header.position(0);
    }

    private String peer() {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already broken
        }
    }
}
