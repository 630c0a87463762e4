package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dwcp.core.Limits;
import io.dwcp.core.frame.Codec;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.DataFrameFlyweight;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.io.BlockingFrames;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Speaks the DWCP protocol by hand over a plain socket (with read timeouts, so a silent server fails a test
 * instead of hanging it). Messages are encoded with {@link ControlCodec}, which does not validate, so tests can
 * send what a correct client never would.
 */
final class RawClient implements AutoCloseable {
    static final Limits LIMITS = Limits.defaults();
    static final int BLOCK = Limits.MIN_BLOCK_SIZE;

    final Socket socket;
    private final DataInputStream in;
    private final OutputStream rawOut;
    private final WritableByteChannel out;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.rawOut = socket.getOutputStream();
        this.out = Channels.newChannel(rawOut);
    }

    static RawClient connect(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return new RawClient(s);
    }

    static RawClient connect(int port) throws IOException {
        return connect("127.0.0.1", port);
    }

    void send(Message m) throws IOException {
        BlockingFrames.writeMessage(out, m);
    }

    void sendRaw(byte[] b) throws IOException {
        rawOut.write(b);
        rawOut.flush();
    }

    void sendRaw(ByteBuffer... bufs) throws IOException {
        for (ByteBuffer b : bufs) {
            while (b.hasRemaining()) {
                out.write(b);
            }
        }
    }

    /** Reads one frame (prefix checked, body decoded); EOF and timeouts throw. */
    Message read() throws IOException {
        return read(LIMITS);
    }

    /** Reads one frame checked against {@code limits} (a frame over them throws, as it would at a real peer). */
    Message read(Limits limits) throws IOException {
        byte[] prefix = new byte[FrameDescriptor.PREFIX_LENGTH];
        in.readFully(prefix);
        ByteBuffer p = ByteBuffer.wrap(prefix);
        FrameType type = FrameDescriptor.checkPrefix(p, 0, limits.maxControlBody());
        byte[] body = new byte[p.getInt(FrameDescriptor.LENGTH_OFFSET)];
        in.readFully(body);
        return ControlCodec.decode(type, ByteBuffer.wrap(body), limits);
    }

    <T extends Message> T read(Class<T> type) throws IOException {
        Message m = read();
        if (!type.isInstance(m)) {
            fail("expected " + type.getSimpleName() + " but got " + m);
        }
        return type.cast(m);
    }

    /**
     * Reads up to DONE after a COMMIT, skipping FILE_DONEs: the tests that use this helper are about something else
     * (that each file gets exactly one FILE_DONE is ProtocolAbuseTest#eachFileGetsExactlyOneFileDone's to check).
     */
    Message.Done readDone() throws IOException {
        while (true) {
            Message m = read();
            if (m instanceof Message.Done d) {
                return d;
            }
            if (!(m instanceof Message.FileDone)) {
                fail("expected DONE but got " + m);
            }
        }
    }

    /**
     * The server's answer to something bad: an ERROR frame, then the connection closed. Returns the ERROR, or null
     * when the server closed without one. Fails when the server neither answers nor closes within the timeout.
     */
    Message.Error errorThenClose() throws IOException {
        Message.Error err = null;
        try {
            Message m = read();
            if (!(m instanceof Message.Error e)) {
                fail("expected ERROR or close, got " + m);
                return null;
            }
            err = e;
        } catch (EOFException | SocketException closed) {
            return null;
        } catch (SocketTimeoutException t) {
            fail("server neither answered nor closed within " + socket.getSoTimeout() + " ms");
        }
        assertTrue(closedWithin(Duration.ofSeconds(10)), "server must close the connection after ERROR " + err);
        return err;
    }

    /** True when the peer closes (EOF or reset) within {@code d}; anything it sends meanwhile is discarded. */
    boolean closedWithin(Duration d) throws IOException {
        int old = socket.getSoTimeout();
        long deadline = System.nanoTime() + d.toNanos();
        byte[] sink = new byte[4096];
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                try {
                    if (in.read(sink) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException t) {
                    return false;
                } catch (SocketException reset) {
                    return true;
                }
            }
            return false;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(old);
            }
        }
    }

    Message.Welcome hello(byte[] token, int streams) throws IOException {
        send(new Message.Hello("raw-test", token, streams));
        return read(Message.Welcome.class);
    }

    Message.Welcome hello() throws IOException {
        return hello(new byte[0], 1);
    }

    /** HELLO, an OFFER of {@code entries} into {@code dest} at block size {@link #BLOCK}, and its PLAN; returns the WELCOME. */
    Message.Welcome offer(String dest, Entry... entries) throws IOException {
        Message.Welcome w = hello();
        send(new Message.Offer(dest, BLOCK, List.of(entries)));
        read(Message.Plan.class);
        return w;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- data streams ----

    /** Opens a data stream, sends JOIN and expects JOIN_ACK. */
    static RawClient join(int dataPort, byte[] session, int stream) throws IOException {
        RawClient d = connect(dataPort);
        d.send(new Message.Join(session, stream));
        Message.JoinAck ack = d.read(Message.JoinAck.class);
        assertEquals(stream, ack.stream());
        return d;
    }

    /** A DATA frame (prefix, 48-byte header, RAW payload) carrying {@code block} with its correct CRC32C. */
    static ByteBuffer dataFrame(int fileId, long offset, byte[] block, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(block, from, length);
        ByteBuffer frame = ByteBuffer.allocate(DataFrameDescriptor.FRAME_HEADER_LENGTH + length);
        DataFrameFlyweight fw = new DataFrameFlyweight().wrap(frame);
        fw.encode(Codec.RAW, fileId, offset, length, length, (int) crc.getValue());
        frame.limit(frame.capacity()).position(DataFrameDescriptor.FRAME_HEADER_LENGTH);
        frame.put(block, from, length).flip();
        return frame;
    }

    void sendBlock(int fileId, byte[] content, int index) throws IOException {
        int off = index * BLOCK;
        sendRaw(dataFrame(fileId, off, content, off, Math.min(BLOCK, content.length - off)));
    }

    static int blocks(byte[] content) {
        return (content.length + BLOCK - 1) / BLOCK;
    }

    /** The whole-file digest the protocol expects for {@code content} at block size {@link #BLOCK}. */
    static byte[] fileDigest(byte[] content) {
        int n = blocks(content);
        byte[] d = new byte[n * BlockDigests.DIGEST_LENGTH];
        for (int i = 0; i < n; i++) {
            int off = i * BLOCK;
            BlockDigests.digest(ByteBuffer.wrap(content, off, Math.min(BLOCK, content.length - off)), d, i);
        }
        return BlockDigests.fileDigest(d, n, content.length);
    }

    /** 2023-11-14T22:13:20Z in nanoseconds: OFFER mtimes are nanoseconds since protocol version 2 (they were ms). */
    static final long MTIME_BASE_NANOS = 1_700_000_000_000_000_000L;
    private static final java.util.concurrent.atomic.AtomicLong MTIME_SEQ = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A file entry for {@code content}. Each call gets its own mtime (a second apart), like a file edited between two
     * offers: the receiver's quick check (same size and mtime: SKIP, nothing read) must never take a different
     * {@code content} offered under a name the server already has for unchanged. A test that wants the quick check
     * builds its {@link Entry} with the mtime it needs.
     */
    static Entry file(String path, byte[] content) {
        return Entry.file(path, content.length, 0644, MTIME_BASE_NANOS + MTIME_SEQ.incrementAndGet() * 1_000_000_000L);
    }

    /**
     * A complete, correct transfer of one file done by hand: HELLO, OFFER, PLAN, JOIN, DATA, FILE_END, FILE_DONE,
     * COMMIT, DONE. Proves the server is (still) serving.
     */
    static Message.Done transfer(int controlPort, String dest, String name, byte[] content) throws IOException {
        try (RawClient c = connect(controlPort)) {
            Message.Welcome w = c.hello();
            c.send(new Message.Offer(dest, BLOCK, List.of(file(name, content))));
            Message.Plan plan = c.read(Message.Plan.class);
            assertEquals(1, plan.files().size(), "plan " + plan);
            Message.FilePlan line = plan.files().get(0);
            assertEquals(0, line.fileId(), "plan " + plan);
            assertTrue(line.action() == Message.FilePlan.NEW || line.action() == Message.FilePlan.BASIS,
                    "the file must be wanted (NEW or BASIS), not SKIP or FAILED: " + line.action() + " " + line.detail());
            try (RawClient d = join(w.dataPort(), w.sessionId(), 0)) {
                for (int i = 0; i < blocks(content); i++) {
                    d.sendBlock(0, content, i);
                }
                c.send(new Message.FileEnd(0, blocks(content), fileDigest(content)));
                Message.FileDone fd = c.read(Message.FileDone.class);
                assertEquals(Message.FileDone.OK, fd.status(), "file_done " + fd);
            }
            c.send(new Message.Commit());
            Message.Done done = c.readDone();
            assertTrue(done.verified(), "done " + done);
            return done;
        }
    }
}
