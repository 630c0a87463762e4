package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.zerocopy.linux.NativeConfinedRoot;
import io.dwcp.zerocopy.portable.PortableConfinedRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link ConfinedRoot#syncDirectory} flushes the root and nested directories and refuses what every confined
 * path refuses; with {@link DataFile#copyFrom}, {@link DataFile#force} and a rename it makes a durable local copy.
 */
class DirectorySyncTest {
    enum Kind { OPENAT2, WALK, PORTABLE }

    private Path base;
    private Path root;
    private Path outside;

    @BeforeEach
    void tree() throws IOException {
        base = TestFiles.scratchDir("dwcp-zc-sync");
        root = Files.createDirectory(base.resolve("root"));
        outside = Files.createDirectory(base.resolve("outside"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        TestFiles.deleteTree(base);
    }

    private ConfinedRoot open(Kind kind) throws IOException {
        IoPaths auto = IoPaths.select(IoMode.AUTO);
        return switch (kind) {
            case OPENAT2 -> {
                assumeTrue(auto.confinement() == IoPaths.Confinement.OPENAT2, "openat2 unusable: " + auto.describe());
                yield NativeConfinedRoot.open(root, true);
            }
            case WALK -> {
                assumeTrue(auto.confinement() != IoPaths.Confinement.PORTABLE, "no native file access");
                yield NativeConfinedRoot.open(root, false);
            }
            case PORTABLE -> PortableConfinedRoot.open(root);
        };
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theRootAndNestedDirectoriesAreSynced(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind)) {
            r.syncDirectory("");
            r.mkdir("a", 0755);
            r.mkdir("a/b", 0755);
            r.syncDirectory("a");
            r.syncDirectory("a/b");
            r.syncDirectory("a/./b/");
            r.openWrite("a/b/f", 0644, true).close();
            r.syncParent("a/b/f");
            r.syncParent("top-level-name");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void pathsOutOfTheRootOrThroughSymlinksAreRefused(Kind kind) throws IOException {
        Files.createDirectory(root.resolve("real"));
        Files.createFile(root.resolve("real/file"));
        Files.createDirectory(outside.resolve("sub"));
        Files.createSymbolicLink(root.resolve("ln"), outside);
        Files.createSymbolicLink(root.resolve("real/inner"), root.resolve("real"));
        try (ConfinedRoot r = open(kind)) {
            refused(r, "../x", PathRefusedException.Reason.DOT_DOT);
            refused(r, "real/../../x", PathRefusedException.Reason.DOT_DOT);
            refused(r, "/etc", PathRefusedException.Reason.ABSOLUTE);
            refused(r, "ln/sub", PathRefusedException.Reason.SYMLINK_IN_PATH);
            refused(r, "ln", PathRefusedException.Reason.SYMLINK_IN_PATH);
            refused(r, "real/inner", PathRefusedException.Reason.SYMLINK_IN_PATH);
            refused(r, "real/file", PathRefusedException.Reason.NOT_A_DIRECTORY);
            IOException missing = assertThrows(IOException.class, () -> r.syncDirectory("real/missing"));
            assertTrue(!(missing instanceof PathRefusedException), missing.getMessage());
        }
    }

    private static void refused(ConfinedRoot r, String dir, PathRefusedException.Reason why) {
        PathRefusedException e = assertThrows(PathRefusedException.class, () -> r.syncDirectory(dir), dir);
        assertEquals(why, e.reason(), e.getMessage());
    }

    /** syncfs through a handle of its own on the native paths; none on the portable one (files are forced there). */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void theFileSystemIsFlushedWholeThroughAHandle(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind)) {
            FileSystemFlush flush = r.openFileSystemFlush();
            if (kind == Kind.PORTABLE) {
                assertEquals(null, flush);
                return;
            }
            assertTrue(flush != null, "glibc has syncfs since 2.14");
            try (DataFile f = r.openWrite("written", 0600, true); java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                f.writeFully(a.allocate(8192), 0, 8192, 0);
            }
            flush.flush();
            flush.flush(); // nothing dirty: still fine
            flush.close();
            flush.close();
            assertThrows(IOException.class, flush::flush, "a closed handle refuses");
        }
    }

    /** The sequence a receiver uses for a local copy that must survive a crash. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCopyIsForcedRenamedAndItsDirectorySynced(Kind kind) throws IOException {
        byte[] bytes = CopyFromTest.random(200_003, 23);
        Files.createDirectories(root.resolve("d/e"));
        Files.write(root.resolve("d/source"), bytes);
        try (ConfinedRoot r = open(kind)) {
            try (DataFile src = r.openRead("d/source"); DataFile part = r.openWrite("d/e/copy.dwcp-part", 0600, true)) {
                part.copyFrom(src, bytes.length);
                part.force(false);
                part.force(true);
            }
            r.rename("d/e/copy.dwcp-part", "d/e/copy");
            r.syncDirectory("d/e");
        }
        assertArrayEquals(bytes, Files.readAllBytes(root.resolve("d/e/copy")));
    }
}
