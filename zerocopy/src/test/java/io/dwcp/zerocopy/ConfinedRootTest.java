package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.zerocopy.linux.NativeConfinedRoot;
import io.dwcp.zerocopy.portable.PortableConfinedRoot;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

    /**
     * A directory held open renames within itself only: single names, never a path, "." or "..", and replacing what
     * the new name held. Natively the handle is the directory resolved when it was opened: swapped for a link to
     * outside afterwards, the rename still lands in that directory (moved away by whoever swapped it), never outside.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aHeldDirectoryRenamesWithinItselfOnly(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind)) {
            assertTrue(r.mkdir("d", 0755));
            Files.writeString(root.resolve("d/a.dwcp-part"), "first");
            Files.writeString(root.resolve("d/b.dwcp-part"), "second");
            try (ConfinedDirectory d = r.openDirectory("d")) {
                d.rename("a.dwcp-part", "a");
                assertEquals("first", Files.readString(root.resolve("d/a")));
                assertFalse(Files.exists(root.resolve("d/a.dwcp-part")));
                d.rename("b.dwcp-part", "a");
                assertEquals("second", Files.readString(root.resolve("d/a")), "replaces what the name held");
                for (String bad : List.of("", ".", "..", "x/y", "../a", "/etc/passwd", "a\0b")) {
                    assertThrows(IOException.class, () -> d.rename("a", bad), bad);
                    assertThrows(IOException.class, () -> d.rename(bad, "z"), bad);
                }
                assertEquals("second", Files.readString(root.resolve("d/a")));
            }
            if (kind == Kind.PORTABLE) {
                return; // holds nothing: each rename resolves its path
            }
            assertTrue(r.mkdir("e", 0755));
            Files.writeString(root.resolve("e/c.dwcp-part"), "third");
            try (ConfinedDirectory e = r.openDirectory("e")) {
                Path moved = Files.move(root.resolve("e"), base.resolve("moved"));
                Files.createSymbolicLink(root.resolve("e"), outside);
                e.rename("c.dwcp-part", "c");
                assertFalse(Files.exists(outside.resolve("c")), "never through the link");
                assertEquals("third", Files.readString(moved.resolve("c")));
            }
        }
    }

    /** A held directory opens its regular files for reading, and refuses a link (to anything), a directory and a path. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void aHeldDirectoryOpensItsRegularFilesOnly(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind); Arena arena = Arena.ofConfined()) {
            assertTrue(r.mkdir("d", 0755));
            Files.writeString(root.resolve("d/f"), "basis bytes");
            Files.writeString(outside.resolve("secret"), "outside");
            Files.createSymbolicLink(root.resolve("d/out"), outside.resolve("secret"));
            Files.createSymbolicLink(root.resolve("d/in"), root.resolve("d/f"));
            assertTrue(r.mkdir("d/sub", 0755));
            try (ConfinedDirectory d = r.openDirectory("d")) {
                try (DataFile f = d.openRead("f")) {
                    MemorySegment back = arena.allocate(64);
                    assertEquals(11, f.read(back, 0, 64, 0));
                    assertEquals("basis bytes", new String(back.asSlice(0, 11).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                            java.nio.charset.StandardCharsets.UTF_8));
                }
                for (String bad : List.of("out", "in", "sub", "", ".", "..", "sub/x", "../d/f", "a\0b")) {
                    assertThrows(IOException.class, () -> d.openRead(bad).close(), bad);
                }
            }
        }
    }

    /**
     * Names outside ASCII and names at the kernel's limit of 255 bytes, at every depth: the native roots write each
     * path's bytes once and cut the leaf off at its last {@code /}, so the byte length (not the char count) decides,
     * and a rename's new name is written beside the old one.
     */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void namesInAnyScriptAndAtTheByteLimit(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind); Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocateFrom("grüße");
            long n = bytes.byteSize() - 1; // without the NUL
            assertTrue(r.mkdir("ü", 0755));
            assertTrue(r.mkdir("ü/日本", 0755));
            try (DataFile f = r.openWrite("ü/日本/é.dwcp-part", 0600, true)) {
                f.writeFully(bytes, 0, n, 0);
            }
            r.rename("ü/日本/é.dwcp-part", "ü/日本/ñame");
            r.setTimes("ü/日本/ñame", 1_000_000_000L, 1_600_000_000_000_000_007L);
            FileStat st = r.stat("ü/日本/ñame").orElseThrow();
            assertEquals(n, st.size());
            assertEquals(1_600_000_000_000_000_007L, st.mtimeNanos());
            r.symlink("../ziel/ä", "ü/lien");
            assertEquals("../ziel/ä", r.readlink("ü/lien"));
            r.rename("ü/日本/ñame", "top");
            assertTrue(Files.isRegularFile(root.resolve("top")));
            assertEquals("grüße", Files.readString(root.resolve("top")));

            String longest = "é".repeat(127) + "x"; // 255 bytes, 128 chars
            try (DataFile f = r.openWrite("ü/" + longest, 0600, true)) {
                f.writeFully(bytes, 0, n, 0);
            }
            assertTrue(r.stat("ü/" + longest).orElseThrow().isRegularFile());
            r.rename("ü/" + longest, "ü/" + "y".repeat(255));
            assertTrue(Files.exists(root.resolve("ü/" + "y".repeat(255))));
            String tooLong = "é".repeat(128); // 256 bytes, 128 chars
            for (String path : List.of("ü/" + tooLong, tooLong, "ü/日本/" + "z".repeat(256))) {
                IOException e = assertThrows(IOException.class, () -> r.openWrite(path, 0600, true), path);
                if (e instanceof NativeIoException ne) {
                    assertEquals(Errno.ENAMETOOLONG, ne.errno(), e.getMessage());
                }
                if (kind != Kind.PORTABLE) {
                    assertThrows(NativeIoException.class, () -> r.stat(path), path); // the JDK's says absent
                }
            }
            assertThrows(IOException.class, () -> r.rename("ü/" + "y".repeat(255), "ü/" + tooLong));
            assertTrue(Files.exists(root.resolve("ü/" + "y".repeat(255))), "a refused rename leaves the file");
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

    /** A walker opens each subdirectory from its parent's handle: the same names, and never through a link. */
    @ParameterizedTest
    @EnumSource(Kind.class)
    void subdirectoriesOpenFromTheirParentAndRefuseLinks(Kind kind) throws IOException {
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/file"), "x");
        Files.writeString(root.resolve("a/plain"), "y");
        Files.createSymbolicLink(root.resolve("a/ln"), outside);
        Files.writeString(outside.resolve("secret"), "z");
        try (ConfinedRoot r = open(kind); ConfinedDirectory a = r.openDirectory("a");
                ConfinedDirectory b = a.openDirectory("b")) {
            List<String> names = new ArrayList<>();
            b.list(names::add);
            assertEquals(List.of("file"), names);
            assertEquals(1, b.stat("file").orElseThrow().size());
            PathRefusedException e = assertThrows(PathRefusedException.class, () -> a.openDirectory("ln"));
            assertEquals(PathRefusedException.Reason.SYMLINK_IN_PATH, e.reason());
            assertThrows(PathRefusedException.class, () -> a.openDirectory("plain"), "a file is not a directory");
            assertThrows(IOException.class, () -> a.openDirectory("missing"));
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

    @ParameterizedTest
    @EnumSource(Kind.class)
    void listGivesEveryNameOnceAndKeepsNone(Kind kind) throws IOException {
        Path big = Files.createDirectory(root.resolve("big"));
        for (int i = 0; i < 3000; i++) {
            Files.createFile(big.resolve(String.format(Locale.ROOT, "entry-%04d-with-a-longer-name", i)));
        }
        Files.createDirectory(big.resolve("sub"));
        Files.createSymbolicLink(big.resolve("ln"), outside);
        Files.createFile(big.resolve("Grüße, 世界"));
        Files.createFile(outside.resolve("outside-only"));
        try (ConfinedRoot r = open(kind)) {
            Map<String, Integer> seen = new HashMap<>();
            r.list("big", n -> seen.merge(n, 1, Integer::sum));
            assertEquals(3003, seen.size(), "3000 files, a directory, a symlink, a Unicode name; no . or ..");
            assertTrue(seen.values().stream().allMatch(c -> c == 1), "each name once");
            assertTrue(seen.containsKey("entry-2999-with-a-longer-name") && seen.containsKey("sub")
                    && seen.containsKey("ln") && seen.containsKey("Grüße, 世界"));
            assertFalse(seen.containsKey("outside-only"), "the symlink is an entry, not a way in");
            List<String> top = new ArrayList<>();
            r.list("", top::add);
            assertEquals(List.of("big"), top, "\"\" lists the root itself");
            List<String> empty = new ArrayList<>();
            r.list("big/sub/", empty::add);
            assertEquals(List.of(), empty);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void listNeverGoesThroughASymlink(Kind kind) throws IOException {
        Files.createDirectory(root.resolve("real"));
        Files.createFile(root.resolve("real/file"));
        Files.createSymbolicLink(root.resolve("ln"), outside);
        Files.createSymbolicLink(root.resolve("real/inner"), root.resolve("real"));
        Files.createDirectory(outside.resolve("sub"));
        Files.createFile(outside.resolve("secret"));
        try (ConfinedRoot r = open(kind)) {
            List<String> names = new ArrayList<>();
            PathRefusedException e = assertThrows(PathRefusedException.class, () -> r.list("ln", names::add));
            assertEquals(PathRefusedException.Reason.SYMLINK_IN_PATH, e.reason(), e.getMessage());
            e = assertThrows(PathRefusedException.class, () -> r.list("real/inner", names::add));
            assertEquals(PathRefusedException.Reason.SYMLINK_IN_PATH, e.reason(), "even one staying inside");
            e = assertThrows(PathRefusedException.class, () -> r.list("ln/sub", names::add));
            assertEquals(PathRefusedException.Reason.SYMLINK_IN_PATH, e.reason(), "a symlinked parent");
            e = assertThrows(PathRefusedException.class, () -> r.list("real/file", names::add));
            assertEquals(PathRefusedException.Reason.NOT_A_DIRECTORY, e.reason());
            assertThrows(PathRefusedException.class, () -> r.list("../outside", names::add));
            assertThrows(IOException.class, () -> r.list("missing", names::add));
            assertEquals(List.of(), names, "nothing was listed");
        }
    }

    private static boolean runningAsRoot(ConfinedRoot r) throws IOException {
        try (DataFile f = r.openWrite("whoami", 0644, true)) {
            return f.stat().uid() == 0;
        } finally {
            r.unlink("whoami");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void chownSetsTheOwnerOrSaysEperm(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind)) {
            r.openWrite("f", 0644, true).close();
            FileStat mine = r.stat("f").orElseThrow();
            r.chown("f", mine.uid(), mine.gid());
            r.chown("f", -1, -1);
            assertEquals(mine.uid(), r.stat("f").orElseThrow().uid());
            if (runningAsRoot(r)) {
                r.chown("f", 12345, 23456);
                FileStat st = r.stat("f").orElseThrow();
                assertEquals(12345, st.uid());
                assertEquals(23456, st.gid());
                r.chown("f", -1, 777);
                st = r.stat("f").orElseThrow();
                assertEquals(12345, st.uid(), "-1 leaves the owner");
                assertEquals(777, st.gid());
            } else {
                IOException e = assertThrows(IOException.class, () -> r.chown("f", mine.uid() + 1, -1));
                if (e instanceof NativeIoException n) {
                    assertEquals(Errno.EPERM, n.errno(), n.getMessage());
                }
                assertEquals(mine.uid(), r.stat("f").orElseThrow().uid());
            }
            Files.createSymbolicLink(root.resolve("ln"), outside);
            assertThrows(PathRefusedException.class, () -> r.chown("ln/x", -1, -1));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void chownOfASymlinkChangesTheLink(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind)) {
            assumeTrue(runningAsRoot(r), "giving a file away needs root (CAP_CHOWN)");
            r.openWrite("target", 0644, true).close();
            r.symlink("target", "ln");
            r.chown("ln", 4242, 4343);
            FileStat link = r.stat("ln").orElseThrow();
            assertEquals(4242, link.uid());
            assertEquals(4343, link.gid());
            FileStat target = r.stat("target").orElseThrow();
            assertEquals(0, target.uid(), "the target is untouched");
            assertEquals(0, target.gid());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void linkMakesASecondNameForTheSameInode(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind); Arena arena = Arena.ofConfined()) {
            r.mkdir("d", 0755);
            MemorySegment bytes = arena.allocateFrom("linked");
            try (DataFile f = r.openWrite("a", 0644, true)) {
                f.writeFully(bytes, 0, bytes.byteSize(), 0);
            }
            r.link("a", "d/b");
            FileStat a = r.stat("a").orElseThrow();
            FileStat b = r.stat("d/b").orElseThrow();
            assertEquals(a.inode(), b.inode());
            assertEquals(a.device(), b.device());
            assertEquals(2, a.links());
            assertEquals(2, b.links());
            assertThrows(IOException.class, () -> r.link("a", "d/b"), "EEXIST onto a name in use");

            r.symlink("a", "s");
            r.link("s", "s2");
            FileStat s2 = r.stat("s2").orElseThrow();
            assertTrue(s2.isSymbolicLink(), "the symlink is linked, not its target");
            assertEquals(r.stat("s").orElseThrow().inode(), s2.inode());
            assertEquals("a", r.readlink("s2"));
            assertEquals(2, r.stat("a").orElseThrow().links(), "the target gained no link");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void linkRefusesPathsThroughSymlinks(Kind kind) throws IOException {
        Files.createFile(root.resolve("a"));
        Files.createFile(outside.resolve("victim"));
        Files.createSymbolicLink(root.resolve("ln"), outside);
        Files.createSymbolicLink(root.resolve("escape"), outside.resolve("victim"));
        try (ConfinedRoot r = open(kind)) {
            assertThrows(PathRefusedException.class, () -> r.link("a", "ln/planted"));
            assertThrows(PathRefusedException.class, () -> r.link("ln/victim", "stolen"));
            assertThrows(PathRefusedException.class, () -> r.link("a", "../planted"));
            r.link("escape", "escape2");
            assertTrue(r.stat("escape2").orElseThrow().isSymbolicLink(), "a link to the symlink, not to the victim");
            assertEquals(1, Files.readAttributes(outside.resolve("victim"), "unix:nlink").get("nlink"));
        }
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(1, s.count(), "nothing was created outside the root");
        }
        assertFalse(Files.exists(root.resolve("stolen"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OPENAT2", "WALK"})
    void mknodMakesFifosAndDevices(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind)) {
            r.mkdir("d", 0755);
            r.mknod("d/fifo", FileStat.S_IFIFO | 0644, 0);
            FileStat fifo = r.stat("d/fifo").orElseThrow();
            assertTrue(fifo.isFifo());
            assertFalse(fifo.isRegularFile() || fifo.isCharDevice() || fifo.isBlockDevice());
            assertEquals(0, fifo.rdev());
            assertThrows(IOException.class, () -> r.mknod("d/fifo", FileStat.S_IFIFO | 0644, 0), "EEXIST");
            assertThrows(IOException.class, () -> r.openRead("d/fifo"), "never opened as data, never blocks");
            Files.createSymbolicLink(root.resolve("ln"), outside);
            assertThrows(PathRefusedException.class, () -> r.mknod("ln/fifo", FileStat.S_IFIFO | 0644, 0));

            assumeTrue(runningAsRoot(r), "device files need root (CAP_MKNOD)");
            long nullDev = FileStat.makedev(1, 3);
            try {
                r.mknod("d/null", FileStat.S_IFCHR | 0600, nullDev);
            } catch (NativeIoException e) {
                if (e.errno() == Errno.EPERM) {
                    abort("root without CAP_MKNOD here: " + e.getMessage());
                }
                throw e;
            }
            FileStat chr = r.stat("d/null").orElseThrow();
            assertTrue(chr.isCharDevice());
            assertEquals(nullDev, chr.rdev());
            assertEquals(nullDev, Files.readAttributes(Path.of("/dev/null"), "unix:rdev").get("rdev"));
            // a major past 255 and a minor past 255 exercise both halves of the dev_t encoding
            long wide = FileStat.makedev(259, 70000);
            r.mknod("d/blk", FileStat.S_IFBLK | 0600, wide);
            FileStat blk = r.stat("d/blk").orElseThrow();
            assertTrue(blk.isBlockDevice());
            assertEquals(wide, blk.rdev());
            assertEquals(259, FileStat.major(blk.rdev()));
            assertEquals(70000, FileStat.minor(blk.rdev()));
            try (ConfinedRoot portable = PortableConfinedRoot.open(root)) {
                assertEquals(blk, portable.stat("d/blk").orElseThrow(), "both paths encode device numbers alike");
            }
        }
    }

    @Test
    void portableRefusesMknodPlainly() throws IOException {
        try (ConfinedRoot r = open(Kind.PORTABLE)) {
            IOException e = assertThrows(IOException.class, () -> r.mknod("fifo", FileStat.S_IFIFO | 0644, 0));
            assertTrue(e.getMessage().startsWith("op=mknod reason=unsupported-on-portable-path"), e.getMessage());
            assertTrue(r.stat("fifo").isEmpty());
        }
    }

    @Test
    void deviceNumbersUseTheGlibcEncoding() {
        assertEquals(0x801L, FileStat.makedev(8, 1));
        assertEquals(0x11110370L, FileStat.makedev(259, 70000));
        assertEquals(0x120006783459aL, FileStat.makedev(0x12345, 0x6789a));
        assertEquals(0x12345, FileStat.major(0x120006783459aL));
        assertEquals(0x6789a, FileStat.minor(0x120006783459aL));
        assertEquals(-1, FileStat.major(FileStat.makedev(-1, -1)));
        assertEquals(-1, FileStat.minor(FileStat.makedev(-1, -1)));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void setTimesOnASymlinkSetsTheLinksOwnTimes(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind)) {
            r.openWrite("target", 0644, true).close();
            r.symlink("target", "ln");
            long before = r.stat("target").orElseThrow().mtimeNanos();
            r.setTimes("ln", 1_000_000_000L, 1_500_000_000_000_000_007L);
            FileStat link = r.stat("ln").orElseThrow();
            assertTrue(link.isSymbolicLink(), "stat does not follow");
            assertEquals(1_500_000_000_000_000_007L, link.mtimeNanos());
            assertEquals(1_000_000_000L, link.atimeNanos());
            assertEquals(before, r.stat("target").orElseThrow().mtimeNanos(), "the target is untouched");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"OPENAT2", "WALK"})
    void nativeAndPortableStatAgree(Kind kind) throws IOException {
        try (ConfinedRoot r = open(kind); ConfinedRoot portable = PortableConfinedRoot.open(root)) {
            r.mkdir("d", 0750);
            Files.write(root.resolve("d/f"), new byte[70_001]);
            r.setTimes("d/f", 1_234_567_890_123_456_789L, 1_700_000_000_987_654_321L); // every field of both stamps
            r.link("d/f", "d/f2"); // two links
            r.symlink("f", "d/ln");
            if (runningAsRoot(r)) {
                r.chown("d/f", 123_456, 654_321); // uid and gid apart, both wider than 16 bits
            }
            for (String p : List.of("d", "d/f", "d/ln")) {
                FileStat b = portable.stat(p).orElseThrow();
                FileStat a = r.stat(p).orElseThrow();
                // allocated differs by design: the portable path reports the size
                assertEquals(withoutAllocated(b), withoutAllocated(a), p);
                try (ConfinedDirectory d = r.openDirectory("d")) { // the per-name path a tree walk takes
                    assertEquals(withoutAllocated(b), withoutAllocated(d.stat(p.equals("d") ? "." : p.substring(2))
                            .orElseThrow()), p + " in its directory");
                }
            }
            FileStat f = r.stat("d/f").orElseThrow();
            assertEquals(70_001, f.size());
            assertEquals(2, f.links());
            assertEquals(1_700_000_000_987_654_321L, f.mtimeNanos());
            assertEquals(0100644 & ~0777, f.mode() & ~0777, "a regular file");
        }
        try (ConfinedRoot r = NativeConfinedRoot.open(Path.of("/dev"), false);
                ConfinedRoot portable = PortableConfinedRoot.open(Path.of("/dev"))) {
            FileStat b = portable.stat("null").orElseThrow();
            assertEquals(withoutAllocated(b), withoutAllocated(r.stat("null").orElseThrow()), "a character device");
            assertTrue(b.rdev() != 0, "/dev/null has a device number");
        }
    }

    private static FileStat withoutAllocated(FileStat a) {
        return new FileStat(a.mode(), a.size(), 0, a.atimeNanos(), a.mtimeNanos(), a.ctimeNanos(), a.uid(), a.gid(),
                a.links(), a.inode(), a.device(), a.rdev());
    }
}
