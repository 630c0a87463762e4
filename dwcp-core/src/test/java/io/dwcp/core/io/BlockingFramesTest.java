package io.dwcp.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BlockingFramesTest {
    private static final Limits LIMITS = Limits.defaults();
    private static final int MAX = LIMITS.maxControlBody();

    /** In-memory readable channel that hands out at most {@code chunk} bytes per read. */
    static final class TrickleChannel implements ReadableByteChannel {
        private final ByteBuffer src;
        private final int chunk;
        int reads;

        TrickleChannel(byte[] data, int chunk) {
            this.src = ByteBuffer.wrap(data);
            this.chunk = chunk;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!src.hasRemaining()) {
                return -1;
            }
            reads++;
            int n = Math.min(chunk, Math.min(src.remaining(), dst.remaining()));
            ByteBuffer part = src.slice(src.position(), n);
            dst.put(part);
            src.position(src.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    /** In-memory writable channel that accepts at most {@code chunk} bytes per write (sometimes none). */
    static final class SlowSink implements WritableByteChannel {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int chunk;
        private int calls;

        SlowSink(int chunk) {
            this.chunk = chunk;
        }

        @Override
        public int write(ByteBuffer src) {
            if (calls++ % 3 == 2) {
                return 0; // a non-blocking-style short write of nothing
            }
            int n = Math.min(chunk, src.remaining());
            byte[] b = new byte[n];
            src.get(b);
            out.write(b, 0, n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    static byte[] frames(Message... ms) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Message m : ms) {
            ByteBuffer b = ControlCodec.encode(m);
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }
        return out.toByteArray();
    }

    @Test
    void messagesRoundTripOverAPipe() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < 5000; i++) {
                entries.add(Entry.file("dir/file-" + i, i, 0644, i)); // ~150 KB: more than a pipe buffer
            }
            Message.Offer offer = new Message.Offer("dest", 1 << 20, entries);
            Message.Hello hello = new Message.Hello("client", new byte[] {1, 2, 3}, 4);
            CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    int n = BlockingFrames.writeMessage(sink, hello);
                    n += BlockingFrames.writeMessage(sink, offer);
                    n += BlockingFrames.writeMessage(sink, new Message.Commit());
                    sink.close();
                    return n;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Message.Hello h = (Message.Hello) BlockingFrames.readMessage(source, LIMITS, MAX);
            assertEquals("client", h.client());
            assertArrayEquals(new byte[] {1, 2, 3}, h.token());
            assertEquals(4, h.streams());
            assertEquals(offer, BlockingFrames.readMessage(source, LIMITS, MAX));
            assertEquals(new Message.Commit(), BlockingFrames.readMessage(source, LIMITS, MAX));
            assertEquals(frames(hello, offer, new Message.Commit()).length, writer.get(10, TimeUnit.SECONDS));
            // The writer closed the pipe: a further read is an EOF, not a hang or a garbage frame.
            EOFException e = assertThrows(EOFException.class, () -> BlockingFrames.readMessage(source, LIMITS, MAX));
            assertTrue(e.getMessage().contains("missing=8"), e.getMessage());
        }
    }

    @Test
    void readsAcrossShortReads() throws Exception {
        Message.BlockNack nack = new Message.BlockNack(3, 1L << 33, "bad-crc");
        Message.JoinAck ack = new Message.JoinAck(2);
        TrickleChannel ch = new TrickleChannel(frames(nack, ack), 1);
        assertEquals(nack, BlockingFrames.readMessage(ch, LIMITS, MAX));
        assertEquals(ack, BlockingFrames.readMessage(ch, LIMITS, MAX));
        assertTrue(ch.reads > 20, "the channel really was read one byte at a time");
    }

    @Test
    void writesAcrossShortWrites() throws Exception {
        Message.FileDone done = new Message.FileDone(7, 0, "ok".repeat(100));
        SlowSink sink = new SlowSink(3);
        int n = BlockingFrames.writeMessage(sink, done);
        byte[] want = frames(done);
        assertEquals(want.length, n);
        assertArrayEquals(want, sink.out.toByteArray());
    }

    @Test
    void writeFullyReturnsTheBytesAndDrainsTheBuffer() throws Exception {
        SlowSink sink = new SlowSink(5);
        ByteBuffer b = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 9);
        assertEquals(9, BlockingFrames.writeFully(sink, b));
        assertEquals(0, b.remaining());
        assertArrayEquals(new byte[] {3, 4, 5, 6, 7, 8, 9, 10, 11}, sink.out.toByteArray());
    }

    @Test
    void readFullyFillsToTheLimitOnly() throws Exception {
        TrickleChannel ch = new TrickleChannel(new byte[] {1, 2, 3, 4, 5, 6}, 2);
        ByteBuffer b = ByteBuffer.allocate(10).limit(5);
        BlockingFrames.readFully(ch, b);
        assertEquals(5, b.position());
        ByteBuffer rest = ByteBuffer.allocate(1);
        BlockingFrames.readFully(ch, rest);
        assertEquals(6, rest.get(0));
    }

    @Test
    void eofBeforeAnyByteIsEof() {
        TrickleChannel ch = new TrickleChannel(new byte[0], 100);
        EOFException e = assertThrows(EOFException.class, () -> BlockingFrames.readMessage(ch, LIMITS, MAX));
        assertEquals("reason=eof missing=8", e.getMessage());
    }

    @Test
    void eofInsideThePrefixIsEof() {
        byte[] f = frames(new Message.JoinAck(1));
        TrickleChannel ch = new TrickleChannel(java.util.Arrays.copyOf(f, 5), 100);
        EOFException e = assertThrows(EOFException.class, () -> BlockingFrames.readMessage(ch, LIMITS, MAX));
        assertEquals("reason=eof missing=3", e.getMessage());
    }

    @Test
    void eofInsideTheBodyIsEof() {
        byte[] f = frames(new Message.Hello("client", new byte[10], 1));
        for (int cut = FrameDescriptor.PREFIX_LENGTH; cut < f.length; cut++) {
            TrickleChannel ch = new TrickleChannel(java.util.Arrays.copyOf(f, cut), 3);
            EOFException e = assertThrows(EOFException.class, () -> BlockingFrames.readMessage(ch, LIMITS, MAX));
            assertEquals("reason=eof missing=" + (f.length - cut), e.getMessage());
        }
    }

    @Test
    void oversizedBodyIsRefusedBeforeReadingIt() {
        // The prefix claims 1 GiB: refused from the prefix alone, without buffering or allocating that much.
        ByteBuffer prefix = ByteBuffer.allocate(8);
        FrameDescriptor.writePrefix(prefix, FrameType.OFFER, 1 << 30);
        TrickleChannel ch = new TrickleChannel(prefix.array(), 100);
        DwcpException e = assertThrows(DwcpException.class, () -> BlockingFrames.readMessage(ch, LIMITS, 4096));
        assertEquals(ErrorCode.PROTOCOL, e.code());
        assertTrue(e.getMessage().contains("reason=too-long"), e.getMessage());
    }

    @Test
    void dataFrameOnAControlReadIsRefused() {
        ByteBuffer prefix = ByteBuffer.allocate(8);
        FrameDescriptor.writePrefix(prefix, FrameType.DATA, 100);
        TrickleChannel ch = new TrickleChannel(prefix.array(), 100);
        DwcpException e = assertThrows(DwcpException.class, () -> BlockingFrames.readMessage(ch, LIMITS, MAX));
        assertTrue(e.getMessage().contains("reason=unexpected-here"), e.getMessage());
    }

    @Test
    void garbageOnTheWireIsAProtocolError() {
        TrickleChannel ch = new TrickleChannel("SSH-2.0-OpenSSH_9.6\r\n".getBytes(), 100);
        DwcpException e = assertThrows(DwcpException.class, () -> BlockingFrames.readMessage(ch, LIMITS, MAX));
        assertTrue(e.getMessage().contains("reason=bad-magic"), e.getMessage());
    }

    @Test
    void malformedBodyIsAProtocolError() {
        byte[] f = frames(new Message.JoinAck(1));
        byte[] longer = java.util.Arrays.copyOf(f, f.length + 1);
        ByteBuffer.wrap(longer).putInt(FrameDescriptor.LENGTH_OFFSET, 5); // body of 5 bytes: 1 trailing
        TrickleChannel ch = new TrickleChannel(longer, 100);
        DwcpException e = assertThrows(DwcpException.class, () -> BlockingFrames.readMessage(ch, LIMITS, MAX));
        assertTrue(e.getMessage().contains("reason=trailing-bytes"), e.getMessage());
    }

    @Test
    void streamRoundTripThroughJavaIoStreams() throws Exception {
        // The CLI may wrap sockets as streams: Channels adapters must behave the same.
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        WritableByteChannel w = Channels.newChannel(bytes);
        Message.Done done = new Message.Done(3, 4, 5, true);
        Message.Error err = new Message.Error(ErrorCode.LIMIT, "reason=quota");
        BlockingFrames.writeMessage(w, done);
        BlockingFrames.writeMessage(w, err);
        ReadableByteChannel r = Channels.newChannel(new java.io.ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(done, BlockingFrames.readMessage(r, LIMITS, MAX));
        assertEquals(err, BlockingFrames.readMessage(r, LIMITS, MAX));
        assertThrows(EOFException.class, () -> BlockingFrames.readMessage(r, LIMITS, MAX));
    }
}
