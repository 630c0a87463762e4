package io.dwcp.engine.owners;

import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.OwnerNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The receiver's half of owners by name: an entry owned by a uid the batch names gets the uid that name has here,
 * and likewise its group; a name unknown here, an id the batch does not name, and root keep the sender's number, as
 * with rsync.
 */
public final class OwnerMapping {
    private final Accounts accounts;

    public OwnerMapping(Accounts accounts) {
        this.accounts = accounts;
    }

    /** {@code entries} with their owners mapped by {@code names}; the same list when nothing changes. */
    public List<Entry> map(List<Entry> entries, OwnerNames names) {
        if (names.isEmpty()) {
            return entries;
        }
        List<Entry> out = null;
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            Entry m = e.withOwner(local(e.uid(), names.users().get(e.uid()), accounts.users()),
                    local(e.gid(), names.groups().get(e.gid()), accounts.groups()));
            if (m != e && out == null) {
                out = new ArrayList<>(entries.subList(0, i));
            }
            if (out != null) {
                out.add(m);
            }
        }
        return out == null ? entries : out;
    }

    private static int local(int id, String name, AccountFile here) {
        if (id == 0 || name == null) {
            return id;
        }
        Integer mine = here.id(name);
        return mine == null ? id : mine;
    }
}
