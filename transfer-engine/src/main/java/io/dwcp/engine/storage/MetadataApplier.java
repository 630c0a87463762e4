package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.XattrPolicy;
import io.dwcp.zerocopy.ConfinedRoot;
import io.dwcp.zerocopy.DataFile;
import io.dwcp.zerocopy.ExtendedAttributes;
import java.io.IOException;
import java.nio.file.AccessDeniedException;

/**
 * Gives a received entry its metadata, through its path below the root (never followed) or its open file: owner and
 * group when this process may, extended attributes when the entry carries them ({@code --xattrs}, within the
 * receiver's {@link XattrPolicy}), the permission bits (not on a symlink), then the mtime. In this order because
 * chown clears set-id bits and {@code security.capability}, and because an unprivileged process needs write
 * permission on the inode to change its attributes: the mode comes after them (a read-only file from an earlier
 * transfer gets its owner-write bit back for the moment, the mode then is set as the entry says).
 */
final class MetadataApplier {
    private final ConfinedRoot root;
    private final boolean keepsOwners;
    private final XattrPolicy policy;

    /** Where metadata is set: a path below the root, or an open file. */
    private interface Target {
        void chown(int uid, int gid) throws IOException;

        void chmod(int mode) throws IOException;

        void setTimes(long atimeNanos, long mtimeNanos) throws IOException;

        <T> T xattrs(ExtendedAttributes.Use<T> use) throws IOException;
    }

    MetadataApplier(ConfinedRoot root, boolean keepsOwners, XattrPolicy policy) {
        this.root = root;
        this.keepsOwners = keepsOwners;
        this.policy = policy;
    }

    XattrPolicy policy() {
        return policy;
    }

    void apply(String path, Entry e, boolean link, String shown) throws DwcpException {
        apply(at(path), e, link, shown);
    }

    /**
     * As {@link #apply(String, Entry, boolean, String)} for a directory whose attributes are {@code now}: only the
     * mode and the mtime that differ are set, each a call that resolves the path, as rsync sets only what differs (a
     * re-sync after 1% of a tree's files changed gives some 900 directories their mtimes back). An owner to change, or
     * attributes to set, takes the whole sequence.
     */
    void applyDiffering(String path, io.dwcp.zerocopy.FileStat now, Entry e, String shown) throws DwcpException {
        if (!ownersMatch(now, e) || e.xattrs().known()) {
            apply(path, e, false, shown);
            return;
        }
        Target t = at(path);
        try {
            if ((now.mode() & 07777) != (e.mode() & 07777)) {
                t.chmod(e.mode() & 07777);
            }
            if (now.mtimeNanos() != e.mtimeNanos()) {
                t.setTimes(e.mtimeNanos(), e.mtimeNanos());
            }
        } catch (IOException ex) {
            throw StorageRoot.failure(shown, "set-metadata", ex);
        }
    }

    /** True when {@code s} has {@code e}'s owner and group, or this process does not keep owners. */
    boolean ownersMatch(io.dwcp.zerocopy.FileStat s, Entry e) {
        return !keepsOwners || ((e.uid() == Entry.NO_ID || s.uid() == e.uid())
                && (e.gid() == Entry.NO_ID || s.gid() == e.gid()));
    }

    void apply(DataFile f, Entry e) throws DwcpException {
        apply(new Target() {
            @Override
            public void chown(int uid, int gid) throws IOException {
                // A part file this server made is usually its owner's already: an fstat costs a third of a chown,
                // and rsync too changes an owner only where it differs.
                io.dwcp.zerocopy.FileStat s = f.stat();
                if ((uid == Entry.NO_ID || s.uid() == uid) && (gid == Entry.NO_ID || s.gid() == gid)) {
                    return;
                }
                f.chown(uid, gid);
            }

            @Override
            public void chmod(int mode) throws IOException {
                f.chmod(mode);
            }

            @Override
            public void setTimes(long atimeNanos, long mtimeNanos) throws IOException {
                f.setTimes(atimeNanos, mtimeNanos);
            }

            @Override
            public <T> T xattrs(ExtendedAttributes.Use<T> use) throws IOException {
                return f.withXattrs(use);
            }
        }, e, false, e.path());
    }

    void applyXattrs(String path, Entry e, String shown) throws DwcpException {
        try {
            xattrs(at(path), e, false);
        } catch (IOException ex) {
            throw StorageRoot.failure(shown, "set-xattrs", ex);
        }
    }

    private Target at(String path) {
        return new Target() {
            @Override
            public void chown(int uid, int gid) throws IOException {
                root.chown(path, uid, gid);
            }

            @Override
            public void chmod(int mode) throws IOException {
                root.chmod(path, mode);
            }

            @Override
            public void setTimes(long atimeNanos, long mtimeNanos) throws IOException {
                root.setTimes(path, atimeNanos, mtimeNanos);
            }

            @Override
            public <T> T xattrs(ExtendedAttributes.Use<T> use) throws IOException {
                return root.withXattrs(path, use);
            }
        };
    }

    private void apply(Target t, Entry e, boolean link, String shown) throws DwcpException {
        try {
            if (keepsOwners && (e.uid() != Entry.NO_ID || e.gid() != Entry.NO_ID)) {
                t.chown(e.uid(), e.gid());
            }
            xattrs(t, e, link);
            if (!link) {
                t.chmod(e.mode() & 07777);
            }
            t.setTimes(e.mtimeNanos(), e.mtimeNanos());
        } catch (IOException ex) {
            throw StorageRoot.failure(shown, "set-metadata", ex);
        }
    }

    private void xattrs(Target t, Entry e, boolean link) throws IOException {
        if (!e.xattrs().known()) {
            return; // not sent: whatever the object has stays
        }
        try {
            t.xattrs(a -> XattrSync.apply(a, e.xattrs(), policy));
        } catch (AccessDeniedException | NativeIoException ex) {
            boolean denied = ex instanceof AccessDeniedException || ((NativeIoException) ex).errno() == Errno.EACCES;
            if (!denied || keepsOwners || link) {
                throw ex;
            }
            // our own read-only file or directory: writable for the moment, the entry's mode follows
            t.chmod((e.mode() & 07777) | 0200);
            t.xattrs(a -> XattrSync.apply(a, e.xattrs(), policy));
        }
    }
}
