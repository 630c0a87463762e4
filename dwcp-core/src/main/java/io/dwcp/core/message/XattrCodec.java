package io.dwcp.core.message;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.Xattr;
import io.dwcp.core.manifest.Xattrs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An entry's extended attributes in an OFFER with {@link Message.Offer#XATTRS}: {@code i32 count}, then per attribute
 * {@code string name} and {@code bytes value}, names strictly ascending. Decoding bounds each name
 * ({@link Limits#MAX_XATTR_NAME_BYTES}) and value ({@link Limits#MAX_XATTR_VALUE_BYTES}) before reading it, the
 * entry's names list ({@link Limits#MAX_XATTR_LIST_BYTES}) and total ({@link Limits#MAX_ENTRY_XATTR_BYTES}), and the
 * batch's total ({@link Limits#MAX_BATCH_XATTR_BYTES}) before each value is allocated.
 */
final class XattrCodec {
    /** Smallest encoding of an attribute: name length, one name byte, value length. */
    private static final int MIN_XATTR_BYTES = 4 + 1 + 4;

    /** What a batch's attributes have used so far. */
    static final class Budget {
        long used;
    }

    private XattrCodec() {
    }

    /** Attributes not known (a manifest made without reading them) go as none; links and listings never carry any. */
    static void encode(Entry e, BodyWriter w) {
        boolean carries = e.kind() != EntryKind.HARDLINK && e.kind() != EntryKind.LISTED;
        List<Xattr> list = carries ? e.xattrs().list() : List.of();
        w.i32(list.size());
        for (Xattr x : list) {
            w.string(x.name()).bytes(x.value());
        }
    }

    static Xattrs decode(BodyReader r, EntryKind kind, String path, Budget batch) throws DwcpException {
        int n = r.count("xattrs", Limits.MAX_XATTR_LIST_BYTES / 2, MIN_XATTR_BYTES);
        if (n == 0) {
            return kind == EntryKind.HARDLINK || kind == EntryKind.LISTED ? Xattrs.UNKNOWN : Xattrs.NONE;
        }
        if (kind == EntryKind.HARDLINK || kind == EntryKind.LISTED) {
            throw DwcpException.protocol("frame=offer reason=unexpected-xattrs path=" + path);
        }
        List<Xattr> list = new ArrayList<>(n);
        long listBytes = 0;
        long entryBytes = 0;
        String previous = null;
        for (int i = 0; i < n; i++) {
            String name = r.string("xattr_name", Limits.MAX_XATTR_NAME_BYTES);
            checkName(name, path);
            if (previous != null && previous.compareTo(name) >= 0) {
                throw DwcpException.protocol("frame=offer reason=xattrs-not-sorted path=" + path + " name=" + name);
            }
            previous = name;
            int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
            listBytes += nameBytes + 1;
            if (listBytes > Limits.MAX_XATTR_LIST_BYTES) {
                throw limit("xattr_names", path, listBytes, Limits.MAX_XATTR_LIST_BYTES);
            }
            int length = r.count("xattr_value", Limits.MAX_XATTR_VALUE_BYTES, 1);
            entryBytes += nameBytes + length;
            if (entryBytes > Limits.MAX_ENTRY_XATTR_BYTES) {
                throw limit("entry_xattrs", path, entryBytes, Limits.MAX_ENTRY_XATTR_BYTES);
            }
            batch.used += nameBytes + length;
            if (batch.used > Limits.MAX_BATCH_XATTR_BYTES) {
                throw limit("batch_xattrs", path, batch.used, Limits.MAX_BATCH_XATTR_BYTES);
            }
            list.add(new Xattr(name, r.fixed("xattr_value", length)));
        }
        return new Xattrs(list, true);
    }

    /** A namespace, a dot, a name in it; no NUL (the kernel's names are C strings). */
    private static void checkName(String name, String path) throws DwcpException {
        int dot = name.indexOf('.');
        if (dot <= 0 || dot == name.length() - 1 || name.indexOf('\0') >= 0) {
            throw DwcpException.protocol("frame=offer reason=bad-xattr-name path=" + path);
        }
    }

    private static DwcpException limit(String field, String path, long bytes, long max) {
        return DwcpException.protocol("frame=offer reason=limit field=" + field + " path=" + path + " bytes=" + bytes
                + " max=" + max);
    }
}
