package io.dwcp.zerocopy;

import io.dwcp.core.manifest.Xattr;
import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;

/**
 * The extended attributes of one file-system object, read and changed on the object itself: through its open fd,
 * or relative to its confined parent's fd without following it (a symlink's own attributes, never its target's).
 * Names are full names with their namespace ({@code user.x}, {@code trusted.y}). Obtained from
 * {@link DataFile#withXattrs}, {@link ConfinedRoot#withXattrs} or (read-only) {@link ConfinedDirectory#xattrs}.
 */
public interface ExtendedAttributes {
    /**
     * The attributes whose names {@code wanted} accepts, sorted by name; empty where the file system keeps none
     * ({@code EOPNOTSUPP}). An attribute removed between listing and reading is left out.
     */
    List<Xattr> read(Predicate<String> wanted) throws IOException;

    /** Creates or replaces attribute {@code name}. */
    void set(String name, byte[] value) throws IOException;

    /** Removes attribute {@code name}; one that is not there is no error. */
    void remove(String name) throws IOException;

    /** Work on the attributes of one object, while the handle that reaches it is held. */
    @FunctionalInterface
    interface Use<T> {
        T apply(ExtendedAttributes attributes) throws IOException;
    }
}
