package io.dwcp.core.manifest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The extended attributes of an entry as the sender found them, sorted by name, or {@link #UNKNOWN} when the
 * transfer does not keep extended attributes (no {@code --xattrs}): then the receiver leaves whatever the entry has
 * there alone, where an empty known set makes it remove the attributes it manages.
 *
 * @param list  the attributes, sorted by name, no name twice
 * @param known false only for {@link #UNKNOWN}
 */
public record Xattrs(List<Xattr> list, boolean known) {
    /** Not sent: the receiver keeps what it has. */
    public static final Xattrs UNKNOWN = new Xattrs(List.of(), false);
    /** Sent, and there are none. */
    public static final Xattrs NONE = new Xattrs(List.of(), true);

    public Xattrs {
        list = List.copyOf(list);
    }

    /** A known set of {@code attrs} in name order (the caller has checked there are no duplicates). */
    public static Xattrs of(List<Xattr> attrs) {
        if (attrs.isEmpty()) {
            return NONE;
        }
        List<Xattr> sorted = new ArrayList<>(attrs);
        sorted.sort(Comparator.comparing(Xattr::name));
        return new Xattrs(sorted, true);
    }

    /** The attributes whose names {@code keep} accepts; UNKNOWN stays UNKNOWN. */
    public Xattrs only(Predicate<String> keep) {
        if (!known) {
            return this;
        }
        List<Xattr> kept = new ArrayList<>(list.size());
        for (Xattr x : list) {
            if (keep.test(x.name())) {
                kept.add(x);
            }
        }
        return kept.size() == list.size() ? this : of(kept);
    }

    /** Names and values together, in bytes: what the per-entry and per-batch limits count. */
    public long bytes() {
        long n = 0;
        for (Xattr x : list) {
            n += x.name().getBytes(StandardCharsets.UTF_8).length + (long) x.value().length;
        }
        return n;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }
}
