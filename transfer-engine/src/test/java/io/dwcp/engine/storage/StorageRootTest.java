package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Network paths below the root, on the native (openat2) and the portable path alike. */
class StorageRootTest {
    @TempDir
    Path tmp;

    private StorageRoot open(Path root, IoMode mode) throws Exception {
        return StorageRoot.open(IoPaths.select(mode), root, 4096);
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void refusesTraversalAndAbsolutePathsNamingThePath(IoMode mode) throws Exception {
        try (StorageRoot rc = open(Files.createDirectory(tmp.resolve("root")), mode)) {
            for (String bad : new String[] {"../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/."}) {
                DwcpException e = assertThrows(DwcpException.class, () -> rc.check(bad), bad);
                assertEquals(ErrorCode.PATH, e.code());
                assertTrue(e.getMessage().contains("path="), e.getMessage());
            }
            assertThrows(DwcpException.class, () -> rc.resolve("..", "x"));
            assertEquals("a/b", rc.resolve("a", "b"));
        }
    }

    /** A backslash is a character of a name here, on every path: a name with one lands inside the root, as itself. */
    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aNameWithBackslashesIsCreatedAsItselfInsideTheRoot(IoMode mode) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.io.File.separatorChar == '/', "a platform where \\ separates");
        Path root = Files.createDirectory(tmp.resolve("root"));
        try (StorageRoot rc = open(root, mode)) {
            for (String name : new String[] {"a\\b", "..\\x", "..\\..\\y"}) {
                assertEquals(name, rc.check(name));
                rc.createExclusive(name, 0600, name).close();
                assertTrue(Files.isRegularFile(root.resolve(name)), name);
            }
        }
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(root), s.toList(), "nothing beside the root");
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void refusesWritingThroughASymlinkedDirectory(IoMode mode) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        try (StorageRoot rc = open(root, mode)) {
            DwcpException e = assertThrows(DwcpException.class, () -> rc.ensureParents("link/sub/file", "link/sub/file"));
            assertTrue(e.getMessage().contains("symlink-in-path"), e.getMessage());
            assertThrows(DwcpException.class, () -> rc.createExclusive("link/file", 0600, "link/file"));
        }
        assertFalse(Files.exists(outside.resolve("sub")), "nothing may be created outside the root");
        assertFalse(Files.exists(outside.resolve("file")), "nothing may be created outside the root");
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void createsMissingParentsAndRefusesFilesInTheWay(IoMode mode) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        try (StorageRoot rc = open(root, mode)) {
            rc.ensureParents("a/b/c/file", "a/b/c/file");
            assertTrue(Files.isDirectory(root.resolve("a/b/c")));
            Files.writeString(root.resolve("f"), "x");
            DwcpException e = assertThrows(DwcpException.class, () -> rc.ensureParents("f/x", "f/x"));
            assertTrue(e.getMessage().contains("not-a-directory"), e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aLeftoverPartFileOrPlantedLinkIsReplacedNotFollowed(IoMode mode) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path victim = Files.writeString(tmp.resolve("victim"), "keep me");
        Files.createSymbolicLink(root.resolve("x.dwcp-part"), victim);
        try (StorageRoot rc = open(root, mode)) {
            rc.createExclusive("x.dwcp-part", 0600, "x").close();
        }
        assertEquals("keep me", Files.readString(victim));
        assertTrue(Files.isRegularFile(root.resolve("x.dwcp-part"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }
}
