package io.dwcp.engine.owners;

import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.OwnerNames;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sender's half of owners by name: for one batch, the name of each distinct uid and gid its entries use, once
 * (rsync's id lists). Root (0) is never named, since a receiver never maps it, nor an id this host has no name for:
 * it travels as its number.
 */
public final class OwnerNaming {
    private final Accounts accounts;

    public OwnerNaming(Accounts accounts) {
        this.accounts = accounts;
    }

    /** The names {@code entries} need. */
    public OwnerNames names(List<Entry> entries) {
        Map<Integer, String> users = new HashMap<>();
        Map<Integer, String> groups = new HashMap<>();
        for (Entry e : entries) {
            add(users, e.uid(), accounts.users());
            add(groups, e.gid(), accounts.groups());
        }
        return users.isEmpty() && groups.isEmpty() ? OwnerNames.NONE : new OwnerNames(users, groups);
    }

    private static void add(Map<Integer, String> names, int id, AccountFile file) {
        if (id == 0 || id == Entry.NO_ID || names.containsKey(id)) {
            return;
        }
        String name = file.name(id);
        if (name != null) {
            names.put(id, name);
        }
    }
}
