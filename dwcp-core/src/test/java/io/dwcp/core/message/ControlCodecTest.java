package io.dwcp.core.message;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ControlCodecTest {
    private static final Limits LIMITS = Limits.defaults();
    private static final int MIB = 1 << 20;

    // ---------------------------------------------------------------- helpers

    /** Encodes, checks the prefix as a receiver would, and returns the body alone. */
    static ByteBuffer body(Message m) throws DwcpException {
        ByteBuffer frame = ControlCodec.encode(m);
        assertEquals(0, frame.position());
        assertEquals(m.type(), FrameDescriptor.checkPrefix(frame, 0, LIMITS.maxControlBody()));
        int len = FrameDescriptor.bodyLength(frame, 0);
        assertEquals(frame.remaining() - FrameDescriptor.PREFIX_LENGTH, len, "prefix length must match the body");
        return frame.slice(FrameDescriptor.PREFIX_LENGTH, len);
    }

    static byte[] bodyBytes(Message m) throws DwcpException {
        ByteBuffer b = body(m);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    static Message roundTrip(Message m) throws DwcpException {
        return ControlCodec.decode(m.type(), body(m), LIMITS);
    }

    /** A body written field by field, for malformed inputs that {@link ControlCodec#encode} cannot produce. */
    static ByteBuffer raw(FrameType type, Consumer<BodyWriter> fields) {
        BodyWriter w = new BodyWriter(type);
        fields.accept(w);
        ByteBuffer f = w.finish();
        return f.slice(FrameDescriptor.PREFIX_LENGTH, f.remaining() - FrameDescriptor.PREFIX_LENGTH);
    }

    static DwcpException rejects(FrameType type, ByteBuffer body, Limits limits, ErrorCode code, String reason) {
        DwcpException e = assertThrows(DwcpException.class, () -> ControlCodec.decode(type, body, limits));
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("reason=" + reason), e.getMessage());
        return e;
    }

    static DwcpException rejectsOffer(Message.Offer o, ErrorCode code, String reason) throws DwcpException {
        return rejects(FrameType.OFFER, body(o), LIMITS, code, reason);
    }

    static Message.Offer offerOf(Entry... entries) {
        return new Message.Offer("", MIB, List.of(entries));
    }

    static byte[] seq(int n, int seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static Message.Offer sampleOffer() {
        return new Message.Offer("backups/2026", MIB, List.of(
                Entry.dir("vm", 0755, 1_700_000_000_000L),
                Entry.file("vm/disk.qcow2", 42L * 1024 * 1024 * 1024, 0640, 1_700_000_000_123L),
                Entry.file("vm/empty", 0, 0600, -5L),
                Entry.symlink("vm/current", "disk.qcow2", 1_700_000_000_999L),
                Entry.symlink("vm/up", "../vm/empty", 0)));
    }

    /** One sample of every message type, with every field set to something distinctive. */
    static List<Message> samples() {
        return List.of(
                new Message.Hello("dwcp/0.1 host=α", seq(32, 1), 8),
                new Message.Hello("", new byte[0], 0),
                new Message.Welcome(seq(16, 2), 7401, 4, "dwcp-server/0.1"),
                sampleOffer(),
                new Message.Offer("", Limits.MIN_BLOCK_SIZE, List.of()),
                new Message.Plan(List.of(
                        new Message.FilePlan(0, Message.FilePlan.NEW, 0, new byte[0]),
                        new Message.FilePlan(1, Message.FilePlan.BASIS, 3L * MIB + 1, seq(4 * 16, 3)),
                        new Message.FilePlan(Integer.MAX_VALUE, Message.FilePlan.BASIS, Long.MAX_VALUE, seq(16, 4)))),
                new Message.Plan(List.of()),
                new Message.FileEnd(3, 1L << 40, seq(16, 5)),
                new Message.FileDone(3, Message.FileDone.OK, ""),
                new Message.FileDone(4, ErrorCode.VERIFY.code(), "path=\"a/b\" reason=digest-mismatch"),
                new Message.BlockNack(9, 5L * MIB, "bad-crc"),
                new Message.Commit(),
                new Message.Done(12, 1L << 35, (1L << 35) / 3, true),
                new Message.Done(0, 0, 0, false),
                new Message.Error(ErrorCode.PATH, "path=\"../x\" reason=parent-component"),
                new Message.Join(seq(16, 6), 63),
                new Message.JoinAck(63));
    }

    static Stream<Message> sampleStream() {
        return samples().stream();
    }

    static void assertMessageEquals(Message want, Message got) {
        assertEquals(want.getClass(), got.getClass());
        switch (want) {
            case Message.Hello w -> {
                Message.Hello g = (Message.Hello) got;
                assertEquals(w.client(), g.client());
                assertArrayEquals(w.token(), g.token());
                assertEquals(w.streams(), g.streams());
            }
            case Message.Welcome w -> {
                Message.Welcome g = (Message.Welcome) got;
                assertArrayEquals(w.sessionId(), g.sessionId());
                assertEquals(w.dataPort(), g.dataPort());
                assertEquals(w.streams(), g.streams());
                assertEquals(w.server(), g.server());
            }
            case Message.Offer w -> assertEquals(w, got); // records of strings and numbers
            case Message.Plan w -> {
                Message.Plan g = (Message.Plan) got;
                assertEquals(w.files().size(), g.files().size());
                for (int i = 0; i < w.files().size(); i++) {
                    Message.FilePlan a = w.files().get(i);
                    Message.FilePlan b = g.files().get(i);
                    assertEquals(a.fileId(), b.fileId());
                    assertEquals(a.action(), b.action());
                    assertEquals(a.basisSize(), b.basisSize());
                    assertArrayEquals(a.blockDigests(), b.blockDigests());
                }
            }
            case Message.FileEnd w -> {
                Message.FileEnd g = (Message.FileEnd) got;
                assertEquals(w.fileId(), g.fileId());
                assertEquals(w.blocksSent(), g.blocksSent());
                assertArrayEquals(w.digest(), g.digest());
            }
            case Message.Join w -> {
                Message.Join g = (Message.Join) got;
                assertArrayEquals(w.sessionId(), g.sessionId());
                assertEquals(w.stream(), g.stream());
            }
            default -> assertEquals(want, got); // FileDone, BlockNack, Commit, Done, Error, JoinAck: plain values
        }
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void samplesCoverEveryControlAndSetupType() {
        Set<FrameType> covered = EnumSet.noneOf(FrameType.class);
        samples().forEach(m -> covered.add(m.type()));
        Set<FrameType> all = EnumSet.allOf(FrameType.class);
        all.remove(FrameType.DATA);
        assertEquals(all, covered);
    }

    @ParameterizedTest
    @MethodSource("sampleStream")
    void everyMessageTypeRoundTrips(Message m) throws Exception {
        assertMessageEquals(m, roundTrip(m));
    }

    @Test
    void offerWithUnicodeNamesRoundTrips() throws Exception {
        Message.Offer o = new Message.Offer("données/導入", 4096, List.of(
                Entry.dir("日本語", 0700, 1),
                Entry.file("日本語/ファイル名.txt", 5, 0644, 2),
                Entry.file("données/résumé.pdf", 6, 0644, 3),
                Entry.file("emoji/📦🚀.bin", 7, 0644, 4),           // 4-byte UTF-8, surrogate pairs in Java
                Entry.file("combining/e\u0301.txt", 8, 0644, 5),    // decomposed é stays decomposed
                Entry.file("Ελληνικά/Кириллица/עברית/العربية", 9, 0644, 6),
                Entry.symlink("日本語/リンク", "ファイル名.txt", 7)));
        Message.Offer back = (Message.Offer) roundTrip(o);
        assertEquals(o, back);
        assertEquals("combining/e\u0301.txt", back.entries().get(4).path());
        // The wire carries the name as u32 length + UTF-8 (4 bytes per emoji), not as UTF-16 or modified UTF-8.
        byte[] name = "emoji/📦🚀.bin".getBytes(StandardCharsets.UTF_8);
        assertEquals(18, name.length);
        byte[] expected = ByteBuffer.allocate(4 + name.length).putInt(name.length).put(name).array();
        byte[] wire = bodyBytes(o);
        boolean found = false;
        for (int i = 0; i + expected.length <= wire.length && !found; i++) {
            found = java.util.Arrays.equals(wire, i, i + expected.length, expected, 0, expected.length);
        }
        assertTrue(found, "UTF-8 encoded name not found in the body");
    }

    @Test
    void offerEncodingIsTheDocumentedLayout() throws Exception {
        Message.Offer o = new Message.Offer("d", 4096, List.of(Entry.file("f", 0x0102030405060708L, 0644, 9)));
        byte[] b = bodyBytes(o);
        ByteBuffer want = ByteBuffer.allocate(b.length)
                .putInt(1).put((byte) 'd').putInt(4096).putInt(1)
                .put((byte) 1).putInt(1).put((byte) 'f').putLong(0x0102030405060708L).putInt(0644).putLong(9).putInt(0);
        assertArrayEquals(want.array(), b);
    }

    @Test
    void decodedModeKeepsOnlyPermissionBits() throws Exception {
        // A sender passing st_mode as is (file type bits included) must not leak them into the entry.
        Message.Offer o = offerOf(new Entry(EntryKind.FILE, "f", 1, 0100644, 0, ""),
                new Entry(EntryKind.DIR, "d", 0, 041777, 0, ""));
        Message.Offer back = (Message.Offer) roundTrip(o);
        assertEquals(0644, back.entries().get(0).mode());
        assertEquals(01777, back.entries().get(1).mode());
    }

    @Test
    void errorWithUnknownCodeDecodesAsInternal() throws Exception {
        ByteBuffer b = raw(FrameType.ERROR, w -> w.i32(999).string("x"));
        Message.Error e = (Message.Error) ControlCodec.decode(FrameType.ERROR, b, LIMITS);
        assertEquals(ErrorCode.INTERNAL, e.code());
        assertEquals("x", e.message());
    }

    @Test
    void doneVerifiedIsAnyNonZeroByte() throws Exception {
        ByteBuffer b = raw(FrameType.DONE, w -> w.i64(1).i64(2).i64(3).u8(0x80));
        assertTrue(((Message.Done) ControlCodec.decode(FrameType.DONE, b, LIMITS)).verified());
    }

    // ---------------------------------------------------------------- malformed bodies

    @ParameterizedTest
    @MethodSource("sampleStream")
    void everyTruncationIsAProtocolError(Message m) throws Exception {
        byte[] full = bodyBytes(m);
        for (int cut = 0; cut < full.length; cut++) {
            ByteBuffer b = ByteBuffer.wrap(full, 0, cut).slice();
            try {
                Message got = ControlCodec.decode(m.type(), b, LIMITS);
                fail(m.type() + " truncated to " + cut + " of " + full.length + " bytes decoded as " + got);
            } catch (DwcpException e) {
                assertEquals(ErrorCode.PROTOCOL, e.code(), e.getMessage());
                assertTrue(e.getMessage().contains("reason=truncated"), "cut=" + cut + ": " + e.getMessage());
            } catch (RuntimeException | Error e) {
                fail(m.type() + " truncated to " + cut + " threw " + e, e);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("sampleStream")
    void trailingBytesAreAProtocolError(Message m) throws Exception {
        byte[] full = bodyBytes(m);
        byte[] longer = java.util.Arrays.copyOf(full, full.length + 3);
        DwcpException e = rejects(m.type(), ByteBuffer.wrap(longer), LIMITS, ErrorCode.PROTOCOL, "trailing-bytes");
        assertTrue(e.getMessage().contains("count=3"), e.getMessage());
    }

    @Test
    void mutatedOffersFailOnlyWithDwcpException() throws Exception {
        byte[] full = bodyBytes(sampleOffer());
        SplittableRandom rnd = new SplittableRandom(7);
        int decoded = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] m = full.clone();
            for (int f = 1 + rnd.nextInt(3); f > 0; f--) {
                m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256);
            }
            try {
                ControlCodec.decode(FrameType.OFFER, ByteBuffer.wrap(m), LIMITS);
                decoded++;
            } catch (DwcpException e) {
                // expected for most mutations
            } catch (RuntimeException | Error e) {
                fail("mutation " + i + " threw " + e, e);
            }
        }
        assertTrue(decoded < 20_000);
    }

    @Test
    void dataIsNotAControlFrame() {
        rejects(FrameType.DATA, ByteBuffer.allocate(48), LIMITS, ErrorCode.PROTOCOL, "not-a-control-frame");
    }

    // ---------------------------------------------------------------- counts and lengths against Limits

    /** Bytes allocated by this thread while running {@code r}; r must throw a DwcpException. */
    static long allocatedWhileRejecting(FrameType type, ByteBuffer body, Limits limits) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        try {
            ControlCodec.decode(type, body, limits);
            fail("decoded");
        } catch (DwcpException expected) {
            // fine
        }
        return mx.getThreadAllocatedBytes(tid) - before;
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, 1_000_001, -1, Integer.MIN_VALUE})
    void hugeEntryCountIsRefusedWithoutAllocating(int count) {
        ByteBuffer b = raw(FrameType.OFFER, w -> w.string("").i32(MIB).i32(count));
        DwcpException e = rejects(FrameType.OFFER, b.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit");
        assertTrue(e.getMessage().contains("field=entries count=" + Integer.toUnsignedString(count)), e.getMessage());
        assertTrue(allocatedWhileRejecting(FrameType.OFFER, b.duplicate(), LIMITS) < 256 * 1024);
    }

    @Test
    void entryCountWithinLimitButBeyondTheBodyIsRefusedWithoutAllocating() {
        // With no entry limit at all, the count is still bounded by the bytes actually present.
        Limits unlimited = LIMITS.withMaxEntries(Integer.MAX_VALUE);
        ByteBuffer b = raw(FrameType.OFFER, w -> w.string("").i32(MIB).i32(Integer.MAX_VALUE).u8(1));
        rejects(FrameType.OFFER, b.duplicate(), unlimited, ErrorCode.PROTOCOL, "truncated");
        assertTrue(allocatedWhileRejecting(FrameType.OFFER, b.duplicate(), unlimited) < 256 * 1024);
        // 1000 entries claimed, 999 entries' worth of minimal bytes present.
        ByteBuffer c = raw(FrameType.OFFER, w -> w.string("").i32(MIB).i32(1000).fixed(new byte[999 * 29]));
        rejects(FrameType.OFFER, c, LIMITS, ErrorCode.PROTOCOL, "truncated");
    }

    @Test
    void hugePlanCountsAreRefusedWithoutAllocating() {
        ByteBuffer files = raw(FrameType.PLAN, w -> w.i32(Integer.MAX_VALUE));
        rejects(FrameType.PLAN, files.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit");
        assertTrue(allocatedWhileRejecting(FrameType.PLAN, files, LIMITS.withMaxEntries(Integer.MAX_VALUE)) < 256 * 1024);
        ByteBuffer digests = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(1).i64(0).i32(Integer.MAX_VALUE));
        rejects(FrameType.PLAN, digests.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit");
        ByteBuffer digests2 = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(1).i64(0).i32(LIMITS.maxControlBody()));
        rejects(FrameType.PLAN, digests2.duplicate(), LIMITS, ErrorCode.PROTOCOL, "truncated");
        assertTrue(allocatedWhileRejecting(FrameType.PLAN, digests2, LIMITS) < 256 * 1024);
    }

    @Test
    void stringAndTokenLengthsAreBounded() throws Exception {
        rejects(FrameType.HELLO, body(new Message.Hello("c".repeat(1025), new byte[0], 1)), LIMITS,
                ErrorCode.PROTOCOL, "limit field=client");
        roundTrip(new Message.Hello("c".repeat(1024), new byte[4096], 1));
        rejects(FrameType.HELLO, body(new Message.Hello("c", new byte[4097], 1)), LIMITS,
                ErrorCode.PROTOCOL, "limit field=token");
        ByteBuffer hugeToken = raw(FrameType.HELLO, w -> w.string("c").i32(Integer.MAX_VALUE));
        assertTrue(allocatedWhileRejecting(FrameType.HELLO, hugeToken, LIMITS) < 256 * 1024);

        String longPath = "a/".repeat(2048) + "b"; // 4097 bytes
        rejectsOffer(offerOf(Entry.file(longPath, 1, 0644, 0)), ErrorCode.PROTOCOL, "limit field=path");
        rejectsOffer(new Message.Offer(longPath, MIB, List.of()), ErrorCode.PROTOCOL, "limit field=dest");
        String maxPath = "a/".repeat(2047) + "bc"; // exactly 4096 bytes
        assertEquals(4096, maxPath.length());
        assertEquals(maxPath, ((Message.Offer) roundTrip(offerOf(Entry.file(maxPath, 1, 0644, 0))))
                .entries().get(0).path());
    }

    @Test
    void fixedLengthFieldsMustBeComplete() {
        // Join's session id is exactly 16 bytes: with 15 the remaining fields come up short.
        ByteBuffer b = raw(FrameType.JOIN, w -> w.fixed(new byte[15]).i32(1));
        rejects(FrameType.JOIN, b, LIMITS, ErrorCode.PROTOCOL, "truncated");
        ByteBuffer fe = raw(FrameType.FILE_END, w -> w.i32(1).i64(1).fixed(new byte[15]));
        rejects(FrameType.FILE_END, fe, LIMITS, ErrorCode.PROTOCOL, "truncated field=digest");
    }

    // ---------------------------------------------------------------- offer semantics

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2048, 4095, 4097, 3 * 4096, 6 * MIB, 16 * MIB + 1, 32 * MIB, 1 << 30,
            Integer.MIN_VALUE, -4096, Integer.MAX_VALUE})
    void badBlockSizeIsRejected(int bs) throws Exception {
        DwcpException e = rejectsOffer(new Message.Offer("", bs, List.of()), ErrorCode.PROTOCOL, "bad-block-size");
        assertTrue(e.getMessage().contains("block_size=" + bs + " "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 8192, 65536, MIB, 2 * MIB, 16 * MIB})
    void powerOfTwoBlockSizesInRangeAreAccepted(int bs) throws Exception {
        assertEquals(bs, ((Message.Offer) roundTrip(new Message.Offer("", bs, List.of()))).blockSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "a/..", "a/../b", "x/../..", "/etc/passwd", "/", "a//b", "a/", "./a",
            "a/./b", ".", "", "a\u0000b", "a\\b", "..\\..\\x"})
    void badEntryPathsAreRejectedWithPathError(String path) throws Exception {
        for (Entry e : List.of(Entry.file(path, 1, 0644, 0), Entry.dir(path, 0755, 0),
                Entry.symlink(path, "x", 0))) {
            DwcpException ex = assertThrows(DwcpException.class,
                    () -> ControlCodec.decode(FrameType.OFFER, body(offerOf(Entry.dir("ok", 0755, 0), e)), LIMITS));
            assertEquals(ErrorCode.PATH, ex.code(), ex.getMessage());
            assertTrue(ex.getMessage().startsWith("path=\""), ex.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../x", "../../../etc/passwd", "x/../..", "x/../../y", "../a/../../b", "/etc/passwd",
            "", ".", "./x", "x/.", "x//y", "x/", "a\u0000", "..\\..\\x"})
    void symlinkTargetsEscapingOrMalformedAreRejected(String target) throws Exception {
        DwcpException e = rejectsOffer(offerOf(Entry.dir("a", 0755, 0), Entry.symlink("a/l", target, 0)),
                ErrorCode.PATH, "link-target");
        assertTrue(e.getMessage().startsWith("path=\"a/l\""), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "../x", "..", "../b/c", "sub/deeper/file", "...", "..x/y"})
    void symlinkTargetsInsideTheTreeAreAccepted(String target) throws Exception {
        Message.Offer o = offerOf(Entry.dir("a", 0755, 0), Entry.symlink("a/l", target, 0));
        assertEquals(target, ((Message.Offer) roundTrip(o)).entries().get(1).linkTarget());
    }

    @Test
    void symlinkAtTopLevelCannotGoUpAtAll() throws Exception {
        rejectsOffer(offerOf(Entry.symlink("l", "..", 0)), ErrorCode.PATH, "link-target-escapes");
        rejectsOffer(offerOf(Entry.symlink("l", "../l2", 0)), ErrorCode.PATH, "link-target-escapes");
        roundTrip(offerOf(Entry.symlink("l", "l2", 0)));
        roundTrip(offerOf(Entry.symlink("a/b/c/l", "../../../x", 0)));
        rejectsOffer(offerOf(Entry.symlink("a/b/c/l", "../../../../x", 0)), ErrorCode.PATH, "link-target-escapes");
    }

    @Test
    void linkTargetOnlyOnSymlinks() throws Exception {
        rejectsOffer(offerOf(new Entry(EntryKind.FILE, "f", 1, 0644, 0, "x")), ErrorCode.PROTOCOL,
                "unexpected-link-target");
        rejectsOffer(offerOf(new Entry(EntryKind.DIR, "d", 0, 0755, 0, "x")), ErrorCode.PROTOCOL,
                "unexpected-link-target");
    }

    @Test
    void sizesMustFitTheKind() throws Exception {
        rejectsOffer(offerOf(Entry.file("f", -1, 0644, 0)), ErrorCode.PROTOCOL, "bad-size");
        rejectsOffer(offerOf(Entry.file("f", Long.MIN_VALUE, 0644, 0)), ErrorCode.PROTOCOL, "bad-size");
        rejectsOffer(offerOf(new Entry(EntryKind.DIR, "d", 1, 0755, 0, "")), ErrorCode.PROTOCOL, "bad-size");
        rejectsOffer(offerOf(new Entry(EntryKind.SYMLINK, "l", 5, 0777, 0, "x")), ErrorCode.PROTOCOL, "bad-size");
        roundTrip(offerOf(Entry.file("f", Long.MAX_VALUE, 0644, 0)));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4, 255})
    void unknownEntryKindIsRejected(int kind) {
        ByteBuffer b = raw(FrameType.OFFER, w -> w.string("").i32(MIB).i32(1)
                .u8(kind).string("f").i64(0).i32(0644).i64(0).string(""));
        rejects(FrameType.OFFER, b, LIMITS, ErrorCode.PROTOCOL, "unknown-entry-kind kind=" + kind);
    }

    static Stream<byte[]> invalidUtf8() {
        return Stream.of(
                new byte[] {(byte) 0xff},                               // never valid
                new byte[] {'a', (byte) 0xc3, '('},                     // bad continuation
                new byte[] {'a', (byte) 0xc3},                          // truncated sequence
                new byte[] {(byte) 0xc0, (byte) 0xaf},                  // overlong '/'
                new byte[] {'.', (byte) 0xc0, (byte) 0xae, '/', 'x'},   // overlong '.': "..", smuggled
                new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf},     // 3-byte overlong '/'
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},     // UTF-16 surrogate D800
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}); // above U+10FFFF
    }

    @ParameterizedTest
    @MethodSource("invalidUtf8")
    void invalidUtf8IsRejectedInEveryStringField(byte[] bad) {
        ByteBuffer path = raw(FrameType.OFFER, w -> w.string("").i32(MIB).i32(1)
                .u8(1).bytes(bad).i64(0).i32(0644).i64(0).string(""));
        rejects(FrameType.OFFER, path, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=path");
        ByteBuffer dest = raw(FrameType.OFFER, w -> w.bytes(bad).i32(MIB).i32(0));
        rejects(FrameType.OFFER, dest, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=dest");
        ByteBuffer target = raw(FrameType.OFFER, w -> w.string("").i32(MIB).i32(1)
                .u8(3).string("l").i64(0).i32(0777).i64(0).bytes(bad));
        rejects(FrameType.OFFER, target, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=link_target");
        ByteBuffer hello = raw(FrameType.HELLO, w -> w.bytes(bad).bytes(new byte[0]).i32(1));
        rejects(FrameType.HELLO, hello, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=client");
    }

    @Test
    void errorsNameTheFrameAndField() {
        ByteBuffer b = raw(FrameType.BLOCK_NACK, w -> w.i32(1).i64(2));
        DwcpException e = rejects(FrameType.BLOCK_NACK, b, LIMITS, ErrorCode.PROTOCOL, "truncated");
        assertEquals("frame=block_nack reason=truncated field=reason", e.getMessage());
    }

    @Test
    void frameNamesInErrorsDoNotDependOnTheDefaultLocale() {
        // In a Turkish locale "FILE_END".toLowerCase() is "f\u0131le_end" (dotless i): logs and peers would
        // see a frame name that matches nothing.
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
            DwcpException e = assertThrows(DwcpException.class,
                    () -> ControlCodec.decode(FrameType.FILE_END, ByteBuffer.allocate(2), LIMITS));
            assertEquals("frame=file_end reason=truncated field=file", e.getMessage());
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    // ---------------------------------------------------------------- plan semantics

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 255})
    void unknownPlanActionIsRejected(int action) {
        ByteBuffer b = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(action).i64(0).i32(0));
        rejects(FrameType.PLAN, b, LIMITS, ErrorCode.PROTOCOL, "unknown-action action=" + action);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 15, 17, 31})
    void digestsMustBeWholeDigests(int length) throws Exception {
        Message.Plan p = new Message.Plan(List.of(new Message.FilePlan(5, Message.FilePlan.BASIS, 10, new byte[length])));
        rejects(FrameType.PLAN, body(p), LIMITS, ErrorCode.PROTOCOL, "bad-digests file=5");
    }

    @Test
    void negativeBasisSizeIsRejected() throws Exception {
        Message.Plan p = new Message.Plan(List.of(new Message.FilePlan(5, Message.FilePlan.BASIS, -1, new byte[16])));
        rejects(FrameType.PLAN, body(p), LIMITS, ErrorCode.PROTOCOL, "bad-digests");
    }

    @Test
    void manyEntriesRoundTrip() throws Exception {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            entries.add(Entry.file("d" + (i % 100) + "/f" + i, i, 0644, i));
        }
        Message.Offer o = new Message.Offer("x", MIB, entries);
        assertEquals(o, roundTrip(o));
        rejects(FrameType.OFFER, body(o), LIMITS.withMaxEntries(19_999), ErrorCode.PROTOCOL, "limit field=entries");
    }

    @Test
    void longErrorTextsAreClippedSoThePeerCanDecodeThem() throws Exception {
        String longText = "x".repeat(100_000);
        java.nio.ByteBuffer buf = ControlCodec.encode(new Message.Error(io.dwcp.core.ErrorCode.IO, longText));
        buf.position(io.dwcp.core.frame.FrameDescriptor.PREFIX_LENGTH);
        Message.Error e = (Message.Error) ControlCodec.decode(io.dwcp.core.frame.FrameType.ERROR, buf.slice(),
                io.dwcp.core.Limits.defaults());
        org.junit.jupiter.api.Assertions.assertTrue(e.message().startsWith("xxxx"));
        org.junit.jupiter.api.Assertions.assertTrue(e.message().length() <= ControlCodec.MAX_TEXT_CHARS);
    }

    @Test
    void offerWithTraversingDestIsRefusedAtDecode() {
        java.nio.ByteBuffer buf = ControlCodec.encode(new Message.Offer("../up", 1 << 20, java.util.List.of()));
        buf.position(io.dwcp.core.frame.FrameDescriptor.PREFIX_LENGTH);
        io.dwcp.core.DwcpException e = org.junit.jupiter.api.Assertions.assertThrows(io.dwcp.core.DwcpException.class,
                () -> ControlCodec.decode(io.dwcp.core.frame.FrameType.OFFER, buf.slice(), io.dwcp.core.Limits.defaults()));
        org.junit.jupiter.api.Assertions.assertEquals(io.dwcp.core.ErrorCode.PATH, e.code());
    }
}
