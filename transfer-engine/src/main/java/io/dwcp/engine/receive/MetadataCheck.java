package io.dwcp.engine.receive;

import static io.dwcp.core.message.Message.FilePlan.GROUP;
import static io.dwcp.core.message.Message.FilePlan.OWNER;
import static io.dwcp.core.message.Message.FilePlan.PERMS;
import static io.dwcp.core.message.Message.FilePlan.TIME;
import static io.dwcp.core.message.Message.FilePlan.XATTRS;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.Xattr;
import io.dwcp.core.manifest.XattrPolicy;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.engine.storage.XattrSync;
import io.dwcp.zerocopy.FileStat;
import java.util.ArrayList;
import java.util.List;

/**
 * What of an entry's metadata differs from what the root holds (rsync's {@code t p o g x}), and which of its extended
 * attributes this receiver will not apply: namespaces other than {@code user.*} when it is not root, or when its I/O
 * path is the portable one. Those are named in the entry's PLAN line (a warning at the sender) and counted.
 */
final class MetadataCheck {
    private final StorageRoot root;
    private final XattrPolicy policy;
    private final boolean xattrs;
    private long skippedXattrs;

    /** @param xattrs the transfer keeps extended attributes ({@code --xattrs}) */
    MetadataCheck(StorageRoot root, boolean xattrs) {
        this.root = root;
        this.policy = root.xattrPolicy();
        this.xattrs = xattrs;
    }

    /** The {@code TIME}, {@code PERMS}, {@code OWNER}, {@code GROUP} and {@code XATTRS} bits that differ. */
    int differs(Entry e, FileStat here, String path, Lookups lookups) throws DwcpException {
        int d = here.mtimeNanos() != e.mtimeNanos() ? TIME : 0;
        if (!here.isSymbolicLink() && here.permissions() != (e.mode() & 07777)) {
            d |= PERMS;
        }
        if (root.keepsOwners()) {
            d |= e.uid() != Entry.NO_ID && e.uid() != here.uid() ? OWNER : 0;
            d |= e.gid() != Entry.NO_ID && e.gid() != here.gid() ? GROUP : 0;
        }
        if (xattrs && e.xattrs().known() && !XattrSync.same(lookups.xattrs(path, e.path(), policy), e.xattrs(), policy)) {
            d |= XATTRS;
        }
        return d;
    }

    /**
     * A warning naming the attributes of {@code e} this receiver leaves out, or "" when it applies them all; counts
     * them.
     */
    String skipped(Entry e) {
        if (!xattrs || e.xattrs().isEmpty()) {
            return "";
        }
        List<String> names = new ArrayList<>();
        for (Xattr x : e.xattrs().list()) {
            if (!policy.test(x.name())) {
                names.add(x.name());
            }
        }
        if (names.isEmpty()) {
            return "";
        }
        skippedXattrs += names.size();
        return "path=\"" + e.path() + "\" reason=" + (root.keepsOwners() ? "xattrs-skipped-portable-io"
                : "xattrs-skipped-not-root") + " names=" + String.join(",", names);
    }

    /** Attributes left out so far. */
    long skippedXattrs() {
        return skippedXattrs;
    }
}
