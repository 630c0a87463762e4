package io.dwcp.engine.storage;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.manifest.RelativePaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Resolves network paths below the root. Paths are first checked lexically ({@link RelativePaths}), then
 * every existing component between the root and the target must be a real directory: a symlink on the way
 * is refused, so nothing the server writes can land outside the root through a link, whatever the link's
 * target. (Races with a local user replacing a directory by a link between check and use are out of scope
 * until the openat2(RESOLVE_BENEATH) data plane.)
 */
public final class RootConfinement {
    private final Path root;
    private final int maxPathBytes;

    public RootConfinement(Path root, int maxPathBytes) throws IOException {
        this.root = root.toRealPath();
        this.maxPathBytes = maxPathBytes;
    }

    public Path root() {
        return root;
    }

    /** Joins a destination prefix and an entry path and resolves the result below the root. */
    public Path resolve(String dest, String relative) throws DwcpException {
        String joined = dest.isEmpty() ? relative : dest + "/" + relative;
        return resolve(joined);
    }

    /** Resolves {@code relative} below the root; the empty string is the root itself. */
    public Path resolve(String relative) throws DwcpException {
        if (relative.isEmpty()) {
            return root;
        }
        RelativePaths.check(relative, maxPathBytes);
        Path p;
        try {
            p = root.resolve(relative).normalize();
        } catch (InvalidPathException e) {
            // The JVM encodes file names in its locale's charset; under a non-UTF-8 one (no LANG at all, say)
            // most non-ASCII names have no encoding.
            throw RelativePaths.refused(relative, "name-not-representable charset="
                    + System.getProperty("sun.jnu.encoding") + " hint=\"run the server under a UTF-8 locale\"");
        }
        if (!p.startsWith(root) || p.equals(root)) {
            throw RelativePaths.refused(relative, "outside-root");
        }
        return p;
    }

    /**
     * Checks that every existing ancestor of {@code target} below the root is a directory and not a link,
     * creating missing ones.
     */
    public void ensureParents(Path target, String shown) throws DwcpException {
        Path rel = root.relativize(target.getParent());
        Path cur = root;
        for (Path part : rel) {
            cur = cur.resolve(part);
            ensureDirectory(cur, shown);
        }
    }

    /** Makes {@code dir} exist as a real directory (not a link), or throws a PATH error naming {@code shown}. */
    public void ensureDirectory(Path dir, String shown) throws DwcpException {
        try {
            BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                throw RelativePaths.refused(shown, "symlink-in-path at=" + root.relativize(dir));
            }
            if (!a.isDirectory()) {
                throw RelativePaths.refused(shown, "not-a-directory at=" + root.relativize(dir));
            }
        } catch (java.nio.file.NoSuchFileException e) {
            try {
                Files.createDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException race) {
                ensureDirectory(dir, shown);
            } catch (IOException io) {
                throw new DwcpException(ErrorCode.IO, "path=\"" + shown + "\" reason=mkdir-failed detail=" + io.getMessage());
            }
        } catch (DwcpException e) {
            throw e;
        } catch (IOException e) {
            throw new DwcpException(ErrorCode.IO, "path=\"" + shown + "\" reason=stat-failed detail=" + e.getMessage());
        }
    }
}
