package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.zerocopy.DataFile.CopyKind;
import io.dwcp.zerocopy.linux.NativeFile;
import io.dwcp.zerocopy.portable.ChannelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link DataFile#copyFrom} gives the source's bytes on tmpfs and on the disk (ext4 here), native and portable:
 * whole files of awkward sizes, sparse files, a prefix, and a source shorter than asked. What the kernel did
 * (clone, in-kernel copy, user loop; whether holes survived) is printed, and asserted only where it is certain.
 */
class CopyFromTest {
    enum Place { SHM, DISK }

    private static final long[] SIZES = {0, 1, 4095, 4096, (1 << 20) + 17};
    /** Neither shares extents, and both copy_file_range within themselves (Linux 4.5 on). */
    private static final Set<String> NO_REFLINK = Set.of("tmpfs", "ext4");

    private Path shm;
    private Path disk;

    @BeforeEach
    void scratch() throws IOException {
        shm = TestFiles.scratchDir("dwcp-zc-copy");
        disk = TestFiles.diskScratchDir("dwcp-zc-copy");
    }

    @AfterEach
    void cleanUp() throws IOException {
        TestFiles.deleteTree(shm);
        TestFiles.deleteTree(disk);
    }

    private Path dir(Place place) {
        return place == Place.SHM ? shm : disk;
    }

    static DataFile open(IoMode mode, Path p, boolean write) throws IOException {
        if (mode != IoMode.PORTABLE) {
            assumeTrue(IoPaths.select(IoMode.AUTO).confinement() != IoPaths.Confinement.PORTABLE, "no native files");
            return NativeFile.open(p, write, write);
        }
        return ChannelFile.open(p, write, write);
    }

    static Stream<Arguments> sizes() {
        return Arrays.stream(IoMode.values()).flatMap(m -> Arrays.stream(Place.values())
                .flatMap(p -> Arrays.stream(SIZES).mapToObj(s -> Arguments.of(m, p, s))));
    }

    static Stream<Arguments> places() {
        return Arrays.stream(IoMode.values()).flatMap(m -> Arrays.stream(Place.values()).map(p -> Arguments.of(m, p)));
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Copies {@code length} of {@code src} into a new file {@code dst} and says how. */
    static CopyKind copy(IoMode mode, Path src, Path dst, long length) throws IOException {
        try (DataFile s = open(mode, src, false); DataFile t = open(mode, dst, true)) {
            CopyKind kind = t.copyFrom(s, length);
            t.force(true);
            return kind;
        }
    }

    /** The portable path always says USER_COPY; the native one copies in the kernel where nothing can be shared. */
    static void expectKind(IoMode mode, Path dir, CopyKind kind) throws IOException {
        if (mode == IoMode.PORTABLE) {
            assertEquals(CopyKind.USER_COPY, kind, "the JDK does not say whether it copied in the kernel");
        } else if (NO_REFLINK.contains(TestFiles.fsType(dir))) {
            assertEquals(CopyKind.KERNEL_COPY, kind, "copy_file_range within one " + TestFiles.fsType(dir));
        }
    }

    /** Bytes allocated to {@code p} (st_blocks), or -1 where only the portable path runs. */
    static long allocated(Path p) throws IOException {
        if (IoPaths.select(IoMode.AUTO).confinement() == IoPaths.Confinement.PORTABLE) {
            return -1;
        }
        try (NativeFile f = NativeFile.open(p, false, false)) {
            return f.stat().allocated();
        }
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void copiesExactBytes(IoMode mode, Place place, long size) throws IOException {
        Path src = dir(place).resolve("src");
        Path dst = dir(place).resolve("dst");
        Files.write(src, random((int) size, size));
        CopyKind kind = copy(mode, src, dst, size);
        System.out.println("copy fs=" + TestFiles.fsType(src) + " mode=" + mode + " size=" + size + " kind=" + kind);
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        expectKind(mode, src, kind);
    }

    @ParameterizedTest
    @MethodSource("places")
    void aSparseSourceGivesTheSameBytesAndSizeWithHolesWhereTheyCanStay(IoMode mode, Place place) throws IOException {
        Path src = dir(place).resolve("sparse");
        Path dst = dir(place).resolve("copy");
        long size = 6L << 20;
        // data, a hole in the middle, data, and a hole to the end
        TestFiles.sparse(src, size, new long[][] {{0, 65536}, {4L << 20, 65536}}, 7);
        CopyKind kind = copy(mode, src, dst, size);
        assertEquals(size, Files.size(dst));
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        long srcAllocated = allocated(src);
        long dstAllocated = allocated(dst);
        System.out.println("holes fs=" + TestFiles.fsType(src) + " mode=" + mode + " kind=" + kind + " size=" + size
                + " source_allocated=" + srcAllocated + " copy_allocated=" + dstAllocated);
        expectKind(mode, src, kind);
        if (mode != IoMode.PORTABLE && NO_REFLINK.contains(TestFiles.fsType(src)) && srcAllocated < size / 2) {
            // the native path copies only what SEEK_DATA finds and sets the size: the holes are not written
            assertTrue(dstAllocated < size / 2, "holes stay holes: " + dstAllocated);
        }
    }

    /** Holes are skipped only where the target is empty: over old bytes they must be written as zeros. */
    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aTargetThatIsNotEmptyGetsTheHolesAsZeros(IoMode mode) throws IOException {
        Path src = shm.resolve("sparse");
        long size = 3L << 20;
        TestFiles.sparse(src, size, new long[][] {{1 << 20, 4096}}, 29);
        Path dst = shm.resolve("old");
        byte[] old = new byte[(int) size + 100];
        Arrays.fill(old, (byte) 0xff);
        Files.write(dst, old);
        copy(mode, src, dst, size);
        byte[] back = Files.readAllBytes(dst);
        assertArrayEquals(Files.readAllBytes(src), Arrays.copyOf(back, (int) size));
        assertEquals((byte) 0xff, back[(int) size], "past the length the target is left as it was");
    }

    @ParameterizedTest
    @MethodSource("places")
    void aShorterLengthCopiesThePrefixOnly(IoMode mode, Place place) throws IOException {
        Path src = dir(place).resolve("src");
        byte[] bytes = random((1 << 20) + 17, 3);
        Files.write(src, bytes);
        for (int length : new int[] {300_001, 262_144, 1}) {
            Path dst = dir(place).resolve("prefix-" + length);
            CopyKind kind = copy(mode, src, dst, length);
            System.out.println("prefix fs=" + TestFiles.fsType(src) + " mode=" + mode + " length=" + length
                    + " kind=" + kind);
            assertArrayEquals(Arrays.copyOf(bytes, length), Files.readAllBytes(dst));
            expectKind(mode, src, kind);
        }
    }

    @ParameterizedTest
    @MethodSource("places")
    void aSourceShorterThanTheLengthIsCopiedAsFarAsItGoes(IoMode mode, Place place) throws IOException {
        Path src = dir(place).resolve("short");
        byte[] bytes = random(5000, 5);
        Files.write(src, bytes);
        Path dst = dir(place).resolve("dst");
        CopyKind kind = copy(mode, src, dst, 1 << 20);
        assertArrayEquals(bytes, Files.readAllBytes(dst), "nothing invented past the source's end");
        expectKind(mode, src, kind);
        Path empty = dir(place).resolve("nothing");
        copy(mode, src, empty, 0);
        assertEquals(0, Files.size(empty));
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void acrossFileSystemsTheBytesStillArrive(IoMode mode) throws IOException {
        Path src = shm.resolve("src");
        Path dst = disk.resolve("dst");
        assumeTrue(!TestFiles.fsType(shm).equals(TestFiles.fsType(disk)), "scratch dirs on one file system");
        Files.write(src, random((1 << 20) + 17, 11));
        CopyKind kind = copy(mode, src, dst, Long.MAX_VALUE);
        // since Linux 5.19 copy_file_range refuses two file systems of different types (EXDEV): the user loop
        System.out.println("across from=" + TestFiles.fsType(shm) + " to=" + TestFiles.fsType(disk) + " mode=" + mode
                + " kind=" + kind);
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        if (mode == IoMode.PORTABLE) {
            assertEquals(CopyKind.USER_COPY, kind);
        }
    }

    @Test
    void nativeAndPortableFilesCopyIntoEachOtherThroughUserMemory() throws IOException {
        Path src = shm.resolve("src");
        byte[] bytes = random(300_000, 13);
        Files.write(src, bytes);
        try (DataFile s = open(IoMode.AUTO, src, false); DataFile t = open(IoMode.PORTABLE, shm.resolve("a"), true)) {
            assertEquals(CopyKind.USER_COPY, t.copyFrom(s, bytes.length));
        }
        try (DataFile s = open(IoMode.PORTABLE, src, false); DataFile t = open(IoMode.AUTO, shm.resolve("b"), true)) {
            assertEquals(CopyKind.USER_COPY, t.copyFrom(s, bytes.length), "a channel has no fd for the kernel");
        }
        assertArrayEquals(bytes, Files.readAllBytes(shm.resolve("a")));
        assertArrayEquals(bytes, Files.readAllBytes(shm.resolve("b")));
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void aNegativeLengthOrTheFileItselfIsRefused(IoMode mode) throws IOException {
        Path p = shm.resolve("f");
        Files.write(p, random(10, 1));
        try (DataFile f = open(mode, p, true); DataFile g = open(mode, shm.resolve("g"), true)) {
            assertThrows(IllegalArgumentException.class, () -> g.copyFrom(f, -1));
            assertThrows(IllegalArgumentException.class, () -> f.copyFrom(f, 10));
        }
    }
}
