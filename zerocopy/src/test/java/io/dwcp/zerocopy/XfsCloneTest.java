package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.zerocopy.DataFile.CopyKind;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a file system that shares extents, {@link DataFile#copyFrom} clones: a small XFS ({@code reflink=1}) is made
 * in a loop image and mounted for the test. That needs root, {@code mkfs.xfs} (xfsprogs) and loop mounts; each
 * missing piece skips the test and says which. The mount and image are always removed.
 */
class XfsCloneTest {
    /** mkfs.xfs (xfsprogs 5.19 on) refuses file systems under 300 MB; the image is sparse, so this costs little. */
    private static final long IMAGE = 300L << 20;

    private static Path base;
    private static Path mnt;
    private static boolean mounted;

    @BeforeAll
    static void mountXfs() throws Exception {
        assumeTrue(IoPaths.select(IoMode.AUTO).confinement() != IoPaths.Confinement.PORTABLE, "no native files");
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "mounting a loop image needs root");
        String mkfs = findMkfs();
        if (mkfs == null) {
            // As root (CI), the project's script installs xfsprogs from Debian, as the benchmarks do their tools.
            Path script = Path.of(System.getProperty("user.dir")).resolveSibling("scripts").resolve("install-tools.sh");
            if (Files.isExecutable(script)) {
                Process install = new ProcessBuilder(script.toString(), "mkfs.xfs")
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                if (!install.waitFor(300, TimeUnit.SECONDS)) {
                    install.destroyForcibly();
                }
                mkfs = findMkfs();
            }
        }
        assumeTrue(mkfs != null, "mkfs.xfs not installed and scripts/install-tools.sh could not install it "
                + "(apt-get install xfsprogs)");
        base = TestFiles.diskScratchDir("dwcp-zc-xfs");
        Path image = base.resolve("xfs.img");
        mnt = Files.createDirectory(base.resolve("mnt"));
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(IMAGE);
        }
        String out = run(mkfs, "-q", "-m", "reflink=1", image.toString());
        assumeTrue(out == null, "mkfs.xfs failed: " + out);
        out = run("mount", "-o", "loop", image.toString(), mnt.toString());
        assumeTrue(out == null, "loop mount refused here: " + out);
        mounted = true;
        assumeTrue("xfs".equals(TestFiles.fsType(mnt)), "mounted, but not as xfs: " + TestFiles.fsType(mnt));
    }

    @AfterAll
    static void unmount() throws Exception {
        if (mounted && run("umount", mnt.toString()) != null) {
            run("umount", "-l", mnt.toString()); // lazily, so the image can go even if something still holds it
        }
        TestFiles.deleteTree(base);
    }

    /** Runs a command; null on success, else its exit status and output. */
    private static String findMkfs() {
        return List.of("/usr/sbin/mkfs.xfs", "/sbin/mkfs.xfs", "/usr/bin/mkfs.xfs").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timeout command=" + command[0];
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? null : "exit=" + p.exitValue() + " command=" + command[0] + " output=" + out;
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
