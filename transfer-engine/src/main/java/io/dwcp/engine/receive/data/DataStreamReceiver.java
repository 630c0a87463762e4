package io.dwcp.engine.receive.data;

import io.dwcp.core.concurrent.ThreadAllocation;
import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Log;
import io.dwcp.core.frame.Codec;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.DataFrameFlyweight;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.io.BlockingFrames;
import io.dwcp.core.message.Message;
import io.dwcp.engine.stream.DataSocketChannel;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.DataSocket;
import io.dwcp.zerocopy.IdleTimeoutException;
import io.dwcp.zerocopy.TruncatedPayloadException;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;

/**
 * One data stream: JOIN, then DATA frames until the sender closes. Each frame's header is validated before its
 * payload is touched. A RAW payload is spliced straight into the part file at its offset (when the I/O path can
 * splice: no copy through this process) and handed to the session's {@link BlockPipeline} as landed; any other
 * payload is read into a pipeline slot, which the pipeline decodes. Either way the pipeline checks the CRC32C of
 * the reconstructed bytes before the block counts.
 */
final class DataStreamReceiver implements Runnable, AutoCloseable {
    private static final Log LOG = Log.of("data");
    /** JOIN and ERROR bodies are tiny; anything larger on a data stream is refused by the prefix check. */
    private static final int MAX_CONTROL_BODY = 256;

    private final DataSocket socket;
    private final DataSessions sessions;
    private final DataPlane plane;
    private final boolean landing;
    /** Smallest RAW payload spliced straight into its file. */
    static final int MIN_LANDING = 256 * 1024;
    private DataSession session;

    DataStreamReceiver(DataSocket socket, DataSessions sessions, DataPlane plane) {
        this.socket = socket;
        this.sessions = sessions;
        this.plane = plane;
        this.landing = plane.runtime().io().splice();
    }

    @Override
    public void run() {
        long alloc = ThreadAllocation.current();
        // The stream's own small buffers: its frame header and the handshake's. Freed when the stream ends.
        try (Arena arena = Arena.ofConfined()) {
            DataSocketChannel handshake = new DataSocketChannel(socket, arena, FrameDescriptor.PREFIX_LENGTH
                    + MAX_CONTROL_BODY);
            join(handshake);
            receive(arena.allocate(DataFrameDescriptor.FRAME_HEADER_LENGTH, 64));
        } catch (EOFException | AsynchronousCloseException e) {
            // sender finished between frames, or the session closed us
        } catch (IdleTimeoutException e) {
            LOG.warn("peer=" + peer() + " stream idle-timeout closing");
            if (session != null) {
                session.abort(ErrorCode.LIMIT, "reason=idle-timeout stream=data");
            }
        } catch (DwcpException e) {
            LOG.warn("peer=" + peer() + " stream-closed " + e.getMessage());
            if (session != null) {
                session.abort(e.code(), e.getMessage());
            } else {
                refuse(e);
            }
        } catch (IOException e) {
            if (session != null) {
                session.abort(ErrorCode.IO, "reason=data-stream-failed detail=\"" + e.getMessage() + "\"");
            }
        } finally {
            close();
            plane.remove(this);
            if (session != null) {
                session.detach(ThreadAllocation.since(alloc));
            }
        }
    }

    private void refuse(DwcpException e) {
        try (Arena arena = Arena.ofConfined()) {
            BlockingFrames.writeMessage(new DataSocketChannel(socket, arena, FrameDescriptor.PREFIX_LENGTH
                    + MAX_CONTROL_BODY), new Message.Error(e.code(), e.getMessage()));
        } catch (IOException ignored) {
            // the peer is gone or broken; nothing more to tell it
        }
    }

    private void join(DataSocketChannel handshake) throws IOException {
        Message m = BlockingFrames.readMessage(handshake, plane.limits(), MAX_CONTROL_BODY);
        if (!(m instanceof Message.Join join)) {
            throw DwcpException.protocol("frame=" + m.type().wireName() + " reason=expected-join");
        }
        DataSession s = sessions.find(join.sessionId(), socket.remoteAddress());
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
        BlockingFrames.writeMessage(handshake, new Message.JoinAck(join.stream()));
    }

    private void receive(MemorySegment header) throws IOException {
        int blockSize = session.blockSize();
        BlockPipeline pipeline = session.pipeline(plane.runtime());
        ByteBuffer headerView = header.asByteBuffer();
        DataFrameFlyweight frame = new DataFrameFlyweight().wrap(headerView);
        try {
            while (readHeader(header, headerView)) {
                frame.validate(blockSize);
                int fileId = frame.fileId();
                long offset = frame.offset();
                int length = frame.reconstructedLength();
                session.checkBlock(fileId, offset, length);
                Codec codec = frame.codec();
                int wire = frame.wireLength();
                BlockPipeline.Slot slot = pipeline.acquire();
                slot.codec = codec;
                slot.fileId = fileId;
                slot.offset = offset;
                slot.length = length;
                slot.crc = frame.crc();
                slot.frameBytes = FrameDescriptor.PREFIX_LENGTH + DataFrameDescriptor.HEADER_LENGTH + wire;
                if (codec.usesBasis()) {
                    frame.basisDigest(slot.basis, 0);
                }
                // Splice pays for big payloads; a small one (a small file's only block) costs two splices and a
                // read-back where one recv into the slot and one pwrite after the check will do.
                boolean small = codec == Codec.RAW && wire < MIN_LANDING;
                // A frame of a file that failed meanwhile is read all the same; the pipeline drops it.
                slot.landed = landing && codec == Codec.RAW && !small && land(fileId, offset, wire);
                if (!slot.landed) {
                    readPayload(slot, wire);
                }
                if (small) {
                    pipeline.runInline(slot);
                } else {
                    pipeline.submit(slot);
                }
            }
        } catch (InterruptedException e) {
            throw new DwcpException(ErrorCode.IO, "reason=interrupted");
        }
    }

    /**
     * Splices the payload into the part file at its offset; the pipeline verifies it there. False, with nothing
     * read, when the file failed meanwhile: the caller reads the payload to drop it.
     */
    private boolean land(int fileId, long offset, int wire) throws IOException {
        DataFile file;
        try {
            file = session.beginLanding(fileId, offset, wire);
        } catch (DwcpException e) {
            if (session.dropsBlocksOf(fileId) || session.failedToStore(fileId, e)) {
                return false;
            }
            throw e;
        }
        try {
            socket.receiveToFile(file, offset, wire);
        } catch (TruncatedPayloadException e) {
            throw DwcpException.protocol("frame=data reason=truncated-payload missing=" + (e.expected() - e.received()));
        } finally {
            session.endLanding(fileId);
        }
        return true;
    }

    private void readPayload(BlockPipeline.Slot slot, int wire) throws IOException {
        try {
            socket.readFully(slot.segment, 0, wire);
        } catch (TruncatedPayloadException e) {
            throw DwcpException.protocol("frame=data reason=truncated-payload missing=" + (e.expected() - e.received()));
        }
        slot.payload.clear().limit(wire);
    }

    /**
     * Reads the fixed header. The prefix is checked as soon as its 8 bytes are in, so a short foreign frame is
     * refused at once rather than waiting for bytes that never come. Returns false on a clean end of stream before
     * the first byte (the sender's normal end).
     */
    private boolean readHeader(MemorySegment header, ByteBuffer headerView) throws IOException {
        int prefix = FrameDescriptor.PREFIX_LENGTH;
        int got = 0;
        while (got < prefix) {
            int n;
            try {
                n = socket.read(header, got, prefix - got);
            } catch (IdleTimeoutException e) {
                // Between frames, a quiet stream is fine while its session is busy elsewhere (the control
                // connection, planning): only a session idle as a whole times out.
                if (got == 0 && System.nanoTime() - session.lastActivityNanos()
                        < plane.limits().idleTimeoutMillis() * 1_000_000L) {
                    continue;
                }
                throw e;
            }
            if (n < 0) {
                if (got == 0) {
                    return false;
                }
                throw DwcpException.protocol("frame=data reason=truncated-header got=" + got);
            }
            got += n;
        }
        FrameType type = FrameDescriptor.checkPrefix(headerView, 0, DataFrameDescriptor.maxBody());
        if (type != FrameType.DATA) {
            throw DwcpException.protocol("frame=" + type.wireName() + " reason=unexpected-on-data-stream");
        }
        try {
            socket.readFully(header, prefix, header.byteSize() - prefix);
        } catch (TruncatedPayloadException e) {
            throw DwcpException.protocol("frame=data reason=truncated-header got=" + (prefix + e.received()));
        }
        return true;
    }

    private String peer() {
        try {
            return String.valueOf(socket.remoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already broken
        }
    }
}
