package io.dwcp.cli;

import static io.dwcp.cli.RawClient.BLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.frame.DataFrameDescriptor;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a hostile or broken peer can do with the raw protocol: path traversal, links out of the root, malformed and
 * oversized frames on both ports, lying senders. Every case must end in an ERROR (or a closed connection) for that
 * connection only, nothing written outside the root, nothing wrong under a final name, and the server still serving.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProtocolAbuseTest {
    @TempDir
    static Path base;
    private static Path root;
    private static Path outside;
    private static ServerProcess server;
    private static final AtomicInteger SEQ = new AtomicInteger();

    @BeforeAll
    static void startServer() throws Exception {
        root = Files.createDirectories(base.resolve("root"));
        outside = Files.createDirectories(base.resolve("outside"));
        Files.writeString(outside.resolve("sentinel.txt"), "outside the root");
        server = ServerProcess.serve(root);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Everything below {@code base} that is not below the root: must never change. */
    private static void assertNothingOutsideRoot() throws IOException {
        List<String> outsideRoot = Harness.listTree(base).stream().filter(p -> !p.equals("root") && !p.startsWith("root/"))
                .toList();
        assertEquals(List.of("outside", "outside/sentinel.txt"), outsideRoot, "files appeared outside the root");
        assertEquals("outside the root", Files.readString(outside.resolve("sentinel.txt")));
    }

    /** The server still completes a correct transfer (done by hand, fast). */
    private static void assertStillServing() throws IOException {
        byte[] content = Harness.random(SEQ.incrementAndGet(), 3 * BLOCK + 17);
        String name = "alive-" + SEQ.get() + ".bin";
        RawClient.transfer(server.controlPort, "alive", name, content);
        assertTrue(Arrays.equals(content, Files.readAllBytes(root.resolve("alive").resolve(name))));
    }

    private static void assertCode(Message.Error e, ErrorCode... allowed) {
        assertNotNull(e, "expected an ERROR frame before the close");
        assertTrue(Arrays.asList(allowed).contains(e.code()), "error code " + e.code() + " not in "
                + Arrays.toString(allowed) + ": " + e.message());
    }

    // ---- 5. traversal ----

    static Stream<Arguments> traversalOffers() {
        String abs = base.resolve("outside").toAbsolutePath().toString();
        return Stream.of(
                Arguments.of("", Entry.file("../escape", 5, 0644, 0), "../escape"),
                Arguments.of("", Entry.file(abs + "/escape-abs", 5, 0644, 0), abs + "/escape-abs"),
                Arguments.of("", Entry.file("a/../../escape", 5, 0644, 0), "a/../../escape"),
                Arguments.of("", Entry.file("a/./b", 5, 0644, 0), "a/./b"),
                Arguments.of("", Entry.file("a//b", 5, 0644, 0), "a//b"),
                Arguments.of("", Entry.file("..\\escape", 5, 0644, 0), "bad-character"),
                Arguments.of("", Entry.file("nul\0x", 5, 0644, 0), "bad-character"),
                Arguments.of("", Entry.dir("../escape-dir", 0755, 0), "../escape-dir"),
                Arguments.of("ok", Entry.file("../../escape", 5, 0644, 0), "../../escape"),
                Arguments.of("../escape-dest", Entry.file("f.txt", 5, 0644, 0), "../escape-dest"),
                Arguments.of(abs, Entry.file("f.txt", 5, 0644, 0), abs),
                Arguments.of("x/../../escape-dest2", Entry.file("f.txt", 5, 0644, 0), "x/../../escape-dest2"),
                Arguments.of("", Entry.symlink("link", "../../outside/sentinel.txt", 0), "link"),
                Arguments.of("", Entry.symlink("d/link", "../../outside", 0), "d/link"),
                Arguments.of("", Entry.symlink("link-abs", "/etc/passwd", 0), "link-abs"),
                Arguments.of("", Entry.symlink("d/link2", "x/../../../outside", 0), "d/link2"),
                Arguments.of("sub", Entry.symlink("link3", "..", 0), "link3"));
    }

    @ParameterizedTest(name = "[{index}] dest=\"{0}\" {1}")
    @MethodSource("traversalOffers")
    void offersReachingOutsideTheRootAreRefused(String dest, Entry entry, String named) throws Exception {
        try (RawClient c = RawClient.connect(server.controlPort)) {
            c.hello();
            c.send(new Message.Offer(dest, BLOCK, List.of(entry)));
            Message.Error e = c.errorThenClose();
            assertCode(e, ErrorCode.PATH, ErrorCode.PROTOCOL);
            assertTrue(e.message().contains(named), "the error must name the path (" + named + "): " + e.message());
        }
        assertNothingOutsideRoot();
        assertStillServing();
    }

    @Test
    void destThroughASymlinkedDirectoryIsRefused() throws Exception {
        Files.createSymbolicLink(root.resolve("evil"), outside);
        Path src = Files.createDirectories(base.resolve("src-evil"));
        Path f = Files.writeString(src.resolve("payload.txt"), "should never land outside");
        try {
            for (String dest : List.of("evil", "evil/sub")) {
                Result r = Harness.send(List.of(), List.of(f), server.target(dest));
                r.assertExit(2);
                String error = String.valueOf(r.json().get("error"));
                assertTrue(error.contains("symlink"), "error must say why: " + r);
            }
            // A tree whose directory has the name of the link.
            Path tree = Files.createDirectories(src.resolve("t/evil"));
            Files.writeString(tree.resolve("inner.txt"), "x");
            Result r = Harness.send(List.of(), List.of(src.resolve("t") + "/"), server.target(""));
            r.assertExit(2);
            assertTrue(String.valueOf(r.json().get("error")).contains("symlink"), r::toString);
            assertEquals(List.of("sentinel.txt"), Harness.listTree(outside), "written through the link");
        } finally {
            Files.delete(root.resolve("evil"));
            Harness.deleteTree(src);
        }
        assertNothingOutsideRoot();
    }

    /**
     * A link at the final name, to an outside file or to nothing (the server looks at the target with
     * Files.exists, which follows links and says false for a dangling one): replaced by the file, never written
     * through, nothing created through it.
     */
    @ParameterizedTest(name = "target {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"sentinel.txt", "created-through-a-link.txt"})
    void aSymlinkAtTheFinalNameIsReplacedNotWrittenThrough(String target) throws Exception {
        Path dir = Files.createDirectories(root.resolve("lnk-" + target));
        Path linked = outside.resolve(target);
        boolean existed = Files.exists(linked);
        Files.createSymbolicLink(dir.resolve("f.txt"), linked);
        byte[] content = Harness.random(77, 2 * BLOCK + 3);
        RawClient.transfer(server.controlPort, "lnk-" + target, "f.txt", content);
        assertFalse(Files.isSymbolicLink(dir.resolve("f.txt")));
        assertTrue(Arrays.equals(content, Files.readAllBytes(dir.resolve("f.txt"))));
        assertEquals(existed, Files.exists(linked, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "nothing may be created through the link");
        assertNothingOutsideRoot();
    }

    @Test
    void aSymlinkWhereThePartFileGoesIsNeverWrittenThrough() throws Exception {
        Path dir = Files.createDirectories(root.resolve("plnk"));
        Files.createSymbolicLink(dir.resolve("f.txt.dwcp-part"), outside.resolve("sentinel.txt"));
        byte[] content = Harness.random(78, 2 * BLOCK + 3);
        // Either the stale link is replaced and the file lands, or the transfer fails (the server may close on
        // us mid-way); it is never written through.
        try (RawClient c = RawClient.connect(server.controlPort)) {
            Message.Welcome w = c.offer("plnk", RawClient.file("f.txt", content));
            try (RawClient d = RawClient.join(w.dataPort(), w.sessionId(), 0)) {
                for (int i = 0; i < RawClient.blocks(content); i++) {
                    d.sendBlock(0, content, i);
                }
                c.send(new Message.FileEnd(0, RawClient.blocks(content), RawClient.fileDigest(content)));
                Message m = c.read();
                if (m instanceof Message.FileDone fd && fd.status() == Message.FileDone.OK) {
                    assertTrue(Arrays.equals(content, Files.readAllBytes(dir.resolve("f.txt"))));
                }
            }
        } catch (IOException refusedAndClosed) {
            // acceptable: see above
        }
        assertNothingOutsideRoot();
        assertStillServing();
    }

    // ---- 6. malformed frames on the control port ----

    /** A message encoded as exactly its frame's bytes. */
    private static byte[] enc(Message m) {
        ByteBuffer b = io.dwcp.core.message.ControlCodec.encode(m);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static byte[] prefix(int magic, int version, int type, int length) {
        return ByteBuffer.allocate(8).putShort((short) magic).put((byte) version).put((byte) type).putInt(length).array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    static Stream<Arguments> badControlStreams() {
        int m = FrameDescriptor.MAGIC;
        int v = FrameDescriptor.VERSION;
        byte[] helloStreams0 = enc(new Message.Hello("x", new byte[0], 0));
        byte[] hugeToken = concat(prefix(m, v, FrameType.HELLO.code(), 4 + 1 + 4 + 4),
                ByteBuffer.allocate(13).putInt(1).put((byte) 'x').putInt(0x7fffffff).putInt(1).array());
        return Stream.of(
                Arguments.of("http garbage", "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "bad-magic"),
                Arguments.of("zeros", new byte[64], "bad-magic"),
                Arguments.of("body length 0x7fffffff", prefix(m, v, FrameType.HELLO.code(), 0x7fffffff), "too-long"),
                Arguments.of("negative body length", prefix(m, v, FrameType.HELLO.code(), -1), "too-long"),
                Arguments.of("unknown frame type", prefix(m, v, 0x55, 0), "unknown-type"),
                Arguments.of("unsupported version", prefix(m, 2, FrameType.HELLO.code(), 0), "unsupported-version"),
                Arguments.of("DATA on control", prefix(m, v, FrameType.DATA.code(), 48), "not-a-control-frame"),
                Arguments.of("JOIN on control", prefix(m, v, FrameType.JOIN.code(), 20), "not-a-control-frame"),
                Arguments.of("truncated HELLO body", concat(prefix(m, v, FrameType.HELLO.code(), 3), new byte[] {0, 0, 0}),
                        "truncated"),
                Arguments.of("COMMIT before HELLO", enc(new Message.Commit()),
                        "expected-hello"),
                Arguments.of("HELLO with 0 streams", helloStreams0, "bad-streams"),
                Arguments.of("HELLO with a 2 GiB token", hugeToken, "token"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badControlStreams")
    void malformedControlFramesCostOnlyTheirConnection(String what, byte[] bytes, String reason) throws Exception {
        try (RawClient c = RawClient.connect(server.controlPort)) {
            c.sendRaw(bytes);
            Message.Error e = c.errorThenClose();
            assertCode(e, ErrorCode.PROTOCOL);
            assertTrue(e.message().contains(reason), what + ": " + e.message());
        }
        assertStillServing();
    }

    static Stream<Arguments> badOffers() {
        return Stream.of(
                Arguments.of("garbage after HELLO", (Function<byte[], byte[]>) s -> new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9},
                        "bad-magic"),
                Arguments.of("OFFER with 0x7fffffff entries", (Function<byte[], byte[]>) s -> concat(
                        prefix(FrameDescriptor.MAGIC, FrameDescriptor.VERSION, FrameType.OFFER.code(), 12),
                        ByteBuffer.allocate(12).putInt(0).putInt(BLOCK).putInt(0x7fffffff).array()), "limit"),
                Arguments.of("OFFER with block size 3000", (Function<byte[], byte[]>) s ->
                        enc(new Message.Offer("", 3000, List.of())), "bad-block-size"),
                Arguments.of("OFFER with a negative size", (Function<byte[], byte[]>) s ->
                        enc(new Message.Offer("", BLOCK, List.of(Entry.file("neg", -5, 0644, 0)))), "bad-size"),
                Arguments.of("OFFER with an unknown entry kind", (Function<byte[], byte[]>) s -> {
                    byte[] b = enc(new Message.Offer("", BLOCK,
                            List.of(Entry.file("k", 1, 0644, 0))));
                    b[8 + 4 + 4 + 4] = 9; // prefix, dest length (dest empty), block size, count, then the kind byte
                    return b;
                }, "unknown-entry-kind"),
                Arguments.of("OFFER with a duplicate path", (Function<byte[], byte[]>) s -> enc(new Message.Offer("", BLOCK,
                        List.of(Entry.file("dup", 1, 0644, 0), Entry.file("dup", 1, 0644, 0)))), "duplicate-path"),
                Arguments.of("second OFFER", (Function<byte[], byte[]>) s -> {
                    byte[] one = enc(new Message.Offer("twice", BLOCK,
                            List.of(Entry.file("a", 1, 0644, 0))));
                    return concat(one, one);
                }, "unexpected"),
                Arguments.of("JOIN_ACK on control", (Function<byte[], byte[]>) s -> concat(
                        prefix(FrameDescriptor.MAGIC, FrameDescriptor.VERSION, FrameType.JOIN_ACK.code(), 4), new byte[4]),
                        "not-a-control-frame"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badOffers")
    void malformedFramesInsideASessionEndThatSessionOnly(String what, Function<byte[], byte[]> frames, String reason)
            throws Exception {
        try (RawClient c = RawClient.connect(server.controlPort)) {
            Message.Welcome w = c.hello();
            c.sendRaw(frames.apply(w.sessionId()));
            Message m = c.read();
            if (m instanceof Message.Plan) {
                m = c.read(); // the second OFFER case: the first one is answered
            }
            assertTrue(m instanceof Message.Error, what + ": expected ERROR, got " + m);
            Message.Error e = (Message.Error) m;
            assertCode(e, ErrorCode.PROTOCOL, ErrorCode.PATH);
            assertTrue(e.message().contains(reason), what + ": " + e.message());
            assertTrue(c.closedWithin(Duration.ofSeconds(10)), "connection must be closed after ERROR");
        }
        assertStillServing();
    }

    @Test
    void aNormalCliTransferRightAfterGarbage(@TempDir Path src) throws Exception {
        try (RawClient c = RawClient.connect(server.controlPort)) {
            c.sendRaw(prefix(FrameDescriptor.MAGIC, FrameDescriptor.VERSION, FrameType.HELLO.code(), 0x7fffffff));
            c.errorThenClose();
        }
        try (RawClient d = RawClient.connect(server.dataPort)) {
            d.sendRaw("garbage garbage garbage".getBytes(StandardCharsets.US_ASCII));
            d.errorThenClose();
        }
        Path f = Harness.randomFile(src.resolve("after-garbage.bin"), 3 * 1024 * 1024 + 1, 5);
        Result r = Harness.send(List.of(), List.of(f), server.target("cli-after-garbage"));
        r.assertExit(0);
        assertEquals(Boolean.TRUE, r.json().get("verified"));
        assertEquals(-1L, Files.mismatch(f, root.resolve("cli-after-garbage/after-garbage.bin")));
    }

    // ---- 6. the data port ----

    @Test
    void garbageInsteadOfJoinIsRefused() throws Exception {
        try (RawClient d = RawClient.connect(server.dataPort)) {
            d.sendRaw("\u0000\u0001garbage instead of a JOIN frame".getBytes(StandardCharsets.US_ASCII));
            Message.Error e = d.errorThenClose();
            if (e != null) {
                assertCode(e, ErrorCode.PROTOCOL);
            }
        }
        try (RawClient d = RawClient.connect(server.dataPort)) {
            d.sendRaw(prefix(FrameDescriptor.MAGIC, FrameDescriptor.VERSION, FrameType.JOIN.code(), 0x7fffffff));
            Message.Error e = d.errorThenClose();
            if (e != null) {
                assertCode(e, ErrorCode.PROTOCOL);
                assertTrue(e.message().contains("too-long"), e.message());
            }
        }
        assertStillServing();
    }

    @Test
    void aStreamThatEndsInsideItsFirstFrameIsClosed() throws Exception {
        // A few bytes of a JOIN, then the client's half-close: the server must notice the end of stream and close,
        // not spin on it.
        try (RawClient d = RawClient.connect(server.dataPort)) {
            d.sendRaw(new byte[] {0x44, 0x57, 1});
            d.socket.shutdownOutput();
            assertTrue(d.closedWithin(Duration.ofSeconds(5)), "server kept a half-closed, half-framed stream open");
        }
        try (RawClient c = RawClient.connect(server.controlPort)) {
            c.sendRaw(new byte[] {0x44, 0x57, 1, 1, 0, 0});
            c.socket.shutdownOutput();
            assertTrue(c.closedWithin(Duration.ofSeconds(5)), "server kept a half-closed control connection open");
        }
        assertStillServing();
    }

    @Test
    void joinWithAnUnknownSessionIsRefused() throws Exception {
        try (RawClient d = RawClient.connect(server.dataPort)) {
            d.send(new Message.Join(new byte[16], 0));
            Message.Error e = d.errorThenClose();
            assertCode(e, ErrorCode.AUTH);
            assertTrue(e.message().contains("unknown-session"), e.message());
        }
        try (RawClient d = RawClient.connect(server.dataPort)) {
            d.send(new Message.Join(new byte[3], 0)); // a session id of the wrong length
            Message.Error e = d.errorThenClose();
            if (e != null) {
                assertCode(e, ErrorCode.PROTOCOL, ErrorCode.AUTH);
            }
        }
        assertStillServing();
    }

    @Test
    void joinBeforeThePlanAndSurplusStreamsAreRefused() throws Exception {
        try (RawClient c = RawClient.connect(server.controlPort)) {
            Message.Welcome w = c.hello(new byte[0], 1);
            try (RawClient d = RawClient.connect(w.dataPort())) {
                d.send(new Message.Join(w.sessionId(), 0));
                Message.Error e = d.errorThenClose();
                assertCode(e, ErrorCode.PROTOCOL);
                assertTrue(e.message().contains("no-plan-yet"), e.message());
            }
            byte[] content = Harness.random(3, 100);
            c.send(new Message.Offer("surplus", BLOCK, List.of(RawClient.file("s.bin", content))));
            c.read(Message.Plan.class);
            try (RawClient d0 = RawClient.join(w.dataPort(), w.sessionId(), 0);
                 RawClient d1 = RawClient.connect(w.dataPort())) {
                d1.send(new Message.Join(w.sessionId(), 1));
                Message.Error e = d1.errorThenClose();
                assertCode(e, ErrorCode.LIMIT);
                assertTrue(e.message().contains("too-many-streams"), e.message());
                // The granted stream still works.
                d0.sendBlock(0, content, 0);
                c.send(new Message.FileEnd(0, 1, RawClient.fileDigest(content)));
                assertEquals(Message.FileDone.OK, c.read(Message.FileDone.class).status());
            }
            c.send(new Message.Commit());
            assertTrue(c.readDone().verified());
            assertTrue(Arrays.equals(content, Files.readAllBytes(root.resolve("surplus/s.bin"))));
        }
    }

    /** A DATA frame header (prefix + 48 bytes) with chosen fields and no payload. */
    private static ByteBuffer header(int codec, int fileId, long offset, int recon, int wire, int bodyLength) {
        ByteBuffer b = ByteBuffer.allocate(DataFrameDescriptor.FRAME_HEADER_LENGTH);
        b.putShort(FrameDescriptor.MAGIC).put((byte) FrameDescriptor.VERSION).put((byte) FrameType.DATA.code())
                .putInt(bodyLength)
                .put((byte) codec).put((byte) 0).putShort((short) 0)
                .putInt(fileId).putLong(offset).putInt(recon).putInt(wire)
                .putLong(0).putLong(0).putInt(0).putInt(0);
        return b.flip();
    }

    static Stream<Arguments> badDataFrames() {
        int h = DataFrameDescriptor.HEADER_LENGTH;
        return Stream.of(
                Arguments.of("body length 0x7fffffff", ByteBuffer.wrap(concat(prefix(FrameDescriptor.MAGIC,
                        FrameDescriptor.VERSION, FrameType.DATA.code(), 0x7fffffff), new byte[h])), "too-long"),
                Arguments.of("10 MB RAW wire for a 4 KiB block", header(0, 0, 0, BLOCK, 10_000_000, h + 10_000_000),
                        "raw-length-mismatch"),
                Arguments.of("length above the block size", header(0, 0, 0, 2 * BLOCK, 2 * BLOCK, h + 2 * BLOCK), "bad-length"),
                Arguments.of("zero length", header(0, 0, 0, 0, 0, h), "bad-length"),
                Arguments.of("body length disagrees with wire", header(0, 0, 0, BLOCK, BLOCK, h + 5), "length-mismatch"),
                Arguments.of("negative wire length", header(1, 0, 0, BLOCK, -8, h - 8), "length-mismatch"),
                Arguments.of("LZ4 wire longer than the LZ4 bound", header(1, 0, 0, 100, 1000, h + 1000), "lz4-too-long"),
                Arguments.of("unknown codec", header(0x7f, 0, 0, BLOCK, BLOCK, h + BLOCK), "unknown-codec"),
                Arguments.of("unaligned offset", header(0, 0, 17, BLOCK, BLOCK, h + BLOCK), "unaligned-offset"),
                Arguments.of("negative offset", header(0, 0, -BLOCK, BLOCK, BLOCK, h + BLOCK), "offset"),
                Arguments.of("JOIN on a joined stream", ByteBuffer.wrap(concat(enc(
                        new Message.Join(new byte[16], 0)), new byte[h])), "unexpected-on-data-stream"));
    }

    /**
     * Session A is in the middle of a transfer while session B sends a broken DATA frame: B gets an ERROR on its
     * control connection and loses its streams, A completes, and nothing of B's file exists.
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badDataFrames")
    void aBadDataFrameEndsItsSessionAndNoOther(String what, ByteBuffer bad, String reason) throws Exception {
        int n = SEQ.incrementAndGet();
        byte[] a = Harness.random(n, 2 * BLOCK);
        byte[] b = Harness.random(n + 1000, 2 * BLOCK);
        try (RawClient ca = RawClient.connect(server.controlPort)) {
            Message.Welcome wa = ca.offer("isolation", RawClient.file("a-" + n + ".bin", a));
            try (RawClient da = RawClient.join(wa.dataPort(), wa.sessionId(), 0)) {
                da.sendBlock(0, a, 0);

                try (RawClient cb = RawClient.connect(server.controlPort)) {
                    Message.Welcome wb = cb.offer("isolation", RawClient.file("b-" + n + ".bin", b));
                    try (RawClient db = RawClient.join(wb.dataPort(), wb.sessionId(), 0)) {
                        db.sendBlock(0, b, 0);
                        db.sendRaw(bad.duplicate());
                        Message.Error e = cb.read(Message.Error.class);
                        assertCode(e, ErrorCode.PROTOCOL);
                        assertTrue(e.message().contains(reason), what + ": " + e.message());
                        assertTrue(cb.closedWithin(Duration.ofSeconds(10)), "B's control connection must close");
                        assertTrue(db.closedWithin(Duration.ofSeconds(10)), "B's data stream must close");
                    }
                }

                da.sendBlock(0, a, 1);
                ca.send(new Message.FileEnd(0, 2, RawClient.fileDigest(a)));
                assertEquals(Message.FileDone.OK, ca.read(Message.FileDone.class).status());
            }
            ca.send(new Message.Commit());
            assertTrue(ca.readDone().verified());
        }
        Path dir = root.resolve("isolation");
        assertTrue(Arrays.equals(a, Files.readAllBytes(dir.resolve("a-" + n + ".bin"))));
        assertFalse(Files.exists(dir.resolve("b-" + n + ".bin"), LinkOption.NOFOLLOW_LINKS), "B's file must not exist");
        assertTrue(Harness.eventually(Duration.ofSeconds(5),
                () -> !Files.exists(dir.resolve("b-" + n + ".bin.dwcp-part"), LinkOption.NOFOLLOW_LINKS)),
                "B's part file must be removed");
        assertStillServing();
    }

    // ---- lying senders ----

    @Test
    void aBadCrcIsNackedAndTheGoodResendCompletesTheFile() throws Exception {
        byte[] content = Harness.random(11, 2 * BLOCK);
        try (RawClient c = RawClient.connect(server.controlPort)) {
            Message.Welcome w = c.offer("nack", RawClient.file("n.bin", content));
            try (RawClient d = RawClient.join(w.dataPort(), w.sessionId(), 0)) {
                ByteBuffer frame = RawClient.dataFrame(0, BLOCK, content, BLOCK, BLOCK);
                int at = DataFrameDescriptor.FRAME_HEADER_LENGTH + 100;
                frame.put(at, (byte) (frame.get(at) ^ 1));
                d.sendBlock(0, content, 0);
                d.sendRaw(frame);
                c.send(new Message.FileEnd(0, 2, RawClient.fileDigest(content)));
                Message.BlockNack nack = c.read(Message.BlockNack.class);
                assertEquals(0, nack.fileId());
                assertEquals(BLOCK, nack.offset());
                assertTrue(nack.reason().contains("crc"), nack.reason());
                assertFalse(Files.exists(root.resolve("nack/n.bin")), "file must not be in place with a block missing");
                d.sendBlock(0, content, 1);
                assertEquals(Message.FileDone.OK, c.read(Message.FileDone.class).status());
            }
            c.send(new Message.Commit());
            assertTrue(c.readDone().verified());
        }
        assertTrue(Arrays.equals(content, Files.readAllBytes(root.resolve("nack/n.bin"))));
    }

    @Test
    void aWrongFileDigestOrMissingBlockNeverReachesTheFinalName() throws Exception {
        byte[] content = Harness.random(12, 3 * BLOCK);
        byte[] other = content.clone();
        other[5] ^= 1;
        try (RawClient c = RawClient.connect(server.controlPort)) {
            Message.Welcome w = c.hello();
            c.send(new Message.Offer("liar", BLOCK, List.of(RawClient.file("digest.bin", content),
                    RawClient.file("missing.bin", content))));
            c.read(Message.Plan.class);
            try (RawClient d = RawClient.join(w.dataPort(), w.sessionId(), 0)) {
                for (int i = 0; i < 3; i++) {
                    d.sendBlock(0, content, i);
                }
                Thread.sleep(100); // blocks stored before FILE_END: keeps clear of the duplicate FILE_DONE race
                c.send(new Message.FileEnd(0, 3, RawClient.fileDigest(other)));
                Message.FileDone fd = c.read(Message.FileDone.class);
                assertEquals(ErrorCode.VERIFY.code(), fd.status(), fd.toString());
                assertTrue(fd.detail().contains("digest-mismatch"), fd.detail());

                d.sendBlock(1, content, 0);
                d.sendBlock(1, content, 2);
                Thread.sleep(100);
                c.send(new Message.FileEnd(1, 2, RawClient.fileDigest(content)));
                Message.FileDone fd2 = c.read(Message.FileDone.class);
                assertEquals(ErrorCode.VERIFY.code(), fd2.status(), fd2.toString());
                assertTrue(fd2.detail().contains("missing-block"), fd2.detail());
            }
            c.send(new Message.Commit());
            Message.Done done = c.readDone();
            assertFalse(done.verified(), "DONE must not claim verified: " + done);
        }
        assertEquals(List.of(), Harness.listTree(root.resolve("liar")), "nothing under a final name, no part files");
    }

    // ---- part-file names and concurrent writers ----

    @Test
    void pathsWithThePartSuffixAreRefusedNamingThePath() throws Exception {
        byte[] small = Harness.random(103, 100);
        byte[] x = Harness.random(104, 2 * BLOCK);
        try (RawClient c = RawClient.connect(server.controlPort)) {
            c.hello();
            c.send(new Message.Offer("partswap", BLOCK, List.of(RawClient.file("x.dwcp-part", small),
                    RawClient.file("x", x))));
            Message m = c.read();
            assertTrue(m instanceof Message.Error e && e.code() == ErrorCode.PATH
                    && e.message().contains("x.dwcp-part") && e.message().contains("reserved-suffix"), String.valueOf(m));
        }
        assertFalse(Files.exists(root.resolve("partswap/x")));
        assertFalse(Files.exists(root.resolve("partswap/x.dwcp-part")));
        assertStillServing();
    }

    @Test
    void aStaleOrPlantedPartFileIsReplacedWithoutFollowingIt() throws Exception {
        Path outside = Files.createTempFile("dwcp-outside", ".txt");
        try {
            Files.writeString(outside, "keep");
            Files.createDirectories(root.resolve("planted"));
            Files.createSymbolicLink(root.resolve("planted/report.dwcp-part"), outside);
            byte[] report = Harness.random(102, 2 * BLOCK);
            RawClient.transfer(server.controlPort, "planted", "report", report);
            assertTrue(Arrays.equals(report, Files.readAllBytes(root.resolve("planted/report"))));
            assertEquals("keep", Files.readString(outside), "the link at the part name must never be written through");
            assertFalse(Files.exists(root.resolve("planted/report.dwcp-part"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        } finally {
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void twoSessionsWritingTheSamePathNeverProduceAMixedFile() throws Exception {
        byte[] a = Harness.random(105, 2 * BLOCK);
        byte[] b = Harness.random(106, 2 * BLOCK);
        try (RawClient ca = RawClient.connect(server.controlPort); RawClient cb = RawClient.connect(server.controlPort)) {
            Message.Welcome wa = ca.hello();
            cb.hello();
            ca.send(new Message.Offer("race", BLOCK, List.of(RawClient.file("same.bin", a))));
            ca.read(Message.Plan.class);
            cb.send(new Message.Offer("race", BLOCK, List.of(RawClient.file("same.bin", b))));
            Message m = cb.read();
            assertTrue(m instanceof Message.Error e && e.code() == ErrorCode.PATH
                    && e.message().contains("busy-in-another-transfer") && e.message().contains("same.bin"), String.valueOf(m));
            try (RawClient da = RawClient.join(wa.dataPort(), wa.sessionId(), 0)) {
                da.sendBlock(0, a, 0);
                da.sendBlock(0, a, 1);
                ca.send(new Message.FileEnd(0, 2, RawClient.fileDigest(a)));
                assertEquals(Message.FileDone.OK, ca.read(Message.FileDone.class).status());
                // Committed and answered: the claim is released before DONE is sent. (A transfer that is merely
                // disconnected releases it once the server notices, which a next offer could race.)
                ca.send(new Message.Commit());
                ca.read(Message.Done.class);
            }
        }
        assertTrue(Arrays.equals(a, Files.readAllBytes(root.resolve("race/same.bin"))));
        // Once the first transfer is over, the path is free again.
        RawClient.transfer(server.controlPort, "race", "same.bin", b);
        assertTrue(Arrays.equals(b, Files.readAllBytes(root.resolve("race/same.bin"))));
        assertStillServing();
    }

    @Test
    void eachFileGetsExactlyOneFileDone() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        for (int i = 0; i < 1500 && System.nanoTime() < deadline; i++) {
            byte[] content = Harness.random(10_000 + i, 100);
            try (RawClient c = RawClient.connect(server.controlPort)) {
                Message.Welcome w = c.offer("one-file-done", RawClient.file("f" + i, content));
                try (RawClient d = RawClient.join(w.dataPort(), w.sessionId(), 0)) {
                    d.sendBlock(0, content, 0);
                    c.send(new Message.FileEnd(0, 1, RawClient.fileDigest(content)));
                    assertEquals(Message.FileDone.OK, c.read(Message.FileDone.class).status());
                    c.send(new Message.Commit());
                    Message m = c.read();
                    assertTrue(m instanceof Message.Done, "transfer " + i + ": a second FILE_DONE instead of DONE: " + m);
                }
            }
        }
    }

    // ---- limits ----

    @Test
    void idleConnectionsTimeOutAndTheSessionLimitHolds(@TempDir Path r2) throws Exception {
        try (ServerProcess s = ServerProcess.serve(r2, "--idle-timeout", "1", "--max-sessions", "1")) {
            try (RawClient silent = RawClient.connect(s.controlPort)) {
                long t0 = System.nanoTime();
                Message.Error e = silent.errorThenClose();
                assertCode(e, ErrorCode.LIMIT);
                assertTrue(e.message().contains("idle-timeout"), e.message());
                assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(8).toNanos(), "idle timeout took too long");
            }
            try (RawClient first = RawClient.connect(s.controlPort)) {
                first.hello();
                try (RawClient second = RawClient.connect(s.controlPort)) {
                    second.send(new Message.Hello("second", new byte[0], 1));
                    Message.Error e = second.errorThenClose();
                    assertCode(e, ErrorCode.LIMIT);
                    assertTrue(e.message().contains("too-many-sessions"), e.message());
                }
            }
            // The first session's slot is released when its connection goes away.
            assertTrue(Harness.eventually(Duration.ofSeconds(5), () -> {
                try {
                    RawClient.transfer(s.controlPort, "", "after-limit.bin", new byte[] {1, 2, 3});
                    return true;
                } catch (IOException | AssertionError e) {
                    return false;
                }
            }), "the session slot was never released");
        }
    }
}
