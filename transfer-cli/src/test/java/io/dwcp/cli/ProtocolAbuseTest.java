package io.dwcp.cli;

import static io.dwcp.cli.RawClient.BLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.cli.Harness.Result;
import io.dwcp.cli.Harness.ServerProcess;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
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
 * oversized frames on both ports, lying senders. A protocol violation must end in an ERROR (or a closed connection)
 * for that connection only; an entry the server cannot take (protocol version 2) is a FAILED line of its PLAN and the
 * rest of the transfer goes on. Either way: nothing written outside the root, nothing wrong under a final name, no
 * link ever followed when writing, and the server still serving.
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
                Arguments.of("", Entry.file("nul\0x", 5, 0644, 0), "bad-character"),
                Arguments.of("", Entry.dir("../escape-dir", 0755, 0), "../escape-dir"),
                Arguments.of("ok", Entry.file("../../escape", 5, 0644, 0), "../../escape"),
                Arguments.of("../escape-dest", Entry.file("f.txt", 5, 0644, 0), "../escape-dest"),
                Arguments.of(abs, Entry.file("f.txt", 5, 0644, 0), abs),
                Arguments.of("x/../../escape-dest2", Entry.file("f.txt", 5, 0644, 0), "x/../../escape-dest2"),
                // A link's own path is checked like any other; only its target is free text.
                Arguments.of("", Entry.symlink("../escape-link", "target", 0), "../escape-link"));
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

    /**
     * Symlink targets that lead out of the root, absolute or dangling. Since protocol version 2 a link is data: it
     * is stored verbatim, whatever it points at (rsync -l does the same), and the server never follows one when it
     * writes.
     */
    static Stream<Arguments> linksLeavingTheRoot() {
        String absOutside = base.resolve("outside").toAbsolutePath().toString();
        return Stream.of(
                Arguments.of("", "link", "../../outside/sentinel.txt"),
                Arguments.of("", "d/link", "../../outside"),
                Arguments.of("", "link-abs", "/etc/passwd"),
                Arguments.of("", "d/link2", "x/../../../outside"),
                Arguments.of("sub", "link3", ".."),
                Arguments.of("", "link-abs-outside", absOutside),
                Arguments.of("", "dangling", "no/such/place"));
    }

    /**
     * The link is created with exactly the offered target, and nothing outside the root changes. A later entry whose
     * path goes through the stored link ({@code link/through.txt}) is refused, for that entry only
     * ({@code reason=symlink-in-path}): the other file of the same batch lands, and nothing appears where the link
     * points.
     */
    @ParameterizedTest(name = "[{index}] dest=\"{0}\" {1} -> {2}")
    @MethodSource("linksLeavingTheRoot")
    void symlinksLeavingTheRootAreStoredVerbatimAndNeverFollowed(String dest, String path, String target)
            throws Exception {
        try (RawClient c = RawClient.connect(server.controlPort)) {
            c.hello();
            c.send(new Message.Offer(dest, BLOCK, List.of(Entry.symlink(path, target, RawClient.MTIME_BASE_NANOS))));
            Message.Plan plan = c.read(Message.Plan.class);
            assertEquals(1, plan.files().size(), plan::toString);
            Message.FilePlan line = plan.files().get(0);
            assertEquals(0, line.fileId(), line::toString);
            assertEquals(Message.FilePlan.SKIP, line.action(), "a link has no data to send: " + line);
            assertEquals(Message.FilePlan.CREATED, line.changes(), "the link was created: " + line);
            assertEquals("", line.detail(), line::toString);
            c.send(new Message.Commit());
            assertTrue(c.readDone().verified());
        }
        Path link = root.resolve(dest).resolve(path);
        assertTrue(Files.isSymbolicLink(link), "no symlink at " + link);
        assertEquals(target, Files.readSymbolicLink(link).toString(), "the target must be stored verbatim");
        assertNothingOutsideRoot();

        byte[] through = Harness.random(SEQ.incrementAndGet(), 100);
        byte[] beside = Harness.random(SEQ.incrementAndGet(), 2 * BLOCK + 1);
        String besideName = path + "-beside.bin";
        try (RawClient c = RawClient.connect(server.controlPort)) {
            Message.Welcome w = c.hello();
            c.send(new Message.Offer(dest, BLOCK, List.of(RawClient.file(path + "/through.txt", through),
                    RawClient.file(besideName, beside))));
            Message.Plan plan = c.read(Message.Plan.class);
            assertEquals(2, plan.files().size(), plan::toString);
            Message.FilePlan refused = plan.files().get(0);
            assertEquals(Message.FilePlan.FAILED, refused.action(), "a path through a link: " + refused);
            assertTrue(refused.detail().contains("path=\"" + path + "/through.txt\"")
                    && refused.detail().contains("reason=symlink-in-path"), refused.detail());
            assertEquals(Message.FilePlan.NEW, plan.files().get(1).action(), "the rest goes on: " + plan);
            try (RawClient d = RawClient.join(w.dataPort(), w.sessionId(), 0)) {
                for (int i = 0; i < RawClient.blocks(beside); i++) {
                    d.sendBlock(1, beside, i);
                }
                c.send(new Message.FileEnd(1, RawClient.blocks(beside), RawClient.fileDigest(beside)));
                assertEquals(Message.FileDone.OK, c.read(Message.FileDone.class).status());
            }
            c.send(new Message.Commit());
            assertFalse(c.readDone().verified(), "DONE must not claim verified with an entry refused");
        }
        assertTrue(Arrays.equals(beside, Files.readAllBytes(root.resolve(dest).resolve(besideName))));
        assertTrue(Files.isSymbolicLink(link), "the link must still be a link");
        assertEquals(target, Files.readSymbolicLink(link).toString());
        assertNothingOutsideRoot();
        assertStillServing();
    }

    /**
     * DEST through a link is the whole session's problem: the send fails (exit 2) saying why. A tree that has a
     * directory where the server has a link of that name is refused entry by entry: the directory (a link is there)
     * and everything below it (the path goes through the link) are FAILED, the send exits 4 (partial) listing both,
     * and nothing is written through the link.
     */
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
                assertTrue(error.contains("reason=symlink-in-path"), "error must say why: " + r);
            }
            assertEquals(outside, Files.readSymbolicLink(root.resolve("evil")), "the link must be left as it was");
            // A tree whose directory has the name of the link: as in rsync, the link makes way for a directory
            // (unlinked, never followed) and the file lands inside the root.
            Path tree = Files.createDirectories(src.resolve("t/evil"));
            Files.writeString(tree.resolve("inner.txt"), "x");
            Result r = Harness.send(List.of(), List.of(src.resolve("t") + "/"), server.target(""));
            r.assertExit(0);
            assertEquals(List.of("sentinel.txt"), Harness.listTree(outside), "written through the link");
            assertEquals("x", Files.readString(root.resolve("evil/inner.txt")));
        } finally {
            Harness.deleteTree(root.resolve("evil"));
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
                // A version-1 peer (this server speaks 2 only), and a future one.
                Arguments.of("unsupported version", prefix(m, v - 1, FrameType.HELLO.code(), 0),
                        "reason=unsupported-version version=" + (v - 1) + " supported=" + v),
                Arguments.of("newer version", prefix(m, v + 1, FrameType.HELLO.code(), 0),
                        "reason=unsupported-version version=" + (v + 1) + " supported=" + v),
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

    /**
     * An OFFER body laid out by hand (protocol version 4): dest, block size, flags, first id, filter rules, no user
     * or group names, entries.
     */
    private static byte[] offerHeader(int blockSize, int flags, int firstId, int filters, int entries) {
        ByteBuffer body = ByteBuffer.allocate(32).putInt(0).putInt(blockSize).putInt(flags).putInt(firstId)
                .putInt(filters).putInt(0).putInt(0).putInt(entries);
        return concat(prefix(FrameDescriptor.MAGIC, FrameDescriptor.VERSION, FrameType.OFFER.code(), body.capacity()),
                body.array());
    }

    /**
     * Frames a correct sender never sends, inside a session: each ends that session with an ERROR naming what was
     * wrong. The last argument is how many PLANs the server rightly answers first (a valid first batch).
     */
    static Stream<Arguments> badOffers() {
        byte[] firstBatch = enc(new Message.Offer("twice", BLOCK, List.of(Entry.file("a", 1, 0644, 0))));
        return Stream.of(
                Arguments.of("garbage after HELLO", (Function<byte[], byte[]>) s -> new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9},
                        "bad-magic", 0),
                Arguments.of("OFFER with 0x7fffffff entries", (Function<byte[], byte[]>) s ->
                        offerHeader(BLOCK, 0, 0, 0, 0x7fffffff),
                        "frame=offer reason=limit field=entries count=2147483647 max=" + Limits.MAX_ENTRIES, 0),
                Arguments.of("OFFER with block size 3000", (Function<byte[], byte[]>) s ->
                        enc(new Message.Offer("", 3000, List.of())), "bad-block-size", 0),
                Arguments.of("OFFER with a negative size", (Function<byte[], byte[]>) s ->
                        enc(new Message.Offer("", BLOCK, List.of(Entry.file("neg", -5, 0644, 0)))), "bad-size", 0),
                Arguments.of("OFFER with an unknown entry kind", (Function<byte[], byte[]>) s -> {
                    byte[] b = enc(new Message.Offer("", BLOCK,
                            List.of(Entry.file("k", 1, 0644, 0))));
                    // prefix, dest length (dest empty), block size, flags, first id, filter count (0), user and
                    // group name counts (0), entry count, then the first entry's kind byte
                    int kindAt = FrameDescriptor.PREFIX_LENGTH + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4;
                    assertEquals(1, b[kindAt], "the kind byte of a FILE entry");
                    b[kindAt] = 9;
                    return b;
                }, "reason=unknown-entry-kind kind=9", 0),
                Arguments.of("an OFFER batch repeating the previous batch's ids", (Function<byte[], byte[]>) s ->
                        concat(firstBatch, firstBatch), "frame=offer reason=bad-first-id first_id=0 expected=1", 1),
                Arguments.of("a first OFFER batch not starting at id 0", (Function<byte[], byte[]>) s ->
                        enc(new Message.Offer("", BLOCK, 0, 5, List.of(Entry.file("late", 1, 0644, 0)))),
                        "frame=offer reason=bad-first-id first_id=5 expected=0", 0),
                Arguments.of("a later OFFER batch with another dest", (Function<byte[], byte[]>) s -> concat(firstBatch,
                        enc(new Message.Offer("elsewhere", BLOCK, 0, 1, List.of(Entry.file("b", 1, 0644, 0))))),
                        "frame=offer reason=batch-differs-from-first", 1),
                Arguments.of("OFFER with an unknown flag", (Function<byte[], byte[]>) s ->
                        offerHeader(BLOCK, 0x100, 0, 0, 0), "frame=offer reason=unknown-flags flags=100", 0),
                Arguments.of("OFFER with 0x7fffffff filter rules", (Function<byte[], byte[]>) s ->
                        offerHeader(BLOCK, 0, 0, 0x7fffffff, 0),
                        "frame=offer reason=limit field=filters count=2147483647 max=" + Message.Offer.MAX_FILTERS, 0),
                Arguments.of("JOIN_ACK on control", (Function<byte[], byte[]>) s -> concat(
                        prefix(FrameDescriptor.MAGIC, FrameDescriptor.VERSION, FrameType.JOIN_ACK.code(), 4), new byte[4]),
                        "not-a-control-frame", 0));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("badOffers")
    void malformedFramesInsideASessionEndThatSessionOnly(String what, Function<byte[], byte[]> frames, String reason,
                                                         int plansFirst) throws Exception {
        try (RawClient c = RawClient.connect(server.controlPort)) {
            Message.Welcome w = c.hello();
            c.sendRaw(frames.apply(w.sessionId()));
            for (int i = 0; i < plansFirst; i++) {
                c.read(Message.Plan.class); // the valid first batch is answered
            }
            Message m = c.read();
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

    /**
     * One batch naming a path twice (two sources merged into one directory that both hold it): the second entry is
     * refused by name and the first goes on; the session is not ended for it.
     */
    @Test
    void aPathOfferedTwiceInOneBatchRefusesTheSecondByName() throws Exception {
        byte[] a = Harness.random(110, 100);
        try (RawClient c = RawClient.connect(server.controlPort)) {
            c.hello();
            c.send(new Message.Offer("twice-named", BLOCK, List.of(RawClient.file("dup", a), RawClient.file("dup", a))));
            List<Message.FilePlan> lines = c.read(Message.Plan.class).files();
            assertEquals(Message.FilePlan.NEW, lines.get(0).action(), lines::toString);
            assertEquals(Message.FilePlan.FAILED, lines.get(1).action(), lines::toString);
            assertTrue(lines.get(1).detail().contains("path=\"dup\"")
                    && lines.get(1).detail().contains("reason=duplicate-in-transfer"), lines::toString);
        }
        assertStillServing();
    }

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

    /**
     * While session A writes a path, a second session offering the same path gets that entry refused (a FAILED
     * line, {@code reason=busy-in-another-transfer}: protocol version 2 refuses the entry, not the session). The
     * second session goes on and ends with DONE not verified; it cannot write blocks for the refused entry either
     * (its id has no file: a protocol error ends that session). The file is A's, never a mix, and once A is done the
     * path is free again.
     */
    @Test
    void twoSessionsWritingTheSamePathNeverProduceAMixedFile() throws Exception {
        byte[] a = Harness.random(105, 2 * BLOCK);
        byte[] b = Harness.random(106, 2 * BLOCK);
        byte[] other = Harness.random(107, 100);
        try (RawClient ca = RawClient.connect(server.controlPort)) {
            Message.Welcome wa = ca.hello();
            ca.send(new Message.Offer("race", BLOCK, List.of(RawClient.file("same.bin", a))));
            assertEquals(Message.FilePlan.NEW, ca.read(Message.Plan.class).files().get(0).action());
            try (RawClient da = RawClient.join(wa.dataPort(), wa.sessionId(), 0)) {
                da.sendBlock(0, a, 0); // A's part file now holds its first block

                // B, well-behaved: its entry is refused, its other file lands, it ends with DONE (not verified).
                try (RawClient cb = RawClient.connect(server.controlPort)) {
                    Message.Welcome wb = cb.hello();
                    cb.send(new Message.Offer("race", BLOCK, List.of(RawClient.file("same.bin", b),
                            RawClient.file("other.bin", other))));
                    Message.Plan plan = cb.read(Message.Plan.class);
                    assertEquals(2, plan.files().size(), plan::toString);
                    Message.FilePlan refused = plan.files().get(0);
                    assertEquals(Message.FilePlan.FAILED, refused.action(), refused::toString);
                    assertEquals("path=\"same.bin\" reason=busy-in-another-transfer", refused.detail());
                    assertEquals(Message.FilePlan.NEW, plan.files().get(1).action(), plan::toString);
                    try (RawClient db = RawClient.join(wb.dataPort(), wb.sessionId(), 0)) {
                        db.sendBlock(1, other, 0);
                        cb.send(new Message.FileEnd(1, 1, RawClient.fileDigest(other)));
                        assertEquals(Message.FileDone.OK, cb.read(Message.FileDone.class).status());
                    }
                    cb.send(new Message.Commit());
                    Message.Done done = cb.readDone();
                    assertFalse(done.verified(), "B's DONE must not claim verified: " + done);
                    assertEquals(1, done.files(), done::toString);
                }

                // B, hostile: blocks for the refused entry anyway. No file has that id in B's session.
                try (RawClient cb = RawClient.connect(server.controlPort)) {
                    Message.Welcome wb = cb.hello();
                    cb.send(new Message.Offer("race", BLOCK, List.of(RawClient.file("same.bin", b))));
                    assertEquals(Message.FilePlan.FAILED, cb.read(Message.Plan.class).files().get(0).action());
                    try (RawClient db = RawClient.join(wb.dataPort(), wb.sessionId(), 0)) {
                        db.sendBlock(0, b, 1);
                        Message.Error e = cb.errorThenClose();
                        assertCode(e, ErrorCode.PROTOCOL);
                        assertTrue(e.message().contains("reason=unknown-file file=0"), e.message());
                    }
                }
                assertFalse(Files.exists(root.resolve("race/same.bin"), LinkOption.NOFOLLOW_LINKS),
                        "nothing under the final name before A's FILE_END");

                da.sendBlock(0, a, 1);
                ca.send(new Message.FileEnd(0, 2, RawClient.fileDigest(a)));
                assertEquals(Message.FileDone.OK, ca.read(Message.FileDone.class).status());
                // Committed and answered: the claim is released before DONE is sent. (A transfer that is merely
                // disconnected releases it once the server notices, which a next offer could race.)
                ca.send(new Message.Commit());
                assertTrue(ca.readDone().verified());
            }
        }
        assertTrue(Arrays.equals(a, Files.readAllBytes(root.resolve("race/same.bin"))), "the file must be A's, whole");
        assertTrue(Arrays.equals(other, Files.readAllBytes(root.resolve("race/other.bin"))));
        assertEquals(List.of("other.bin", "same.bin"), Harness.listTree(root.resolve("race")), "no part file left");
        // Once the first transfer is over, the path is free again.
        RawClient.transfer(server.controlPort, "race", "same.bin", b);
        assertTrue(Arrays.equals(b, Files.readAllBytes(root.resolve("race/same.bin"))));
        assertStillServing();
    }

    /**
     * Two entries of one session naming the same path (in one batch, or in the next batch while the first is still
     * in flight) would share one part file. Whatever the server does about it (refuse the offer, or refuse the
     * second entry), a file under the final name is only ever exactly what a FILE_DONE OK said it was: never one
     * entry's name with another entry's blocks.
     */
    @ParameterizedTest(name = "[{index}] next batch: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void oneSessionOfferingAPathTwiceNeverProducesAMixedFile(boolean nextBatch) throws Exception {
        String dir = "dup-" + nextBatch;
        byte[] a = Harness.random(108, 2 * BLOCK);
        byte[] b = Harness.random(109, 2 * BLOCK);
        Path target = root.resolve(dir).resolve("dup.bin");
        byte[] promised = null;
        try (RawClient c = RawClient.connect(server.controlPort)) {
            Message.Welcome w = c.hello();
            List<Message.FilePlan> lines = new java.util.ArrayList<>();
            Message m;
            if (nextBatch) {
                c.send(new Message.Offer(dir, BLOCK, List.of(RawClient.file("dup.bin", a))));
                lines.addAll(c.read(Message.Plan.class).files());
                c.send(new Message.Offer(dir, BLOCK, 0, 1, List.of(RawClient.file("dup.bin", b))));
            } else {
                c.send(new Message.Offer(dir, BLOCK, List.of(RawClient.file("dup.bin", a), RawClient.file("dup.bin", b))));
            }
            m = c.read();
            if (m instanceof Message.Error e) {
                assertTrue(e.message().contains("dup.bin"), "the error must name the path: " + e.message());
            } else {
                lines.addAll(((Message.Plan) m).files());
                assertEquals(2, lines.size(), lines::toString);
                boolean aWanted = lines.get(0).action() == Message.FilePlan.NEW;
                boolean bWanted = lines.get(1).action() == Message.FilePlan.NEW;
                try (RawClient d = RawClient.join(w.dataPort(), w.sessionId(), 0)) {
                    // Interleaved: A's first block, B's first block, then A completes, then B.
                    if (aWanted) {
                        d.sendBlock(0, a, 0);
                    }
                    if (bWanted) {
                        d.sendBlock(1, b, 0);
                    }
                    Thread.sleep(100);
                    if (aWanted) {
                        d.sendBlock(0, a, 1);
                        c.send(new Message.FileEnd(0, 2, RawClient.fileDigest(a)));
                        Message.FileDone fd = c.read(Message.FileDone.class);
                        if (fd.status() == Message.FileDone.OK) {
                            promised = a;
                            assertTrue(Arrays.equals(a, Files.readAllBytes(target)),
                                    "FILE_DONE OK for the first entry, but the file under its name is not its content: "
                                            + describe(Files.readAllBytes(target), a, b));
                        }
                    }
                    if (bWanted) {
                        d.sendBlock(1, b, 1);
                        c.send(new Message.FileEnd(1, 2, RawClient.fileDigest(b)));
                        Message.FileDone fd = c.read(Message.FileDone.class);
                        if (fd.status() == Message.FileDone.OK) {
                            promised = b;
                        }
                    }
                }
                c.send(new Message.Commit());
                c.readDone();
            }
        } catch (IOException closed) {
            // a server that ends the session instead: the file checks below still apply
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            byte[] got = Files.readAllBytes(target);
            assertNotNull(promised, "a file appeared that no FILE_DONE OK announced: " + describe(got, a, b));
            assertTrue(Arrays.equals(promised, got), "mixed file under the final name: " + describe(got, a, b));
        }
        assertTrue(Harness.eventually(Duration.ofSeconds(5), () -> {
            try {
                return Harness.partFiles(root.resolve(dir)).isEmpty();
            } catch (IOException e) {
                return false;
            }
        }), "part files left behind");
        assertStillServing();
    }

    /** Which entry's bytes each block of {@code got} holds. */
    private static String describe(byte[] got, byte[] a, byte[] b) {
        StringBuilder sb = new StringBuilder("length=" + got.length);
        for (int i = 0; i * BLOCK < got.length; i++) {
            int from = i * BLOCK;
            int to = Math.min(got.length, from + BLOCK);
            byte[] block = Arrays.copyOfRange(got, from, to);
            String who = to <= a.length && Arrays.equals(block, Arrays.copyOfRange(a, from, to)) ? "A"
                    : to <= b.length && Arrays.equals(block, Arrays.copyOfRange(b, from, to)) ? "B"
                    : Arrays.equals(block, new byte[block.length]) ? "zeros" : "?";
            sb.append(" block").append(i).append('=').append(who);
        }
        return sb.toString();
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
