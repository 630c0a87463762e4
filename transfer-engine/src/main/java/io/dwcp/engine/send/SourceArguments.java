package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a SRC argument means, as rsync reads it: a directory, or with a trailing slash (or a last component of
 * {@code .} or {@code ..}) its contents; a symlink as the link itself, or with a trailing slash what it leads to.
 * And the checks made on all of them before anything is sent.
 */
final class SourceArguments {
    private SourceArguments() {
    }

    /**
     * Checks every argument before anything is sent: each exists and is a file, a directory or a link, and no two
     * would put a file and anything else under one name at the top of DEST.
     */
    static void check(List<String> args) throws DwcpException {
        for (String arg : args) {
            Path p = Path.of(arg);
            if (link(arg)) {
                continue; // sent as the link it is, whatever it points at (even nothing)
            }
            if (!Files.exists(p)) {
                throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=not-found");
            }
            if (!Files.isDirectory(p) && !Files.isRegularFile(p)) {
                throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=not-a-file-or-directory");
            }
            if (Files.isDirectory(p) && !contents(arg) && name(p) == null) {
                throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=root-directory-needs-trailing-slash");
            }
        }
        if (args.size() > 1) {
            checkNoNameSharedWithAFile(args);
        }
    }

    /**
     * Two arguments that put the same name at the top of DEST ({@code a/x b/x}, or {@code a/ b/} both holding
     * {@code x}): directories merge, as with rsync, but a file there would be sent twice under one name, so that is
     * refused before anything is sent, naming both. (rsync keeps the first; the receiver here could only tell two
     * such files apart while both are in flight.)
     */
    private static void checkNoNameSharedWithAFile(List<String> args) throws DwcpException {
        // The first argument that put a name at the top of DEST, and whether it is a directory there.
        record Top(String arg, boolean directory) {
        }
        Map<String, Top> tops = new HashMap<>();
        Map<String, String> given = new HashMap<>();
        for (String arg : args) {
            Path p = Path.of(arg);
            boolean link = link(arg);
            Map<String, Boolean> names = new HashMap<>();
            try {
                String same = given.putIfAbsent((contents(arg) ? "/" : "")
                        + (link ? p.toAbsolutePath().normalize() : p.toRealPath()), arg);
                if (same != null) {
                    throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=given-twice other=\"" + same
                            + "\"");
                }
                if (contents(arg) && Files.isDirectory(p)) {
                    try (var children = Files.newDirectoryStream(p)) {
                        for (Path c : children) {
                            names.put(c.getFileName().toString(), Files.isDirectory(c, LinkOption.NOFOLLOW_LINKS));
                        }
                    }
                } else {
                    String n = link ? p.getFileName().toString() : name(p);
                    if (n != null) {
                        names.put(n, !link && Files.isDirectory(p));
                    }
                }
            } catch (DwcpException e) {
                throw e;
            } catch (IOException e) {
                continue; // unreadable now: the walk reports it by name
            }
            for (Map.Entry<String, Boolean> n : names.entrySet()) {
                Top first = tops.putIfAbsent(n.getKey(), new Top(arg, n.getValue()));
                if (first != null && !(n.getValue() && first.directory())) {
                    throw new DwcpException(ErrorCode.PATH, "source=\"" + arg + "\" reason=name-taken-by-another-source"
                            + " name=\"" + n.getKey() + "\" other=\"" + first.arg() + "\"");
                }
            }
        }
    }

    /** The argument names a directory's contents, not the directory itself. */
    static boolean contents(String arg) {
        // As rsync: a trailing slash, and a last component of "." or ".." (which name no directory of their own).
        return arg.endsWith("/") || arg.equals(".") || arg.equals("..") || arg.endsWith("/.") || arg.endsWith("/..");
    }

    /**
     * An argument that names a symlink, without a trailing slash: sent as that link, as {@code rsync -a} does
     * (with the slash, the directory it leads to is read, as in rsync).
     */
    static boolean link(String arg) {
        if (contents(arg)) {
            return false;
        }
        Path last = Path.of(arg).getFileName();
        return last != null && !last.toString().equals("..") && Files.isSymbolicLink(Path.of(arg));
    }

    private static String name(Path p) {
        try {
            Path n = p.toRealPath().getFileName();
            return n == null ? null : n.toString();
        } catch (IOException e) {
            return null;
        }
    }
}
