package io.dwcp.core.message;

import static io.dwcp.core.message.ControlCodecTest.allocatedWhileRejecting;
import static io.dwcp.core.message.ControlCodecTest.bodyBytes;
import static io.dwcp.core.message.ControlCodecTest.raw;
import static io.dwcp.core.message.ControlCodecTest.rejects;
import static io.dwcp.core.message.ControlCodecTest.rejectsOffer;
import static io.dwcp.core.message.ControlCodecTest.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.OwnerNames;
import io.dwcp.core.manifest.Xattr;
import io.dwcp.core.manifest.Xattrs;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The OFFER's extended attributes ({@code --xattrs}) and owner names: layout, round trips, and every bound. */
class OfferExtensionsTest {
    private static final int MIB = 1 << 20;
    private static final Limits LIMITS = Limits.defaults();
    private static final int X = Message.Offer.XATTRS;

    private static Xattrs attrs(Xattr... list) {
        return Xattrs.of(List.of(list));
    }

    private static Xattr attr(String name, int length) {
        byte[] v = new byte[length];
        java.util.Arrays.fill(v, (byte) name.length());
        return new Xattr(name, v);
    }

    private static Message.Offer xattrOffer(Entry... entries) {
        return new Message.Offer("", MIB, X, 0, List.of(entries));
    }

    @Test
    void attributesTravelWithEveryKindThatHasAnInodeOfItsOwn() throws Exception {
        Xattrs some = attrs(new Xattr("user.b", "2".getBytes(StandardCharsets.UTF_8)),
                new Xattr("security.selinux", "system_u:object_r:tmp_t:s0\0".getBytes(StandardCharsets.UTF_8)),
                new Xattr("trusted.empty", new byte[0]));
        Message.Offer o = xattrOffer(Entry.dir("", 0755, 1).withXattrs(some),
                Entry.file("f", 3, 0644, 2).withXattrs(attrs(attr("user.big", Limits.MAX_XATTR_VALUE_BYTES))),
                Entry.symlink("l", "f", 3).withXattrs(attrs(new Xattr("trusted.on-link", new byte[] {1}))),
                new Entry(EntryKind.SPECIAL, "p", 0, 010600, 4, "", 1, 2, 0).withXattrs(some),
                Entry.file("none", 0, 0600, 5).withXattrs(Xattrs.NONE),
                Entry.hardLink("h", "f"),
                new Entry(EntryKind.LISTED, "", 0, 0, 0, "", -1, -1, 0));
        Message.Offer back = (Message.Offer) roundTrip(o);
        assertEquals(o, back);
        assertEquals(List.of("security.selinux", "trusted.empty", "user.b"),
                back.entries().get(0).xattrs().list().stream().map(Xattr::name).toList(), "sorted by name");
        assertTrue(back.entries().get(4).xattrs().known(), "known to have none: the receiver removes what it has");
        assertFalse(back.entries().get(5).xattrs().known(), "a hard link shares its first name's attributes");
    }

    @Test
    void withoutTheFlagEntriesAreEncodedExactlyAsBefore() throws Exception {
        Entry plain = Entry.file("f", 3, 0644, 2);
        Entry withAttrs = plain.withXattrs(attrs(attr("user.a", 10)));
        byte[] without = bodyBytes(new Message.Offer("", MIB, 0, 0, List.of(plain)));
        assertArrayEquals(without, bodyBytes(new Message.Offer("", MIB, 0, 0, List.of(withAttrs))));
        Message.Offer back = (Message.Offer) roundTrip(new Message.Offer("", MIB, 0, 0, List.of(withAttrs)));
        assertEquals(Xattrs.UNKNOWN, back.entries().get(0).xattrs(), "not sent: the receiver leaves attributes alone");
    }

    @Test
    void attributeEncodingIsTheDocumentedLayout() throws Exception {
        // after rdev: i32 count, then per attribute string name, bytes value
        byte[] b = bodyBytes(xattrOffer(Entry.file("f", 0, 0644, 9).withXattrs(attrs(new Xattr("user.k", new byte[] {7, 8})))));
        ByteBuffer want = ByteBuffer.allocate(b.length)
                .putInt(0).putInt(MIB).putInt(X).putInt(0).putInt(0).putInt(0).putInt(0).putInt(1)
                .put((byte) 1).putInt(1).put((byte) 'f').putLong(0).putInt(0644).putLong(9).putInt(0)
                .putInt(-1).putInt(-1).putLong(0)
                .putInt(1).putInt(6).put("user.k".getBytes(StandardCharsets.US_ASCII)).putInt(2).put((byte) 7).put((byte) 8);
        assertEquals(b.length, want.position());
        assertArrayEquals(want.array(), b);
    }

    @Test
    void namesAndValuesAreBoundedByTheKernelsLimits() throws Exception {
        String longest = "user." + "n".repeat(Limits.MAX_XATTR_NAME_BYTES - 5);
        roundTrip(xattrOffer(Entry.file("f", 0, 0644, 0).withXattrs(attrs(attr(longest, 1)))));
        rejectsOffer(xattrOffer(Entry.file("f", 0, 0644, 0).withXattrs(attrs(attr(longest + "n", 1)))),
                ErrorCode.PROTOCOL, "limit field=xattr_name count=256 max=255");
        rejectsOffer(xattrOffer(Entry.file("f", 0, 0644, 0).withXattrs(attrs(attr("user.v", Limits.MAX_XATTR_VALUE_BYTES + 1)))),
                ErrorCode.PROTOCOL, "limit field=xattr_value count=65537 max=65536");
        // A value length claimed far beyond the body is refused before anything is allocated for it.
        ByteBuffer huge = raw(FrameType.OFFER, w -> entryHead(w).i32(1).string("user.v").i32(Limits.MAX_XATTR_VALUE_BYTES));
        rejects(FrameType.OFFER, huge.duplicate(), LIMITS, ErrorCode.PROTOCOL, "truncated field=xattr_value");
        assertTrue(allocatedWhileRejecting(FrameType.OFFER, huge, LIMITS) < 32 * 1024);
        ByteBuffer count = raw(FrameType.OFFER, w -> entryHead(w).i32(Integer.MAX_VALUE));
        rejects(FrameType.OFFER, count.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit field=xattrs");
        assertTrue(allocatedWhileRejecting(FrameType.OFFER, count, LIMITS) < 32 * 1024);
    }

    @Test
    void anEntrysNamesListAndTotalAreBounded() throws Exception {
        // 17 values of the largest size: more than an entry may carry.
        List<Xattr> many = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            many.add(attr("user.v" + (char) ('a' + i), Limits.MAX_XATTR_VALUE_BYTES));
        }
        rejectsOffer(xattrOffer(Entry.file("f", 0, 0644, 0).withXattrs(Xattrs.of(many))), ErrorCode.PROTOCOL,
                "limit field=entry_xattrs path=f");
        roundTrip(xattrOffer(Entry.file("f", 0, 0644, 0).withXattrs(Xattrs.of(many.subList(0, 15)))));
        // More names than listxattr could ever return (XATTR_LIST_MAX), each with its NUL.
        List<Xattr> names = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            names.add(attr(String.format(java.util.Locale.ROOT, "user.%03d", i) + "n".repeat(240), 0));
        }
        rejectsOffer(xattrOffer(Entry.file("f", 0, 0644, 0).withXattrs(Xattrs.of(names))), ErrorCode.PROTOCOL,
                "limit field=xattr_names path=f");
    }

    @Test
    void aBatchsAttributesAreBoundedTogether() throws Exception {
        List<Xattr> full = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            full.add(attr("user.v" + (char) ('a' + i), Limits.MAX_XATTR_VALUE_BYTES));
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i * 15L * Limits.MAX_XATTR_VALUE_BYTES <= Limits.MAX_BATCH_XATTR_BYTES; i++) {
            entries.add(Entry.file("f" + i, 0, 0644, 0).withXattrs(Xattrs.of(full)));
        }
        rejectsOffer(new Message.Offer("", MIB, X, 0, entries), ErrorCode.PROTOCOL, "limit field=batch_xattrs");
        roundTrip(new Message.Offer("", MIB, X, 0, entries.subList(0, entries.size() - 1)));
    }

    @Test
    void namesMustBeNamespacedSortedAndSingle() throws Exception {
        for (String bad : List.of("nodot", "user.", ".x", "user.a\0b")) {
            Entry e = Entry.file("f", 0, 0644, 0).withXattrs(new Xattrs(List.of(new Xattr(bad, new byte[1])), true));
            rejectsOffer(xattrOffer(e), ErrorCode.PROTOCOL, "bad-xattr-name path=f");
        }
        Xattrs unsorted = new Xattrs(List.of(attr("user.b", 1), attr("user.a", 1)), true);
        rejectsOffer(xattrOffer(Entry.file("f", 0, 0644, 0).withXattrs(unsorted)), ErrorCode.PROTOCOL, "xattrs-not-sorted");
        Xattrs twice = new Xattrs(List.of(attr("user.a", 1), attr("user.a", 2)), true);
        rejectsOffer(xattrOffer(Entry.file("f", 0, 0644, 0).withXattrs(twice)), ErrorCode.PROTOCOL, "xattrs-not-sorted");
        ByteBuffer onLink = raw(FrameType.OFFER, w -> hardLinkHead(w).i32(1).string("user.a").i32(0));
        rejects(FrameType.OFFER, onLink, LIMITS, ErrorCode.PROTOCOL, "unexpected-xattrs path=h");
    }

    @Test
    void ownerNamesTravelOncePerBatchSortedById() throws Exception {
        OwnerNames names = new OwnerNames(Map.of(1000, "alice", 33, "www-data"), Map.of(100, "users"));
        Message.Offer o = new Message.Offer("", MIB, 0, 0, List.of(), names,
                List.of(Entry.file("f", 0, 0644, 0).withOwner(1000, 100)));
        assertEquals(o, roundTrip(o));
        byte[] b = bodyBytes(o);
        ByteBuffer want = ByteBuffer.allocate(b.length).putInt(0).putInt(MIB).putInt(0).putInt(0).putInt(0)
                .putInt(2).putInt(33).putInt(8).put("www-data".getBytes(StandardCharsets.US_ASCII))
                .putInt(1000).putInt(5).put("alice".getBytes(StandardCharsets.US_ASCII))
                .putInt(1).putInt(100).putInt(5).put("users".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(java.util.Arrays.copyOf(want.array(), want.position()),
                java.util.Arrays.copyOf(b, want.position()));
    }

    @Test
    void ownerTablesAreChecked() throws Exception {
        for (int id : new int[] {0, -1}) {
            rejectsOffer(new Message.Offer("", MIB, 0, 0, List.of(), new OwnerNames(Map.of(id, "root"), Map.of()),
                    List.of()), ErrorCode.PROTOCOL, "bad-owner-id field=owner_users id=" + id);
        }
        for (String bad : List.of("", "a:b", "a\nb", "a\0b")) {
            rejectsOffer(new Message.Offer("", MIB, 0, 0, List.of(), new OwnerNames(Map.of(), Map.of(5, bad)),
                    List.of()), ErrorCode.PROTOCOL, "bad-owner-name field=owner_groups id=5");
        }
        rejectsOffer(new Message.Offer("", MIB, 0, 0, List.of(), new OwnerNames(Map.of(7, "x".repeat(256)), Map.of()),
                List.of()), ErrorCode.PROTOCOL, "limit field=owner_name count=256 max=255");
        ByteBuffer twice = raw(FrameType.OFFER, w -> w.string("").i32(MIB).i32(0).i32(0).i32(0)
                .i32(2).i32(7).string("a").i32(7).string("b").i32(0).i32(0));
        rejects(FrameType.OFFER, twice, LIMITS, ErrorCode.PROTOCOL, "duplicate-owner-id field=owner_users id=7");
        ByteBuffer many = raw(FrameType.OFFER, w -> w.string("").i32(MIB).i32(0).i32(0).i32(0).i32(Integer.MAX_VALUE));
        rejects(FrameType.OFFER, many.duplicate(), LIMITS, ErrorCode.PROTOCOL, "limit field=owner_users");
        assertTrue(allocatedWhileRejecting(FrameType.OFFER, many, LIMITS) < 32 * 1024);
        rejectsOffer(new Message.Offer("", MIB, Message.Offer.NUMERIC_IDS, 0, List.of(),
                new OwnerNames(Map.of(5, "a"), Map.of()), List.of()), ErrorCode.PROTOCOL, "owner-names-with-numeric-ids");
        Message.Offer numeric = new Message.Offer("", MIB, Message.Offer.NUMERIC_IDS, 0, Collections.emptyList(),
                List.of(Entry.file("f", 0, 0644, 0).withOwner(1000, 100)));
        assertEquals(numeric, roundTrip(numeric));
    }

    /** An XATTRS offer's head and one file entry up to its attribute count. */
    private static BodyWriter entryHead(BodyWriter w) {
        return w.string("").i32(MIB).i32(X).i32(0).i32(0).i32(0).i32(0).i32(1)
                .u8(1).string("f").i64(0).i32(0644).i64(0).string("").i32(-1).i32(-1).i64(0);
    }

    private static BodyWriter hardLinkHead(BodyWriter w) {
        return w.string("").i32(MIB).i32(X).i32(0).i32(0).i32(0).i32(0).i32(1)
                .u8(4).string("h").i64(0).i32(0).i64(0).string("f").i32(-1).i32(-1).i64(0);
    }
}
