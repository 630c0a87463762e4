package io.dwcp.core.message;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.manifest.OwnerNames;
import java.util.HashMap;
import java.util.Map;

/**
 * The owner names of an OFFER batch: {@code i32 count} then {@code i32 uid, string name} per user, the same for
 * groups. At most one name per entry of a batch each, names of at most {@link Limits#MAX_OWNER_NAME_BYTES}, no id
 * twice, never id 0 or -1 (root is never mapped by name; -1 is "no id").
 */
final class OwnerTableCodec {
    /** Smallest encoding of a name: id, name length, one byte. */
    private static final int MIN_NAME_BYTES = 4 + 4 + 1;

    private OwnerTableCodec() {
    }

    static void encode(OwnerNames names, BodyWriter w) {
        table(names.users(), w);
        table(names.groups(), w);
    }

    private static void table(Map<Integer, String> names, BodyWriter w) {
        w.i32(names.size());
        // sorted by id: the same batch always encodes to the same bytes
        for (Map.Entry<Integer, String> e : new java.util.TreeMap<>(names).entrySet()) {
            w.i32(e.getKey()).string(e.getValue());
        }
    }

    static OwnerNames decode(BodyReader r, Limits limits) throws DwcpException {
        Map<Integer, String> users = table(r, "owner_users", limits);
        Map<Integer, String> groups = table(r, "owner_groups", limits);
        return users.isEmpty() && groups.isEmpty() ? OwnerNames.NONE : new OwnerNames(users, groups);
    }

    private static Map<Integer, String> table(BodyReader r, String field, Limits limits) throws DwcpException {
        int n = r.count(field, limits.maxEntries(), MIN_NAME_BYTES);
        Map<Integer, String> names = new HashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            int id = r.i32("owner_id");
            String name = r.string("owner_name", Limits.MAX_OWNER_NAME_BYTES);
            if (id == 0 || id == -1) {
                throw DwcpException.protocol("frame=offer reason=bad-owner-id field=" + field + " id=" + id);
            }
            if (name.isEmpty() || name.indexOf('\0') >= 0 || name.indexOf(':') >= 0 || name.indexOf('\n') >= 0) {
                throw DwcpException.protocol("frame=offer reason=bad-owner-name field=" + field + " id="
                        + Integer.toUnsignedString(id));
            }
            if (names.putIfAbsent(id, name) != null) {
                throw DwcpException.protocol("frame=offer reason=duplicate-owner-id field=" + field + " id="
                        + Integer.toUnsignedString(id));
            }
        }
        return names;
    }
}
