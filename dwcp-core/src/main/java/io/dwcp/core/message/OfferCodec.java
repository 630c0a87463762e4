package io.dwcp.core.message;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.OwnerNames;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.core.manifest.Xattrs;
import java.util.ArrayList;
import java.util.List;

/**
 * The OFFER body, the one control message whose size grows with the tree: destination, options, filter rules, the
 * batch's owner names ({@link OwnerTableCodec}), then its entries, each with its extended attributes when the offer
 * has {@link Message.Offer#XATTRS} ({@link XattrCodec}). Decoding checks every count and length before it allocates.
 */
final class OfferCodec {
    /** Smallest encoding of an entry: kind, path length, size, mode, mtime, link length, uid, gid, rdev. */
    private static final int MIN_ENTRY_BYTES = 1 + 4 + 8 + 4 + 8 + 4 + 4 + 4 + 8;

    private OfferCodec() {
    }

    static void encode(Message.Offer o, BodyWriter w) {
        w.string(o.dest()).i32(o.blockSize()).i32(o.flags()).i32(o.firstId()).i32(o.filters().size());
        for (String f : o.filters()) {
            w.string(f);
        }
        OwnerTableCodec.encode(o.owners(), w);
        boolean xattrs = o.has(Message.Offer.XATTRS);
        w.i32(o.entries().size());
        for (Entry e : o.entries()) {
            w.u8(e.kind().code()).string(e.path()).i64(e.size()).i32(e.mode()).i64(e.mtimeNanos())
                    .string(e.linkTarget()).i32(e.uid()).i32(e.gid()).i64(e.rdev());
            if (xattrs) {
                XattrCodec.encode(e, w);
            }
        }
    }

    static Message.Offer decode(BodyReader r, Limits limits) throws DwcpException {
        String dest = r.string("dest", limits.maxPathBytes());
        if (!dest.isEmpty()) {
            RelativePaths.check(dest, limits.maxPathBytes());
        }
        int blockSize = r.i32("block_size");
        if (blockSize < Limits.MIN_BLOCK_SIZE || blockSize > Limits.MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw DwcpException.protocol("frame=offer reason=bad-block-size block_size=" + blockSize
                    + " min=" + Limits.MIN_BLOCK_SIZE + " max=" + Limits.MAX_BLOCK_SIZE);
        }
        int flags = r.i32("flags");
        if ((flags & ~Message.Offer.KNOWN) != 0) {
            throw DwcpException.protocol("frame=offer reason=unknown-flags flags=" + Integer.toHexString(flags));
        }
        int firstId = r.i32("first_id");
        int rules = r.count("filters", Message.Offer.MAX_FILTERS, 4 + 3);
        List<String> filters = new ArrayList<>(rules);
        for (int i = 0; i < rules; i++) {
            String rule = r.string("filter", limits.maxPathBytes());
            if (!(rule.startsWith("- ") || rule.startsWith("+ ")) || rule.length() < 3) {
                throw DwcpException.protocol("frame=offer reason=bad-filter-rule");
            }
            filters.add(rule);
        }
        OwnerNames owners = OwnerTableCodec.decode(r, limits);
        if ((flags & Message.Offer.NUMERIC_IDS) != 0 && !owners.isEmpty()) {
            throw DwcpException.protocol("frame=offer reason=owner-names-with-numeric-ids");
        }
        int n = r.count("entries", limits.maxEntries(), MIN_ENTRY_BYTES);
        if (firstId < 0 || firstId > Integer.MAX_VALUE - n) {
            throw DwcpException.protocol("frame=offer reason=bad-first-id first_id=" + firstId);
        }
        XattrCodec.Budget xattrs = (flags & Message.Offer.XATTRS) != 0 ? new XattrCodec.Budget() : null;
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(decodeEntry(r, limits, xattrs));
        }
        return new Message.Offer(dest, blockSize, flags, firstId, filters, owners, entries);
    }

    /** @param xattrs the batch's attribute budget when attributes travel, else null */
    private static Entry decodeEntry(BodyReader r, Limits limits, XattrCodec.Budget xattrs) throws DwcpException {
        EntryKind kind = EntryKind.of(r.u8("kind"));
        String path = r.string("path", limits.maxPathBytes());
        // An empty path is DEST itself: its listing is complete (LISTED), or its own metadata (DIR).
        if (!path.isEmpty() || (kind != EntryKind.LISTED && kind != EntryKind.DIR)) {
            RelativePaths.check(path, limits.maxPathBytes());
        }
        long size = r.i64("size");
        int mode = r.i32("mode");
        long mtime = r.i64("mtime");
        String target = r.string("link_target", limits.maxPathBytes());
        int uid = r.i32("uid");
        int gid = r.i32("gid");
        long rdev = r.i64("rdev");
        if (size < 0 || (kind != EntryKind.FILE && size != 0)) {
            throw DwcpException.protocol("frame=offer reason=bad-size path=" + path + " size=" + size);
        }
        switch (kind) {
            case SYMLINK -> RelativePaths.checkSymlinkTarget(path, target, limits.maxPathBytes());
            case HARDLINK -> RelativePaths.check(target, limits.maxPathBytes());
            default -> {
                if (!target.isEmpty()) {
                    throw DwcpException.protocol("frame=offer reason=unexpected-link-target path=" + path);
                }
            }
        }
        int type = mode & 0170000;
        boolean device = type == 0020000 || type == 0060000; // char, block
        boolean special = device || type == 0010000 || type == 0140000; // or a FIFO, or a socket
        boolean bad = kind == EntryKind.SPECIAL ? !special || (mode & ~0177777) != 0 || (!device && rdev != 0)
                : (mode & ~07777) != 0 || rdev != 0;
        if (bad) {
            throw DwcpException.protocol("frame=offer reason=bad-mode path=" + path + " mode=" + Integer.toOctalString(mode)
                    + " rdev=" + rdev);
        }
        Xattrs x = xattrs == null ? Xattrs.UNKNOWN : XattrCodec.decode(r, kind, path, xattrs);
        return new Entry(kind, path, size, mode, mtime, target, uid, gid, rdev, x);
    }
}
