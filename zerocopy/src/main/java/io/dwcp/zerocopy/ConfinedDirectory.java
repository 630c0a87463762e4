package io.dwcp.zerocopy;

import io.dwcp.core.manifest.Xattr;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One directory below a {@link ConfinedRoot}, held open for a run of look-ups by name: what a tree walker or a
 * batch of entries in one directory needs, one resolution of the directory instead of one per name. The one change
 * made through it is {@link #rename} within it (a commit's run of part files onto their names); anything else that
 * changes the tree goes through the root, resolved at the moment it happens. Names are single components; nothing
 * is followed.
 */
public interface ConfinedDirectory extends Closeable {
    /** What is at {@code name} in this directory itself (lstat), or empty. */
    Optional<FileStat> stat(String name) throws IOException;

    /**
     * The extended attributes of {@code name} in this directory itself (of the link, for a symlink) whose names
     * {@code wanted} accepts, sorted by name; see {@link ExtendedAttributes#read}.
     */
    List<Xattr> xattrs(String name, Predicate<String> wanted) throws IOException;

    /**
     * Opens {@code name} in this directory for reading: a regular file (anything else, a link included, is refused,
     * never followed). A planner that reads every file of a directory resolves the directory once, not per file.
     */
    DataFile openRead(String name) throws IOException;

    /** The target of the symlink {@code name}. */
    String readlink(String name) throws IOException;

    /**
     * Subdirectory {@code name} of this one, held open in turn: a walker goes down a tree one {@code openat} per
     * directory instead of resolving each path from the root. A link at {@code name} is refused, not followed.
     */
    ConfinedDirectory openDirectory(String name) throws IOException;

    /**
     * Renames {@code from} in this directory to {@code to} in it, replacing what {@code to} names (neither is
     * followed: a link is renamed or replaced itself). The directory is the one resolved, without following any link,
     * when this handle was opened: a run of renames in one directory costs one resolution, not one per file.
     */
    void rename(String from, String to) throws IOException;

    /** Calls {@code names} with each name in this directory, "." and ".." left out. Once per handle. */
    default void list(Consumer<String> names) throws IOException {
        list(names, names);
    }

    /**
     * As {@link #list(Consumer)}, but a name that is not text in the file-name encoding (bytes that are not
     * UTF-8) goes to {@code malformed} in a lossy form: no look-up by that string finds it.
     */
    void list(Consumer<String> names, Consumer<String> malformed) throws IOException;

    @Override
    void close();
}
