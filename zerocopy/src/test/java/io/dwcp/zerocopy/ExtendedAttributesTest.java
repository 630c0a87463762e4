package io.dwcp.zerocopy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.manifest.Xattr;
import io.dwcp.zerocopy.linux.NativeConfinedRoot;
import io.dwcp.zerocopy.portable.PortableConfinedRoot;
import io.dwcp.zerocopy.select.IoPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Extended attributes through every way a root reaches them: {@code *xattrat} relative to the parent's fd, an
 * {@code O_PATH} fd through {@code /proc/self/fd} (what kernels before 6.13 get), and the JDK's user view. The JDK's
 * view of the real path is the independent witness for {@code user.*}.
 */
class ExtendedAttributesTest {
    enum Kind { XATTRAT, O_PATH, PORTABLE }

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private Path base;
    private Path root;

    @BeforeEach
    void tree() throws IOException {
        base = TestFiles.scratchDir("dwcp-zc-xattr");
        root = Files.createDirectory(base.resolve("root"));
        Path probe = Files.createFile(base.resolve("probe"));
        try {
            userView(probe).write("probe", ByteBuffer.wrap(new byte[] {1}));
        } catch (FileSystemException | UnsupportedOperationException e) {
            assumeTrue(false, "this file system keeps no user.* attributes (tmpfs before Linux 6.6): " + e);
        }
    }

    @AfterEach
    void cleanUp() throws IOException {
        TestFiles.deleteTree(base);
    }

    private ConfinedRoot open(Kind kind) throws IOException {
        IoPaths auto = IoPaths.select(IoMode.AUTO);
        boolean openat2 = auto.confinement() == IoPaths.Confinement.OPENAT2;
        return switch (kind) {
            case XATTRAT -> {
                assumeTrue(auto.confinement() != IoPaths.Confinement.PORTABLE, "no native file access");
                try {
                    yield NativeConfinedRoot.open(root, openat2, true);
                } catch (IllegalArgumentException e) {
                    assumeTrue(false, "this kernel has no *xattrat calls (before 6.13)");
                    throw e;
                }
            }
            case O_PATH -> {
                assumeTrue(auto.confinement() != IoPaths.Confinement.PORTABLE, "no native file access");
                yield NativeConfinedRoot.open(root, openat2, false);
            }
            case PORTABLE -> PortableConfinedRoot.open(root);
        };
    }

    private static UserDefinedFileAttributeView userView(Path p) {
        return Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
    }

    /** What the JDK sees of {@code p}'s {@code user.*} attributes, by name without the namespace. */
    private static Map<String, String> seen(Path p) throws IOException {
        UserDefinedFileAttributeView v = userView(p);
        Map<String, String> out = new TreeMap<>();
        for (String n : v.list()) {
            ByteBuffer b = ByteBuffer.allocate(v.size(n));
            v.read(n, b);
            out.put(n, new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void filesAndDirectoriesGetSetReadAndRemove(Kind kind) throws IOException {
        Files.createDirectories(root.resolve("d/e"));
        Files.writeString(root.resolve("d/f"), "data");
        try (ConfinedRoot r = open(kind)) {
            r.withXattrs("d/f", a -> {
                a.set("user.b", utf8("two"));
                a.set("user.a", utf8("one"));
                a.set("user.empty", new byte[0]);
                return null;
            });
            r.withXattrs("d/e", a -> {
                a.set("user.dir", utf8("on a directory"));
                return null;
            });
            assertEquals(Map.of("a", "one", "b", "two", "empty", ""), seen(root.resolve("d/f")));
            assertEquals(Map.of("dir", "on a directory"), seen(root.resolve("d/e")));

            List<Xattr> read = r.withXattrs("d/f", a -> a.read(n -> n.startsWith("user.")));
            assertEquals(List.of("user.a", "user.b", "user.empty"), read.stream().map(Xattr::name).toList(), "sorted");
            assertArrayEquals(utf8("two"), read.get(1).value());
            assertEquals(List.of("user.b"), r.withXattrs("d/f", a -> a.read("user.b"::equals)).stream()
                    .map(Xattr::name).toList(), "only what the filter wants is read");
            try (ConfinedDirectory d = r.openDirectory("d")) {
                assertEquals(read, d.xattrs("f", n -> n.startsWith("user.")));
                assertEquals(List.of(new Xattr("user.dir", utf8("on a directory"))), d.xattrs("e", n -> true).stream()
                        .filter(x -> x.name().startsWith("user.")).toList());
            }

            r.withXattrs("d/f", a -> {
                a.set("user.a", utf8("changed"));
                a.remove("user.b");
                a.remove("user.never-there"); // not an error
                return null;
            });
            assertEquals(Map.of("a", "changed", "empty", ""), seen(root.resolve("d/f")));
            Files.writeString(root.resolve("plain"), "x");
            assertEquals(List.of(), r.withXattrs("plain", a -> a.read(n -> n.startsWith("user."))));
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void anOpenFileChangesItsOwnAttributes(Kind kind) throws IOException {
        byte[] big = new byte[3000]; // inside ext4's one block per inode
        new java.util.Random(7).nextBytes(big);
        try (ConfinedRoot r = open(kind)) {
            try (DataFile f = r.openWrite("n.dwcp-part", 0600, true)) {
                f.withXattrs(a -> {
                    a.set("user.big", big);
                    a.set("user.gone", utf8("x"));
                    a.remove("user.gone");
                    return null;
                });
                assertEquals(List.of(new Xattr("user.big", big)), f.withXattrs(a -> a.read(n -> n.startsWith("user."))));
            }
            r.rename("n.dwcp-part", "n");
            UserDefinedFileAttributeView v = userView(root.resolve("n"));
            ByteBuffer b = ByteBuffer.allocate(v.size("big"));
            v.read("big", b);
            assertArrayEquals(big, b.array());
            assertEquals(List.of("big"), v.list());
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aPathThroughASymlinkIsRefusedAndNothingOutsideChanges(Kind kind) throws IOException {
        Path outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("victim"), "v");
        Files.createSymbolicLink(root.resolve("link"), outside);
        try (ConfinedRoot r = open(kind)) {
            assertThrows(PathRefusedException.class, () -> r.withXattrs("link/victim", a -> {
                a.set("user.evil", utf8("1"));
                return null;
            }));
        }
        assertEquals(Map.of(), seen(outside.resolve("victim")));
    }

    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"XATTRAT", "O_PATH"})
    void aSymlinksOwnAttributesAreItsAndNeverItsTargets(Kind kind) throws IOException {
        assumeTrue(ROOT, "trusted.* attributes, the kind a symlink can carry, need root");
        Files.writeString(root.resolve("target"), "t");
        Files.createSymbolicLink(root.resolve("link"), Path.of("target"));
        try (ConfinedRoot r = open(kind)) {
            r.withXattrs("link", a -> {
                a.set("trusted.on-link", utf8("mine"));
                return null;
            });
            assertEquals(List.of(new Xattr("trusted.on-link", utf8("mine"))),
                    r.withXattrs("link", a -> a.read(n -> n.startsWith("trusted."))));
            assertEquals(List.of(), r.withXattrs("target", a -> a.read(n -> n.startsWith("trusted."))),
                    "the target is untouched");
            try (ConfinedDirectory d = r.openDirectory("")) {
                assertEquals(List.of(new Xattr("trusted.on-link", utf8("mine"))),
                        d.xattrs("link", n -> n.startsWith("trusted.")));
            }
            // user.* on a link is refused by the kernel (EPERM), not applied to what it points at
            assertThrows(IOException.class, () -> r.withXattrs("link", a -> {
                a.set("user.x", utf8("1"));
                return null;
            }));
            assertEquals(Map.of(), seen(root.resolve("target")));
            r.withXattrs("link", a -> {
                a.remove("trusted.on-link");
                return null;
            });
            assertEquals(List.of(), r.withXattrs("link", a -> a.read(n -> n.startsWith("trusted."))));
        }
    }

    @Test
    void thePortablePathSaysPlainlyThatItReachesUserAttributesOnly() throws IOException {
        Files.writeString(root.resolve("f"), "x");
        try (ConfinedRoot r = PortableConfinedRoot.open(root)) {
            IOException e = assertThrows(IOException.class, () -> r.withXattrs("f", a -> {
                a.set("trusted.x", utf8("1"));
                return null;
            }));
            assertTrue(e.getMessage().contains("reason=unsupported-on-portable-path"), e.getMessage());
        }
    }
}
