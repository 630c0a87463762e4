package io.dwcp.engine.owners;

import io.dwcp.core.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * One account database in the passwd format, {@code /etc/passwd} or {@code /etc/group}: a line per account,
 * {@code name:password:id:...}. Read whole on first use and again only when the file's size or mtime changed, so a
 * tree of any size costs one read and a map look-up per id; at most {@link #MAX_BYTES} of it are read (a bigger file's
 * later accounts are then unknown here, and their ids travel as numbers). Where two lines share a name or an id, the
 * first wins, as {@code getpwnam} and {@code getpwuid} answer. Accounts that only NSS modules (LDAP, sssd) know are
 * not seen. Thread-safe: a snapshot is replaced whole.
 */
public final class AccountFile {
    /** The most of the file read: far beyond any local account database. */
    static final int MAX_BYTES = 16 << 20;

    /** Names and ids as read, with what the file looked like then. */
    private record Snapshot(Map<Integer, String> names, Map<String, Integer> ids, long size, FileTime mtime) {
    }

    private static final Snapshot EMPTY = new Snapshot(Map.of(), Map.of(), -1, null);

    private final Path path;
    private volatile Snapshot snapshot = EMPTY;

    public AccountFile(Path path) {
        this.path = path;
    }

    /** Reads the file again if it changed since it was read (or was never read); a missing file knows no one. */
    public AccountFile refresh() {
        Snapshot s = snapshot;
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (IOException e) {
            snapshot = EMPTY;
            return this;
        }
        if (s.size() == a.size() && a.lastModifiedTime().equals(s.mtime())) {
            return this;
        }
        try {
            snapshot = parse(read(), a.size(), a.lastModifiedTime());
        } catch (NoSuchFileException e) {
            snapshot = EMPTY;
        } catch (IOException e) {
            // unreadable: keep what was known; ids travel as numbers where nothing was
        }
        return this;
    }

    /** The name of {@code id}, or null. */
    public String name(int id) {
        return snapshot.names().get(id);
    }

    /** The id of {@code name}, or null. */
    public Integer id(String name) {
        return snapshot.ids().get(name);
    }

    private byte[] read() throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return in.readNBytes(MAX_BYTES);
        }
    }

    private static Snapshot parse(byte[] bytes, long size, FileTime mtime) {
        Map<Integer, String> names = new HashMap<>();
        Map<String, Integer> ids = new HashMap<>();
        String text = new String(bytes, StandardCharsets.UTF_8);
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            line(text, start, end, names, ids);
            start = end + 1;
        }
        return new Snapshot(Map.copyOf(names), Map.copyOf(ids), size, mtime);
    }

    /** {@code name:password:id:...}; comments, NIS {@code +}/{@code -} lines and malformed lines are passed over. */
    private static void line(String text, int start, int end, Map<Integer, String> names, Map<String, Integer> ids) {
        int c1 = text.indexOf(':', start);
        int c2 = c1 < 0 || c1 >= end ? -1 : text.indexOf(':', c1 + 1);
        if (c2 < 0 || c2 >= end || c1 == start) {
            return;
        }
        int c3 = text.indexOf(':', c2 + 1);
        String name = text.substring(start, c1);
        char first = name.charAt(0);
        if (first == '#' || first == '+' || first == '-'
                || name.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_OWNER_NAME_BYTES) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(text, c2 + 1, c3 < 0 || c3 > end ? end : c3, 10);
        } catch (NumberFormatException e) {
            return;
        }
        if (id < 0 || id > 0xffff_fffeL) {
            return; // (uid_t) -1 is "no id"
        }
        names.putIfAbsent((int) id, name);
        ids.putIfAbsent(name, (int) id);
    }
}
