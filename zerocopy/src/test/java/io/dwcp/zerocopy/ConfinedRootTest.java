package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.zerocopy.linux.NativeConfinedRoot;
import io.dwcp.zerocopy.portable.PortableConfinedRoot;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every confinement strategy refuses the same paths and does the same work; the native ones win the race. */
class ConfinedRootTest {
    enum Kind { OPENAT2, WALK, PORTABLE }

    private Path base;
    private Path root;
    private Path outside;

    @BeforeEach
    void tree() throws IOException {
        base = TestFiles.scratchDir("dwcp-zc-root");
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
    void partFileLifecycle(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind); Arena arena = Arena.ofConfined()) {
            assertTrue(r.mkdir("d", 0755));
            assertFalse(r.mkdir("d", 0755), "an existing directory is fine");
            assertTrue(r.mkdir("d/e", 0700));
            MemorySegment bytes = arena.allocateFrom("hello, confined world");
            try (DataFile f = r.openWrite("d/e/name.dwcp-part", 0600, true)) {
                f.writeFully(bytes, 0, bytes.byteSize(), 0);
                f.force(false);
            }
            assertThrows(IOException.class, () -> r.openWrite("d/e/name.dwcp-part", 0600, true), "exclusive");
            r.rename("d/e/name.dwcp-part", "d/e/name");
            r.syncParent("d/e/name");
            FileStat st = r.stat("d/./e//name").orElseThrow();
            assertTrue(st.isRegularFile());
            assertEquals(bytes.byteSize(), st.size());
            assertEquals(0600, st.permissions());
            r.chmod("d/e/name", 0644);
            r.setTimes("d/e/name", 1_000_000_000L, 1_700_000_000_123_456_789L);
            FileStat after = r.stat("d/e/name").orElseThrow();
            assertEquals(0644, after.permissions());
            assertEquals(1_700_000_000_123_456_789L, after.mtimeNanos());
            try (DataFile f = r.openRead("d/e/name")) {
                MemorySegment back = arena.allocate(bytes.byteSize());
                assertEquals((int) bytes.byteSize(), f.read(back, 0, (int) bytes.byteSize(), 0));
                assertEquals(-1L, back.mismatch(bytes));
            }
            r.symlink("../../../etc/passwd", "d/link");
            assertEquals("../../../etc/passwd", r.readlink("d/link"), "stored verbatim, never resolved");
            assertTrue(r.stat("d/link").orElseThrow().isSymbolicLink());
            r.unlink("d/link");
            r.unlink("d/e/name");
            assertTrue(r.stat("d/e/name").isEmpty());
            r.rmdir("d/e");
            assertTrue(Files.exists(root.resolve("d")) && !Files.exists(root.resolve("d/e")));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void escapesAreRefusedByName(Kind kind) throws IOException {
        Files.createDirectory(root.resolve("real"));
        Files.createSymbolicLink(root.resolve("ln"), outside);
        Files.createSymbolicLink(root.resolve("real/leaf"), outside.resolve("victim"));
        try (ConfinedRoot r = open(kind)) {
            refused(r, "../escape", PathRefusedException.Reason.DOT_DOT);
            refused(r, "real/../../escape", PathRefusedException.Reason.DOT_DOT);
            refused(r, "/etc/passwd", PathRefusedException.Reason.ABSOLUTE);
            refused(r, "", PathRefusedException.Reason.EMPTY);
            refused(r, "./", PathRefusedException.Reason.EMPTY);
            PathRefusedException e = refused(r, "ln/file", PathRefusedException.Reason.SYMLINK_IN_PATH);
            assertEquals("path=\"ln/file\" reason=symlink-in-path", e.getMessage());
            refused(r, "ln/deeper/file", PathRefusedException.Reason.SYMLINK_IN_PATH);
            refused(r, "real/leaf", PathRefusedException.Reason.SYMLINK_IN_PATH);
            assertThrows(PathRefusedException.class, () -> r.openRead("real/leaf"));
            assertThrows(PathRefusedException.class, () -> r.mkdir("ln/sub", 0755));
            assertThrows(PathRefusedException.class, () -> r.rename("real/leaf", "ln/x"));
            assertThrows(IOException.class, () -> r.chmod("real/leaf", 0777), "chmod never follows the leaf");
        }
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing was created outside the root");
        }
    }

    private static PathRefusedException refused(ConfinedRoot r, String path, PathRefusedException.Reason why) {
        PathRefusedException e = assertThrows(PathRefusedException.class, () -> r.openWrite(path, 0644, false));
        assertEquals(why, e.reason(), e.getMessage());
        return e;
    }

    /** One thread flips root/d between a directory and a symlink out of the root; the other keeps writing into d. */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OPENAT2", "WALK"})
    void aSymlinkSwappedInMidWayNeverLeadsOutside(Kind kind) throws Exception {
        Path d = Files.createDirectory(root.resolve("d"));
        Path parked = root.resolve("d-parked");
        AtomicBoolean stop = new AtomicBoolean();
        Thread flipper = new Thread(() -> {
            while (!stop.get()) {
                try {
                    Files.move(d, parked);
                    Files.createSymbolicLink(d, outside);
                    Thread.onSpinWait();
                    Files.delete(d);
                    Files.move(parked, d);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }
        });
        int created = 0;
        int refusedOrMissing = 0;
        try (ConfinedRoot r = open(kind)) {
            flipper.start();
            for (int i = 0; i < 3000; i++) {
                try (DataFile f = r.openWrite("d/file-" + i, 0644, false)) {
                    created++;
                } catch (PathRefusedException | io.dwcp.core.linux.NativeIoException e) {
                    refusedOrMissing++; // a symlink at lookup time, or d briefly absent (ENOENT)
                }
            }
        } finally {
            stop.set(true);
            flipper.join();
        }
        System.out.println(kind + " created=" + created + " refused_or_missing=" + refusedOrMissing);
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing may reach the outside directory");
        }
        assertTrue(created > 0, "the race was run with the directory present at times");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void createdFilesGetTheRequestedMode(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind); DataFile f = r.openWrite("m", 0640, false)) {
            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("m"))));
            assertEquals(0640, f.stat().permissions());
        }
    }
}
