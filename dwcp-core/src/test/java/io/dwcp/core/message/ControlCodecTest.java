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

    /**
     * Strings decode the same from a heap body and a direct one (the server's), whatever their script and length in
     * whatever order: each body's string buffer grows to its longest string and is reused for the next.
     */
    @Test
    void stringsOfEveryScriptAndLengthDecodeFromHeapAndDirectBodies() throws DwcpException {
        List<Entry> entries = new java.util.ArrayList<>();
        String[] names = {"a", "dir456789/".repeat(280) + "f", "grüße/日本語", "b", "é".repeat(100), "c/d", "", "z".repeat(70)};
        for (int i = 0; i < names.length; i++) {
            String name = names[i].isEmpty() ? "e" + i : names[i];
            entries.add(i % 2 == 0 ? Entry.file(name, i, 0644, i) : Entry.symlink(name + "-l", names[i] + "→ziel", i));
        }
        Message.Offer o = new Message.Offer("dést/ination", MIB, 0, 0, entries);
        ByteBuffer heap = body(o);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            ByteBuffer direct = arena.allocate(heap.remaining()).asByteBuffer().put(heap.duplicate()).flip();
            assertEquals(o, ControlCodec.decode(FrameType.OFFER, heap, LIMITS));
            assertEquals(o, ControlCodec.decode(FrameType.OFFER, direct, LIMITS));
        }
    }

    /** A writer reused for frame after frame (the server's outbox) encodes each exactly as a fresh one does. */
    @Test
    void aReusedWriterEncodesEachFrameAsAFreshOneDoes() {
        BodyWriter w = new BodyWriter(FrameType.ERROR);
        List<Message> frames = List.of(offerOf(Entry.file("a/" + "b".repeat(5000), 1, 0644, 0)),
                new Message.FileDone(7, Message.FileDone.OK, "written"),
                new Message.FileDone(8, 3, "path=\"grüße\" reason=x"),
                new Message.FileEnd(9, 1, new byte[16]), new Message.Commit(),
                new Message.Error(ErrorCode.IO, "reason=" + "r".repeat(300)));
        for (Message m : frames) {
            ByteBuffer fresh = ControlCodec.encode(m);
            int n = ControlCodec.encode(m, w);
            assertEquals(fresh.remaining(), n, m.toString());
            assertEquals(fresh, ByteBuffer.wrap(w.array(), 0, n), m.toString());
            w.shrink(1024);
        }
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

    /** A later batch of a --checksum --delete transfer with one entry of every kind and every field in use. */
    static Message.Offer sampleOffer() {
        return new Message.Offer("backups/2026", MIB, Message.Offer.CHECKSUM | Message.Offer.DELETE, 70_000, List.of(
                Entry.dir("vm", 0755, 1_700_000_000_000_000_001L).withOwner(1000, 100),
                Entry.file("vm/disk.qcow2", 42L * 1024 * 1024 * 1024, 0640, 1_700_000_000_123_456_789L).withOwner(0, 0),
                Entry.file("vm/empty", 0, 0600, -5L).withOwner(65534, -2), // before the epoch; gid 4294967294
                Entry.symlink("vm/current", "disk.qcow2", 1_700_000_000_999_999_999L),
                Entry.symlink("vm/up", "../vm/empty", 0),
                Entry.symlink("vm/base", "/var/lib/images/base.img", Long.MIN_VALUE),
                Entry.hardLink("vm/disk-alias.qcow2", "vm/disk.qcow2"),
                new Entry(EntryKind.SPECIAL, "vm/fifo", 0, 010640, Long.MAX_VALUE, "", 1000, 100, 0),
                new Entry(EntryKind.SPECIAL, "vm/tty0", 0, 020620, 3, "", 0, 5, 4L << 8),
                new Entry(EntryKind.SPECIAL, "vm/sda", 0, 060660, 4, "", 0, 6, (8L << 8) | 0xfff_0000_0000L),
                new Entry(EntryKind.LISTED, "vm", 0, 0, 0, "", Entry.NO_ID, Entry.NO_ID, 0),
                new Entry(EntryKind.LISTED, "", 0, 0, 0, "", Entry.NO_ID, Entry.NO_ID, 0)));
    }

    static Message.Plan samplePlan() {
        return new Message.Plan(List.of(
                new Message.FilePlan(0, Message.FilePlan.NEW, 0, new byte[0]),
                new Message.FilePlan(1, Message.FilePlan.BASIS, 3L * MIB + 1, seq(4 * 16, 3)),
                new Message.FilePlan(Integer.MAX_VALUE, Message.FilePlan.BASIS, Long.MAX_VALUE, seq(16, 4)),
                Message.FilePlan.skip(7, Message.FilePlan.TIME | Message.FilePlan.PERMS),
                new Message.FilePlan(9, Message.FilePlan.SKIP, 127, 0, new byte[0], "warning: 日本語 not changed"),
                Message.FilePlan.failed(8, "path=\"x\" reason=exists-as-directory")));
    }

    static Message.Deleted sampleDeleted() {
        return new Message.Deleted(List.of("old/file", "gone", "日本語/古い.txt"));
    }

    /** One sample of every message type, with every field set to something distinctive. */
    static List<Message> samples() {
        return List.of(
                new Message.Hello("dwcp/0.1 host=α", seq(32, 1), 8),
                new Message.Hello("", new byte[0], 0),
                new Message.Welcome(seq(16, 2), 7401, 4, "dwcp-server/0.1"),
                sampleOffer(),
                new Message.Offer("", Limits.MIN_BLOCK_SIZE, List.of()),
                samplePlan(),
                new Message.Plan(List.of()),
                sampleDeleted(),
                new Message.Deleted(List.of()),
                new Message.FileEnd(3, 1L << 40, seq(16, 5)),
                new Message.Refine(5, new int[] {0, 7, 4096}),
                new Message.PageDigests(5, new int[] {0, 7}, seq(2 * 256 * 8, 9)),
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
            case Message.Deleted w -> assertEquals(w, got);
            case Message.Plan w -> {
                Message.Plan g = (Message.Plan) got;
                assertEquals(w.files().size(), g.files().size());
                for (int i = 0; i < w.files().size(); i++) {
                    Message.FilePlan a = w.files().get(i);
                    Message.FilePlan b = g.files().get(i);
                    assertEquals(a.fileId(), b.fileId());
                    assertEquals(a.action(), b.action());
                    assertEquals(a.changes(), b.changes());
                    assertEquals(a.detail(), b.detail());
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
            case Message.Refine w -> {
                Message.Refine g = (Message.Refine) got;
                assertEquals(w.fileId(), g.fileId());
                assertArrayEquals(w.blocks(), g.blocks());
            }
            case Message.PageDigests w -> {
                Message.PageDigests g = (Message.PageDigests) got;
                assertEquals(w.fileId(), g.fileId());
                assertArrayEquals(w.blocks(), g.blocks());
                assertArrayEquals(w.digests(), g.digests());
            }
            case Message.Join w -> {
                Message.Join g = (Message.Join) got;
                assertArrayEquals(w.sessionId(), g.sessionId());
                assertEquals(w.stream(), g.stream());
            }
            default -> assertEquals(want, got); // FileDone, BlockNack, Commit, Done, Error, JoinAck: plain values
        }
    }

    // ---------------------------------------------------------------- refine bounds

    @ParameterizedTest
    @MethodSource("badRefines")
    void refineBlockListsAreBoundedAndAscending(int[] blocks, String reason) {
        DwcpException e = assertThrows(DwcpException.class, () -> roundTrip(new Message.Refine(1, blocks)));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> badRefines() {
        int[] tooMany = new int[Message.Refine.MAX_BLOCKS + 1];
        for (int i = 0; i < tooMany.length; i++) {
            tooMany[i] = i;
        }
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(new int[0], "reason=no-blocks"),
                org.junit.jupiter.params.provider.Arguments.of(new int[] {3, 3}, "reason=blocks-not-ascending"),
                org.junit.jupiter.params.provider.Arguments.of(new int[] {5, 2}, "reason=blocks-not-ascending"),
                org.junit.jupiter.params.provider.Arguments.of(new int[] {-1}, "reason=blocks-not-ascending"),
                org.junit.jupiter.params.provider.Arguments.of(tooMany, "blocks"));
    }

    @Test
    void pageDigestsMustBeWholeDigests() {
        DwcpException e = assertThrows(DwcpException.class,
                () -> roundTrip(new Message.PageDigests(1, new int[] {0}, new byte[12])));
        assertTrue(e.getMessage().contains("reason=bad-digests"), e.getMessage());
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
                .putInt(1).put((byte) 'd').putInt(4096).putInt(0).putInt(0).putInt(0).putInt(0).putInt(0).putInt(1)
                .put((byte) 1).putInt(1).put((byte) 'f').putLong(0x0102030405060708L).putInt(0644).putLong(9).putInt(0)
                .putInt(-1).putInt(-1).putLong(0);
        assertEquals(b.length, want.position());
        assertArrayEquals(want.array(), b);
    }

    @Test
    void filterRulesTravelInTheFirstBatchAndAreChecked() throws Exception {
        Message.Offer o = new Message.Offer("d", MIB, Message.Offer.DELETE, 0, List.of("- *.o", "+ keep/***", "- build/"),
                List.of(Entry.file("f", 1, 0644, 0)));
        assertEquals(o, roundTrip(o));
        byte[] b = bodyBytes(o);
        ByteBuffer head = ByteBuffer.wrap(b, 0, 4 + 1 + 4 + 4 + 4 + 4 + 4 + 5);
        head.position(1 + 4 + 4 + 4 + 4);
        assertEquals(3, head.getInt(), "count of rules after the first id");
        assertEquals(5, head.getInt(), "then each rule as a string");
        rejectsOffer(new Message.Offer("", MIB, 0, 0, List.of("*.o"), List.of()), ErrorCode.PROTOCOL, "bad-filter-rule");
        rejectsOffer(new Message.Offer("", MIB, 0, 0, List.of("- "), List.of()), ErrorCode.PROTOCOL, "bad-filter-rule");
        java.util.List<String> many = java.util.Collections.nCopies(Message.Offer.MAX_FILTERS + 1, "- x");
        rejectsOffer(new Message.Offer("", MIB, 0, 0, many, List.of()), ErrorCode.PROTOCOL, "limit field=filters");
    }

    @Test
    void offerFieldsAreInTheDocumentedOrder() throws Exception {
        // string dest, i32 block size, i32 flags, i32 first id, i32 filter count, i32 user names, i32 group names,
        // i32 count; per entry u8 kind, string path, i64 size, i32 mode, i64 mtime (ns), string link target, i32 uid,
        // i32 gid, i64 rdev. Every value distinct.
        Message.Offer o = new Message.Offer("d", 8192, Message.Offer.CHECKSUM | Message.Offer.DRY_RUN, 0x0a0b0c0d,
                List.of(Entry.file("f", 0x0102030405060708L, 0644, 0x1112131415161718L).withOwner(1000, 100),
                        Entry.symlink("l", "/t", 0x2122232425262728L).withOwner(-1, 7),
                        new Entry(EntryKind.SPECIAL, "c", 0, 020640, -1L, "", 0x31323334, 0x41424344, 0x5152535455565758L),
                        Entry.hardLink("h", "f"),
                        new Entry(EntryKind.LISTED, "", 0, 0, 0, "", -1, -1, 0)));
        byte[] b = bodyBytes(o);
        ByteBuffer want = ByteBuffer.allocate(b.length)
                .putInt(1).put((byte) 'd').putInt(8192).putInt(9).putInt(0x0a0b0c0d).putInt(0).putInt(0).putInt(0).putInt(5)
                .put((byte) 1).putInt(1).put((byte) 'f').putLong(0x0102030405060708L).putInt(0644)
                .putLong(0x1112131415161718L).putInt(0).putInt(1000).putInt(100).putLong(0)
                .put((byte) 3).putInt(1).put((byte) 'l').putLong(0).putInt(0777)
                .putLong(0x2122232425262728L).putInt(2).put((byte) '/').put((byte) 't').putInt(-1).putInt(7).putLong(0)
                .put((byte) 5).putInt(1).put((byte) 'c').putLong(0).putInt(020640)
                .putLong(-1L).putInt(0).putInt(0x31323334).putInt(0x41424344).putLong(0x5152535455565758L)
                .put((byte) 4).putInt(1).put((byte) 'h').putLong(0).putInt(0)
                .putLong(0).putInt(1).put((byte) 'f').putInt(-1).putInt(-1).putLong(0)
                .put((byte) 6).putInt(0).putLong(0).putInt(0)
                .putLong(0).putInt(0).putInt(-1).putInt(-1).putLong(0);
        assertEquals(b.length, want.position());
        assertArrayEquals(want.array(), b);
        assertEquals(o, roundTrip(o));
    }

    @Test
    void planEncodingIsTheDocumentedLayout() throws Exception {
        // i32 count; per line i32 id, u8 action, u16 changes, i64 basis size, bytes digests, string detail.
        byte[] digest = seq(16, 11);
        Message.Plan p = new Message.Plan(List.of(
                new Message.FilePlan(0x01020304, Message.FilePlan.BASIS,
                        Message.FilePlan.CONTENT | Message.FilePlan.TIME, 0x1112131415161718L, digest, ""),
                Message.FilePlan.failed(5, "no"),
                Message.FilePlan.skip(6, Message.FilePlan.TARGET)));
        byte[] b = bodyBytes(p);
        ByteBuffer want = ByteBuffer.allocate(b.length).putInt(3)
                .putInt(0x01020304).put((byte) 1).putShort((short) 6).putLong(0x1112131415161718L).putInt(16).put(digest)
                .putInt(0)
                .putInt(5).put((byte) 3).putShort((short) 0).putLong(0).putInt(0).putInt(2).put((byte) 'n').put((byte) 'o')
                .putInt(6).put((byte) 2).putShort((short) 64).putLong(0).putInt(0).putInt(0);
        assertEquals(b.length, want.position());
        assertArrayEquals(want.array(), b);
    }

    @Test
    void deletedEncodingIsTheDocumentedLayout() throws Exception {
        // i32 count; per path string path.
        byte[] b = bodyBytes(new Message.Deleted(List.of("a/b", "é")));
        ByteBuffer want = ByteBuffer.allocate(b.length).putInt(2)
                .putInt(3).put((byte) 'a').put((byte) '/').put((byte) 'b')
                .putInt(2).put((byte) 0xc3).put((byte) 0xa9);
        assertEquals(b.length, want.position());
        assertArrayEquals(want.array(), b);
    }

    @Test
    void codesAreTheDocumentedOnes() throws Exception {
        EntryKind[] kinds = {EntryKind.FILE, EntryKind.DIR, EntryKind.SYMLINK, EntryKind.HARDLINK, EntryKind.SPECIAL,
                EntryKind.LISTED};
        assertEquals(kinds.length, EntryKind.values().length);
        for (int i = 0; i < kinds.length; i++) {
            assertEquals(i + 1, kinds[i].code());
            assertEquals(kinds[i], EntryKind.of(i + 1));
        }
        assertEquals(List.of(0, 1, 2, 3), List.of(Message.FilePlan.NEW, Message.FilePlan.BASIS, Message.FilePlan.SKIP,
                Message.FilePlan.FAILED));
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 64, 256), List.of(Message.FilePlan.CREATED, Message.FilePlan.CONTENT,
                Message.FilePlan.TIME, Message.FilePlan.PERMS, Message.FilePlan.OWNER, Message.FilePlan.GROUP,
                Message.FilePlan.TARGET, Message.FilePlan.XATTRS));
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 64, 128, 255), List.of(Message.Offer.CHECKSUM,
                Message.Offer.IGNORE_TIMES, Message.Offer.DELETE, Message.Offer.DRY_RUN, Message.Offer.NO_FSYNC,
                Message.Offer.INPLACE, Message.Offer.XATTRS, Message.Offer.NUMERIC_IDS, Message.Offer.KNOWN));
    }

    /** S_IFMT values: regular, directory, symlink, FIFO, char device, block device, socket. */
    private static final int[] FILE_TYPES = {0100000, 0040000, 0120000, 0010000, 0020000, 0060000, 0140000};

    /** A valid entry of each kind that is not SPECIAL, with the given mode and rdev. */
    private static List<Entry> nonSpecialEntries(int mode, long rdev) {
        return List.of(new Entry(EntryKind.FILE, "f", 1, mode, 0, "", 0, 0, rdev),
                new Entry(EntryKind.DIR, "d", 0, mode, 0, "", 0, 0, rdev),
                new Entry(EntryKind.SYMLINK, "l", 0, mode, 0, "x", 0, 0, rdev),
                new Entry(EntryKind.HARDLINK, "h", 0, mode, 0, "f", 0, 0, rdev),
                new Entry(EntryKind.LISTED, "d", 0, mode, 0, "", 0, 0, rdev));
    }

    @Test
    void fileTypeBitsOnlyOnSpecialEntries() throws Exception {
        // A sender passing st_mode as is (file type bits included) is refused, not masked: the kind says what an
        // entry is, and only SPECIAL carries its type (FIFO, socket, char or block device) in the mode.
        for (int type : FILE_TYPES) {
            for (Entry e : nonSpecialEntries(type | 0644, 0)) {
                DwcpException ex = rejectsOffer(offerOf(e), ErrorCode.PROTOCOL, "bad-mode");
                assertTrue(ex.getMessage().contains("path=" + e.path() + " "), ex.getMessage());
            }
        }
        for (int mode : new int[] {0644, 0, 07777, 0100644, 0040755, 0120777}) {
            rejectsOffer(offerOf(new Entry(EntryKind.SPECIAL, "p", 0, mode, 0, "", 0, 0, 0)), ErrorCode.PROTOCOL,
                    "bad-mode");
        }
        for (int mode : new int[] {010644, 0140755}) { // a FIFO or a socket with a device number
            rejectsOffer(offerOf(new Entry(EntryKind.SPECIAL, "p", 0, mode, 0, "", 0, 0, 3)), ErrorCode.PROTOCOL,
                    "bad-mode");
        }
        // rdev belongs to devices: on any other kind it is refused.
        for (Entry e : nonSpecialEntries(0644, 5)) {
            rejectsOffer(offerOf(e), ErrorCode.PROTOCOL, "bad-mode");
        }
        Message.Offer o = offerOf(new Entry(EntryKind.SPECIAL, "fifo", 0, 010644, 7, "", 1000, 100, 0),
                new Entry(EntryKind.SPECIAL, "null", 0, 020666, 8, "", 0, 0, (1 << 8) | 3),
                new Entry(EntryKind.SPECIAL, "sda", 0, 067660, 8, "", 0, 6, (8 << 8)), // setuid|setgid|sticky kept
                new Entry(EntryKind.SPECIAL, "sock", 0, 0140755, 9, "", 0, 0, 0),
                new Entry(EntryKind.DIR, "d", 0, 01777, 9, "", 0, 0, 0),
                Entry.file("d/suid", 1, 06755, 10),
                Entry.hardLink("d/second", "fifo"));
        assertEquals(o, roundTrip(o));
        for (Entry e : nonSpecialEntries(07777, 0)) {
            assertEquals(e, ((Message.Offer) roundTrip(offerOf(e))).entries().get(0), "permission bits kept");
        }
    }

    @Test
    void batchesCarryFlagsAndFirstId() throws Exception {
        Message.Offer o = new Message.Offer("d", MIB, Message.Offer.CHECKSUM | Message.Offer.DELETE, 70_000,
                List.of(Entry.file("f", 1, 0644, 1_700_000_000_123_456_789L),
                        new Entry(EntryKind.LISTED, "", 0, 0, 0, "", -1, -1, 0)));
        assertEquals(o, roundTrip(o));
        for (int flags : new int[] {Message.Offer.CHECKSUM, Message.Offer.IGNORE_TIMES, Message.Offer.DELETE,
                Message.Offer.DRY_RUN, Message.Offer.KNOWN}) {
            Message.Offer back = (Message.Offer) roundTrip(new Message.Offer("", MIB, flags, 0, List.of()));
            assertEquals(flags, back.flags());
        }
        assertTrue(o.has(Message.Offer.DELETE) && !o.has(Message.Offer.DRY_RUN));
        for (int flags : new int[] {1 << 20, 256, Message.Offer.KNOWN + 1, Integer.MIN_VALUE, -1}) {
            rejectsOffer(new Message.Offer("", MIB, flags, 0, List.of()), ErrorCode.PROTOCOL, "unknown-flags");
        }
        rejectsOffer(new Message.Offer("", MIB, 0, -1, List.of()), ErrorCode.PROTOCOL, "bad-first-id");
        rejectsOffer(new Message.Offer("", MIB, 0, Integer.MIN_VALUE, List.of()), ErrorCode.PROTOCOL, "bad-first-id");
        // Ids must not run past Integer.MAX_VALUE: first id + count is the next batch's first id.
        Entry f = Entry.file("f", 1, 0644, 0);
        assertEquals(Integer.MAX_VALUE - 1,
                ((Message.Offer) roundTrip(new Message.Offer("", MIB, 0, Integer.MAX_VALUE - 1, List.of(f)))).firstId());
        rejectsOffer(new Message.Offer("", MIB, 0, Integer.MAX_VALUE, List.of(f)), ErrorCode.PROTOCOL, "bad-first-id");
        rejectsOffer(new Message.Offer("", MIB, 0, Integer.MAX_VALUE - 1, List.of(f, f)), ErrorCode.PROTOCOL,
                "bad-first-id");
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

    /** Decodes {@code rounds} random 1-3 byte mutations of {@code m}; returns how many decoded. */
    static int mutate(Message m, int rounds, int seed) throws DwcpException {
        byte[] full = bodyBytes(m);
        SplittableRandom rnd = new SplittableRandom(seed);
        int decoded = 0;
        for (int i = 0; i < rounds; i++) {
            byte[] b = full.clone();
            for (int f = 1 + rnd.nextInt(3); f > 0; f--) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            }
            try {
                ControlCodec.decode(m.type(), ByteBuffer.wrap(b), LIMITS);
                decoded++;
            } catch (DwcpException e) {
                // expected for most mutations
            } catch (RuntimeException | Error e) {
                fail(m.type() + " mutation " + i + " threw " + e, e);
            }
        }
        return decoded;
    }

    @Test
    void mutatedOffersFailOnlyWithDwcpException() throws Exception {
        assertTrue(mutate(sampleOffer(), 20_000, 7) < 20_000);
    }

    @Test
    void mutatedPlansAndDeletedListsFailOnlyWithDwcpException() throws Exception {
        assertTrue(mutate(samplePlan(), 10_000, 8) < 10_000);
        assertTrue(mutate(sampleDeleted(), 10_000, 9) < 10_000);
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

    /** The OFFER header before the entry count: empty dest, 1 MiB blocks, no flags, first id 0, no filters. */
    static BodyWriter offerHead(BodyWriter w) {
        return w.string("").i32(MIB).i32(0).i32(0).i32(0).i32(0).i32(0); // no filters, no owner names
    }

    /** The smallest entry on the wire: kind, path length, size, mode, mtime, link length, uid, gid, rdev. */
    static final int MIN_ENTRY_BYTES = 1 + 4 + 8 + 4 + 8 + 4 + 4 + 4 + 8;
    /** The smallest plan line: id, action, changes, basis size, digests length, detail length. */
    static final int MIN_PLAN_BYTES = 4 + 1 + 2 + 8 + 4 + 4;

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, Limits.MAX_ENTRIES + 1, 250_001, 1_000_001, -1, Integer.MIN_VALUE})
    void hugeEntryCountIsRefusedWithoutAllocating(int count) {
        ByteBuffer b = raw(FrameType.OFFER, w -> offerHead(w).i32(count));
        DwcpException e = rejects(FrameType.OFFER, b.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit");
        assertTrue(e.getMessage().contains("field=entries count=" + Integer.toUnsignedString(count)
                + " max=" + Limits.MAX_ENTRIES), e.getMessage());
        assertTrue(allocatedWhileRejecting(FrameType.OFFER, b.duplicate(), LIMITS) < 256 * 1024);
    }

    @Test
    void entryCountWithinLimitButBeyondTheBodyIsRefusedWithoutAllocating() {
        // With no entry limit at all, the count is still bounded by the bytes actually present.
        Limits unlimited = LIMITS.withMaxEntries(Integer.MAX_VALUE);
        ByteBuffer b = raw(FrameType.OFFER, w -> offerHead(w).i32(Integer.MAX_VALUE).u8(1));
        rejects(FrameType.OFFER, b.duplicate(), unlimited, ErrorCode.PROTOCOL, "truncated field=entries");
        assertTrue(allocatedWhileRejecting(FrameType.OFFER, b.duplicate(), unlimited) < 256 * 1024);
        // 1000 entries claimed, 999 entries' worth of minimal bytes present.
        ByteBuffer c = raw(FrameType.OFFER, w -> offerHead(w).i32(1000).fixed(new byte[999 * MIN_ENTRY_BYTES]));
        rejects(FrameType.OFFER, c, LIMITS, ErrorCode.PROTOCOL, "truncated field=entries");
        // The same for plan lines and deleted paths.
        ByteBuffer p = raw(FrameType.PLAN, w -> w.i32(1000).fixed(new byte[999 * MIN_PLAN_BYTES]));
        rejects(FrameType.PLAN, p, LIMITS, ErrorCode.PROTOCOL, "truncated field=files");
        ByteBuffer d = raw(FrameType.DELETED, w -> w.i32(1000).fixed(new byte[999 * 5]));
        rejects(FrameType.DELETED, d, LIMITS, ErrorCode.PROTOCOL, "truncated field=paths");
        ByteBuffer d2 = raw(FrameType.DELETED, w -> w.i32(Integer.MAX_VALUE).string("x"));
        rejects(FrameType.DELETED, d2.duplicate(), unlimited, ErrorCode.PROTOCOL, "truncated field=paths");
        assertTrue(allocatedWhileRejecting(FrameType.DELETED, d2, unlimited) < 256 * 1024);
    }

    @Test
    void hugePlanCountsAreRefusedWithoutAllocating() {
        ByteBuffer files = raw(FrameType.PLAN, w -> w.i32(Integer.MAX_VALUE));
        rejects(FrameType.PLAN, files.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit field=files");
        assertTrue(allocatedWhileRejecting(FrameType.PLAN, files, LIMITS.withMaxEntries(Integer.MAX_VALUE)) < 256 * 1024);
        ByteBuffer over = raw(FrameType.PLAN, w -> w.i32(Limits.MAX_ENTRIES + 1));
        rejects(FrameType.PLAN, over, LIMITS, ErrorCode.PROTOCOL, "limit field=files count=16385 max=16384");
        ByteBuffer digests = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(1).u16(0).i64(0).i32(Integer.MAX_VALUE).i32(0));
        rejects(FrameType.PLAN, digests.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit field=digests");
        ByteBuffer digests2 = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(1).u16(0).i64(0).i32(LIMITS.maxControlBody())
                .i32(0));
        rejects(FrameType.PLAN, digests2.duplicate(), LIMITS, ErrorCode.PROTOCOL, "truncated field=digests");
        assertTrue(allocatedWhileRejecting(FrameType.PLAN, digests2, LIMITS) < 256 * 1024);
        ByteBuffer detail = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(3).u16(0).i64(0).i32(0).i32(Integer.MAX_VALUE));
        rejects(FrameType.PLAN, detail.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit field=detail");
        assertTrue(allocatedWhileRejecting(FrameType.PLAN, detail, LIMITS) < 256 * 1024);
        ByteBuffer detail2 = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(3).u16(0).i64(0).i32(0).i32(8000));
        rejects(FrameType.PLAN, detail2.duplicate(), LIMITS, ErrorCode.PROTOCOL, "truncated field=detail");
        assertTrue(allocatedWhileRejecting(FrameType.PLAN, detail2, LIMITS) < 256 * 1024);
    }

    @ParameterizedTest
    @ValueSource(ints = {Integer.MAX_VALUE, Limits.MAX_ENTRIES + 1, -1, Integer.MIN_VALUE})
    void hugeDeletedCountIsRefusedWithoutAllocating(int count) {
        ByteBuffer b = raw(FrameType.DELETED, w -> w.i32(count));
        DwcpException e = rejects(FrameType.DELETED, b.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit");
        assertTrue(e.getMessage().contains("field=paths count=" + Integer.toUnsignedString(count)), e.getMessage());
        assertTrue(allocatedWhileRejecting(FrameType.DELETED, b.duplicate(), LIMITS) < 256 * 1024);
        ByteBuffer path = raw(FrameType.DELETED, w -> w.i32(1).i32(count).u8('x'));
        rejects(FrameType.DELETED, path.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit field=path");
        assertTrue(allocatedWhileRejecting(FrameType.DELETED, path, LIMITS) < 256 * 1024);
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

        // Link targets, deleted paths and plan details are bounded too.
        rejectsOffer(offerOf(Entry.symlink("l", "t".repeat(4097), 0)), ErrorCode.PROTOCOL, "limit field=link_target");
        rejectsOffer(offerOf(Entry.hardLink("h", longPath)), ErrorCode.PROTOCOL, "limit field=link_target");
        String maxTarget = "/" + "t".repeat(4095);
        assertEquals(maxTarget, ((Message.Offer) roundTrip(offerOf(Entry.symlink("l", maxTarget, 0))))
                .entries().get(0).linkTarget());
        assertEquals(maxPath, ((Message.Offer) roundTrip(offerOf(Entry.hardLink("h", maxPath))))
                .entries().get(0).linkTarget());
        rejects(FrameType.DELETED, body(new Message.Deleted(List.of("p".repeat(2 * 4096 + 1)))), LIMITS,
                ErrorCode.PROTOCOL, "limit field=path");
        assertEquals(List.of(maxPath), ((Message.Deleted) roundTrip(new Message.Deleted(List.of(maxPath)))).paths());
        ByteBuffer detail = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(3).u16(0).i64(0).i32(0)
                .string("d".repeat(2 * 4096 + 1)));
        rejects(FrameType.PLAN, detail, LIMITS, ErrorCode.PROTOCOL, "limit field=detail");
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
            "a/./b", ".", "", "a\u0000b", "x.dwcp-part", "a/b.dwcp-part/c"})
    void badEntryPathsAreRejectedWithPathError(String path) throws Exception {
        List<Entry> entries = new ArrayList<>(List.of(Entry.file(path, 1, 0644, 0),
                Entry.symlink(path, "x", 0), Entry.hardLink(path, "ok/f"),
                new Entry(EntryKind.SPECIAL, path, 0, 010644, 0, "", 0, 0, 0)));
        if (!path.isEmpty()) { // a LISTED or DIR entry's empty path is DEST itself
            entries.add(new Entry(EntryKind.LISTED, path, 0, 0, 0, "", -1, -1, 0));
            entries.add(Entry.dir(path, 0755, 0));
        }
        for (Entry e : entries) {
            DwcpException ex = assertThrows(DwcpException.class,
                    () -> ControlCodec.decode(FrameType.OFFER, body(offerOf(Entry.dir("ok", 0755, 0), e)), LIMITS));
            assertEquals(ErrorCode.PATH, ex.code(), e.kind() + ": " + ex.getMessage());
            assertTrue(ex.getMessage().startsWith("path=\""), ex.getMessage());
        }
        // A hard link names an earlier offer path: the same rule applies to its target.
        DwcpException ex = assertThrows(DwcpException.class, () -> ControlCodec.decode(FrameType.OFFER,
                body(offerOf(Entry.file("ok", 1, 0644, 0), Entry.hardLink("h", path))), LIMITS));
        assertEquals(ErrorCode.PATH, ex.code(), ex.getMessage());
        // The names a receiver reports as deleted are only shown: any name it could hold passes, but not NUL or "".
        if (path.isEmpty() || path.indexOf('\0') >= 0) {
            rejects(FrameType.DELETED, body(new Message.Deleted(List.of("ok", path))), LIMITS, ErrorCode.PROTOCOL,
                    "bad-path");
        } else {
            assertEquals(List.of("ok", path), ((Message.Deleted) roundTrip(new Message.Deleted(List.of("ok", path)))).paths());
        }
        assertTrue(ex.getMessage().startsWith("path=\""), ex.getMessage());
    }

    @Test
    void listedAndDirMayNameDestItself() throws Exception {
        Message.Offer o = new Message.Offer("d", MIB, Message.Offer.DELETE, 0, List.of(
                Entry.dir("", 0750, 5),
                new Entry(EntryKind.LISTED, "", 0, 0, 0, "", -1, -1, 0),
                new Entry(EntryKind.LISTED, "a/b", 0, 0, 0, "", -1, -1, 0)));
        assertEquals(o, roundTrip(o));
        for (Entry e : List.of(Entry.file("", 1, 0644, 0), Entry.symlink("", "x", 0),
                Entry.hardLink("", "f"))) {
            rejectsOffer(offerOf(e), ErrorCode.PATH, "empty");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a\u0000"})
    void malformedSymlinkTargetsAreRejected(String target) throws Exception {
        DwcpException e = rejectsOffer(offerOf(Entry.dir("a", 0755, 0), Entry.symlink("a/l", target, 0)),
                ErrorCode.PATH, "bad-link-target");
        assertTrue(e.getMessage().startsWith("path=\"a/l\""), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "../x", "..", "../b/c", "sub/deeper/file", "...", "..x/y", "../../../etc/passwd",
            "/etc/passwd", "/", "x//y/", "./x", "..\\..\\x", "dangling/nowhere", ".", " ", "x.dwcp-part",
            "日本語/リンク先", "emoji/📦"})
    void symlinkTargetsAreKeptVerbatim(String target) throws Exception {
        Message.Offer o = offerOf(Entry.dir("a", 0755, 0), Entry.symlink("a/l", target, 0));
        assertEquals(target, ((Message.Offer) roundTrip(o)).entries().get(1).linkTarget());
    }

    @Test
    void linkTargetOnlyOnSymlinks() throws Exception {
        rejectsOffer(offerOf(new Entry(EntryKind.FILE, "f", 1, 0644, 0, "x", 0, 0, 0)), ErrorCode.PROTOCOL,
                "unexpected-link-target");
        rejectsOffer(offerOf(new Entry(EntryKind.DIR, "d", 0, 0755, 0, "x", 0, 0, 0)), ErrorCode.PROTOCOL,
                "unexpected-link-target");
        rejectsOffer(offerOf(new Entry(EntryKind.SPECIAL, "p", 0, 010644, 0, "x", 0, 0, 0)), ErrorCode.PROTOCOL,
                "unexpected-link-target");
        rejectsOffer(offerOf(new Entry(EntryKind.LISTED, "d", 0, 0, 0, "x", 0, 0, 0)), ErrorCode.PROTOCOL,
                "unexpected-link-target");
        rejectsOffer(offerOf(new Entry(EntryKind.LISTED, "", 0, 0, 0, "x", 0, 0, 0)), ErrorCode.PROTOCOL,
                "unexpected-link-target");
        // ...and on hard links, which must name their file.
        rejectsOffer(offerOf(Entry.hardLink("h", "")), ErrorCode.PATH, "empty");
    }

    @Test
    void sizesMustFitTheKind() throws Exception {
        rejectsOffer(offerOf(Entry.file("f", -1, 0644, 0)), ErrorCode.PROTOCOL, "bad-size");
        rejectsOffer(offerOf(Entry.file("f", Long.MIN_VALUE, 0644, 0)), ErrorCode.PROTOCOL, "bad-size");
        rejectsOffer(offerOf(new Entry(EntryKind.DIR, "d", 1, 0755, 0, "", 0, 0, 0)), ErrorCode.PROTOCOL, "bad-size");
        rejectsOffer(offerOf(new Entry(EntryKind.SYMLINK, "l", 5, 0777, 0, "x", 0, 0, 0)), ErrorCode.PROTOCOL, "bad-size");
        rejectsOffer(offerOf(new Entry(EntryKind.HARDLINK, "h", 1, 0, 0, "f", 0, 0, 0)), ErrorCode.PROTOCOL, "bad-size");
        rejectsOffer(offerOf(new Entry(EntryKind.SPECIAL, "p", 1, 010644, 0, "", 0, 0, 0)), ErrorCode.PROTOCOL,
                "bad-size");
        rejectsOffer(offerOf(new Entry(EntryKind.LISTED, "", -1, 0, 0, "", 0, 0, 0)), ErrorCode.PROTOCOL, "bad-size");
        roundTrip(offerOf(Entry.file("f", Long.MAX_VALUE, 0644, 0)));
    }

    @Test
    void nanosecondTimesAndOwnersRoundTrip() throws Exception {
        for (long mtime : new long[] {0, 1, -1, 999_999_999, 1_700_000_000_123_456_789L, Long.MAX_VALUE, Long.MIN_VALUE}) {
            for (int id : new int[] {0, 1000, 65534, Entry.NO_ID, -2, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
                Entry e = Entry.file("f", 1, 0644, mtime).withOwner(id, ~id);
                Entry back = ((Message.Offer) roundTrip(offerOf(e))).entries().get(0);
                assertEquals(mtime, back.mtimeNanos());
                assertEquals(id, back.uid());
                assertEquals(~id, back.gid());
            }
        }
    }

    /** One entry written field by field: kind, path, size, mode, mtime, link target, uid, gid, rdev. */
    static BodyWriter entry(BodyWriter w, int kind, byte[] path, int mode, byte[] target) {
        return w.u8(kind).bytes(path).i64(0).i32(mode).i64(0).bytes(target).i32(-1).i32(-1).i64(0);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 7, 8, 16, 128, 255})
    void unknownEntryKindIsRejected(int kind) {
        ByteBuffer b = raw(FrameType.OFFER, w -> entry(offerHead(w).i32(1), kind, utf8("f"), 0644, new byte[0]));
        rejects(FrameType.OFFER, b, LIMITS, ErrorCode.PROTOCOL, "unknown-entry-kind kind=" + kind);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void everyKnownEntryKindDecodesFromItsCode(int kind) throws Exception {
        byte[] target = kind == 3 || kind == 4 ? utf8("t") : new byte[0];
        int mode = kind == 5 ? 010644 : 0644;
        ByteBuffer b = raw(FrameType.OFFER, w -> entry(offerHead(w).i32(1), kind, utf8("f"), mode, target));
        Entry e = ((Message.Offer) ControlCodec.decode(FrameType.OFFER, b, LIMITS)).entries().get(0);
        assertEquals(kind, e.kind().code());
        assertEquals(EntryKind.of(kind), e.kind());
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
        byte[] none = new byte[0];
        // OFFER: dest, path (of every kind), link target (symlink and hard link).
        ByteBuffer dest = raw(FrameType.OFFER, w -> w.bytes(bad).i32(MIB).i32(0).i32(0).i32(0));
        rejects(FrameType.OFFER, dest, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=dest");
        for (int kind = 1; kind <= 6; kind++) {
            int k = kind;
            ByteBuffer path = raw(FrameType.OFFER, w -> entry(offerHead(w).i32(1), k, bad, 0644, none));
            rejects(FrameType.OFFER, path, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=path");
        }
        ByteBuffer target = raw(FrameType.OFFER, w -> entry(offerHead(w).i32(1), 3, utf8("l"), 0777, bad));
        rejects(FrameType.OFFER, target, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=link_target");
        ByteBuffer hardTarget = raw(FrameType.OFFER, w -> entry(offerHead(w).i32(1), 4, utf8("h"), 0, bad));
        rejects(FrameType.OFFER, hardTarget, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=link_target");
        // PLAN detail, DELETED path.
        ByteBuffer detail = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(3).u16(0).i64(0).i32(0).bytes(bad));
        rejects(FrameType.PLAN, detail, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=detail");
        ByteBuffer deleted = raw(FrameType.DELETED, w -> w.i32(2).string("ok").bytes(bad));
        rejects(FrameType.DELETED, deleted, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=path");
        // The other messages' strings.
        ByteBuffer hello = raw(FrameType.HELLO, w -> w.bytes(bad).bytes(none).i32(1));
        rejects(FrameType.HELLO, hello, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=client");
        ByteBuffer welcome = raw(FrameType.WELCOME, w -> w.fixed(new byte[16]).i32(1).i32(1).bytes(bad));
        rejects(FrameType.WELCOME, welcome, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=server");
        ByteBuffer fileDone = raw(FrameType.FILE_DONE, w -> w.i32(1).i32(0).bytes(bad));
        rejects(FrameType.FILE_DONE, fileDone, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=detail");
        ByteBuffer nack = raw(FrameType.BLOCK_NACK, w -> w.i32(1).i64(0).bytes(bad));
        rejects(FrameType.BLOCK_NACK, nack, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=reason");
        ByteBuffer error = raw(FrameType.ERROR, w -> w.i32(1).bytes(bad));
        rejects(FrameType.ERROR, error, LIMITS, ErrorCode.PROTOCOL, "bad-utf8 field=message");
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
    @ValueSource(ints = {4, 5, 128, 255})
    void unknownPlanActionIsRejected(int action) {
        ByteBuffer b = raw(FrameType.PLAN, w -> w.i32(1).i32(0).u8(action).u16(0).i64(0).i32(0).i32(0));
        rejects(FrameType.PLAN, b, LIMITS, ErrorCode.PROTOCOL, "unknown-action action=" + action);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void everyKnownPlanActionDecodes(int action) throws Exception {
        ByteBuffer b = raw(FrameType.PLAN, w -> w.i32(1).i32(6).u8(action).u16(0x17f).i64(0).i32(0).string("why"));
        Message.FilePlan line = ((Message.Plan) ControlCodec.decode(FrameType.PLAN, b, LIMITS)).files().get(0);
        assertEquals(action, line.action());
        assertEquals(0x17f, line.changes());
        assertEquals("why", line.detail());
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
        // A full batch (the limit per OFFER) goes through; one entry more is refused, and so is a batch over a
        // lower configured limit.
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < Limits.MAX_ENTRIES; i++) {
            entries.add(Entry.file("d" + (i % 100) + "/f" + i, i, 0644, i * 1_000_000_007L));
        }
        Message.Offer o = new Message.Offer("x", MIB, 0, Limits.WINDOW_ENTRIES, entries);
        assertEquals(o, roundTrip(o));
        rejects(FrameType.OFFER, body(o), LIMITS.withMaxEntries(Limits.MAX_ENTRIES - 1), ErrorCode.PROTOCOL,
                "limit field=entries");
        List<Entry> more = new ArrayList<>(entries);
        more.add(Entry.file("one-more", 1, 0644, 0));
        rejects(FrameType.OFFER, body(new Message.Offer("x", MIB, more)), LIMITS, ErrorCode.PROTOCOL,
                "limit field=entries count=16385 max=16384");

        // The PLAN answering a full batch, and a DELETED list as long, go through too.
        List<Message.FilePlan> lines = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < Limits.MAX_ENTRIES; i++) {
            lines.add(i % 2 == 0 ? Message.FilePlan.skip(i, Message.FilePlan.TIME)
                    : Message.FilePlan.failed(i, "path=\"f" + i + "\" reason=x"));
            paths.add("d/f" + i);
        }
        assertMessageEquals(new Message.Plan(lines), roundTrip(new Message.Plan(lines)));
        assertEquals(new Message.Deleted(paths), roundTrip(new Message.Deleted(paths)));
        lines.add(Message.FilePlan.skip(-1, 0));
        rejects(FrameType.PLAN, body(new Message.Plan(lines)), LIMITS, ErrorCode.PROTOCOL, "limit field=files");
        paths.add("one-more");
        rejects(FrameType.DELETED, body(new Message.Deleted(paths)), LIMITS, ErrorCode.PROTOCOL, "limit field=paths");
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
        // The same for a FAILED plan line's detail and a FILE_DONE detail, even in 3-byte characters.
        String wide = "語".repeat(100_000);
        Message.Plan p = (Message.Plan) roundTrip(new Message.Plan(List.of(Message.FilePlan.failed(1, wide))));
        assertTrue(p.files().get(0).detail().startsWith("語語語"));
        assertTrue(p.files().get(0).detail().length() <= ControlCodec.MAX_TEXT_CHARS);
        Message.FileDone d = (Message.FileDone) roundTrip(new Message.FileDone(1, ErrorCode.IO.code(), wide));
        assertTrue(d.detail().startsWith("語語語"));
        assertTrue(d.detail().length() <= ControlCodec.MAX_TEXT_CHARS);
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
