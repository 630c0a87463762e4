package io.dwcp.engine.storage;

import io.dwcp.core.manifest.Xattr;
import io.dwcp.core.manifest.Xattrs;
import io.dwcp.zerocopy.ExtendedAttributes;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Makes an object's extended attributes those an entry carries, within the names this receiver manages (see
 * {@link io.dwcp.core.manifest.XattrPolicy}): what differs is set, what the entry no longer has is removed, and
 * names outside the policy are neither read nor touched, as rsync leaves them.
 */
public final class XattrSync {
    private XattrSync() {
    }

    /** True when {@code current} (read with {@code managed}) already is what {@code wanted} asks for. */
    public static boolean same(List<Xattr> current, Xattrs wanted, Predicate<String> managed) {
        return current.equals(wanted.only(managed).list());
    }

    /** Sets and removes what differs; returns how many attributes changed. */
    static int apply(ExtendedAttributes a, Xattrs wanted, Predicate<String> managed) throws IOException {
        List<Xattr> want = wanted.only(managed).list();
        List<Xattr> have = a.read(managed);
        if (have.equals(want)) {
            return 0;
        }
        Map<String, Xattr> wantByName = new HashMap<>();
        for (Xattr x : want) {
            wantByName.put(x.name(), x);
        }
        int changed = 0;
        for (Xattr x : have) {
            Xattr w = wantByName.remove(x.name());
            if (w == null) {
                a.remove(x.name());
                changed++;
            } else if (!w.equals(x)) {
                a.set(w.name(), w.value());
                changed++;
            }
        }
        for (Xattr w : wantByName.values()) {
            a.set(w.name(), w.value());
            changed++;
        }
        return changed;
    }
}
