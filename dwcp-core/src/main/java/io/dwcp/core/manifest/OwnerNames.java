package io.dwcp.core.manifest;

import java.util.Map;

/**
 * The names of the owners and groups one OFFER batch's entries use, by the sender's ids, so that a receiver running
 * as root can give each entry the ids those names have there (rsync's default; {@code --numeric-ids} sends none and
 * the numbers are kept). Each distinct id is named once per batch instead of a name per entry. Id 0 is never named
 * (root stays root, as with rsync), nor an id the sender has no name for.
 *
 * @param users  user names by the sender's uid
 * @param groups group names by the sender's gid
 */
public record OwnerNames(Map<Integer, String> users, Map<Integer, String> groups) {
    /** No names: the numbers travel alone. */
    public static final OwnerNames NONE = new OwnerNames(Map.of(), Map.of());

    public OwnerNames {
        users = Map.copyOf(users);
        groups = Map.copyOf(groups);
    }

    public boolean isEmpty() {
        return users.isEmpty() && groups.isEmpty();
    }
}
