package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.testsupport.XfsLoopImage;
import io.dwcp.zerocopy.DataFile.CopyKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a file system that shares extents, {@link DataFile#copyFrom} clones: a small XFS ({@code reflink=1}) is made
 * in a loop image and mounted for the test. That needs root, {@code mkfs.xfs} (xfsprogs) and loop mounts; each
 * missing piece skips the test and says which. The mount and image are always removed.
 */
class XfsCloneTest {
    private static XfsLoopImage xfs;
    private static Path mnt;

    @BeforeAll
    static void mountXfs() throws Exception {
        assumeTrue(IoPaths.select(IoMode.AUTO).confinement() != IoPaths.Confinement.PORTABLE, "no native files");
        xfs = XfsLoopImage.mount("dwcp-zc-xfs");
        mnt = xfs.directory();
        assumeTrue("xfs".equals(TestFiles.fsType(mnt)), "mounted, but not as xfs: " + TestFiles.fsType(mnt));
    }

    @AfterAll
    static void unmount() throws Exception {
        if (xfs != null) {
            xfs.close();
        }
    }

    @Test
    void wholeFilesAndPrefixesAreCloned() throws IOException {
        byte[] bytes = CopyFromTest.random((1 << 20) + 17, 17);
        Path src = mnt.resolve("src");
        Files.write(src, bytes);
        assertEquals(CopyKind.CLONE, CopyFromTest.copy(IoMode.AUTO, src, mnt.resolve("whole"), bytes.length));
        assertArrayEquals(bytes, Files.readAllBytes(mnt.resolve("whole")));
        // a block-aligned prefix is one FICLONERANGE; an unaligned one shares its whole blocks and copies the tail
        for (int length : new int[] {262_144, 300_001}) {
            Path dst = mnt.resolve("prefix-" + length);
            assertEquals(CopyKind.CLONE, CopyFromTest.copy(IoMode.AUTO, src, dst, length), "length=" + length);
            assertArrayEquals(Arrays.copyOf(bytes, length), Files.readAllBytes(dst));
        }
        Path empty = mnt.resolve("empty");
        Files.write(empty, new byte[0]);
        assertEquals(CopyKind.CLONE, CopyFromTest.copy(IoMode.AUTO, empty, mnt.resolve("empty-copy"), 0));
        CopyKind portable = CopyFromTest.copy(IoMode.PORTABLE, src, mnt.resolve("portable"), bytes.length);
        assertEquals(CopyKind.USER_COPY, portable);
        assertArrayEquals(bytes, Files.readAllBytes(mnt.resolve("portable")));
    }

    @Test
    void aSparseFileIsClonedHolesAndAll() throws IOException {
        Path src = mnt.resolve("sparse");
        long size = 6L << 20;
        TestFiles.sparse(src, size, new long[][] {{0, 65536}, {4L << 20, 65536}}, 19);
        Path dst = mnt.resolve("sparse-copy");
        assertEquals(CopyKind.CLONE, CopyFromTest.copy(IoMode.AUTO, src, dst, size));
        assertArrayEquals(Files.readAllBytes(src), Files.readAllBytes(dst));
        System.out.println("holes fs=xfs kind=CLONE size=" + size + " source_allocated=" + CopyFromTest.allocated(src)
                + " copy_allocated=" + CopyFromTest.allocated(dst));
    }
}
