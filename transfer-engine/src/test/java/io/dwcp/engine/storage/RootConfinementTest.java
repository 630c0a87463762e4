package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootConfinementTest {
    @TempDir
    Path tmp;

    @Test
    void resolvesBelowTheRoot() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        RootConfinement rc = new RootConfinement(root, 4096);
        assertEquals(root.toRealPath().resolve("a/b"), rc.resolve("a", "b"));
        assertEquals(root.toRealPath(), rc.resolve(""));
    }

    @Test
    void refusesTraversalAndAbsolutePathsNamingThePath() throws Exception {
        RootConfinement rc = new RootConfinement(Files.createDirectory(tmp.resolve("root")), 4096);
        for (String bad : new String[] {"../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a/.", "a\\b"}) {
            DwcpException e = assertThrows(DwcpException.class, () -> rc.resolve(bad), bad);
            assertEquals(ErrorCode.PATH, e.code());
            assertTrue(e.getMessage().contains("path="), e.getMessage());
        }
        assertThrows(DwcpException.class, () -> rc.resolve("..", "x"));
    }

    @Test
    void refusesWritingThroughASymlinkedDirectory() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        RootConfinement rc = new RootConfinement(root, 4096);
        Path target = rc.resolve("link/sub/file");
        DwcpException e = assertThrows(DwcpException.class, () -> rc.ensureParents(target, "link/sub/file"));
        assertTrue(e.getMessage().contains("symlink-in-path"), e.getMessage());
        assertFalse(Files.exists(outside.resolve("sub")), "nothing may be created outside the root");
    }

    @Test
    void createsMissingParentsAndRefusesFilesInTheWay() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        RootConfinement rc = new RootConfinement(root, 4096);
        rc.ensureParents(rc.resolve("a/b/c/file"), "a/b/c/file");
        assertTrue(Files.isDirectory(root.resolve("a/b/c")));
        Files.writeString(root.resolve("f"), "x");
        DwcpException e = assertThrows(DwcpException.class, () -> rc.ensureParents(rc.resolve("f/x"), "f/x"));
        assertTrue(e.getMessage().contains("not-a-directory"), e.getMessage());
    }
}
