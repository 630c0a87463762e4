package io.dwcp.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A small XFS with {@code reflink=1}, made in a sparse loop image and mounted, for tests of what a file system that
 * shares extents does. It needs root, {@code mkfs.xfs} (xfsprogs; as root the project's
 * {@code scripts/install-tools.sh} installs it, as it does the benchmarks' tools) and loop mounts: each missing piece
 * skips the test and says which. {@link #close()} unmounts and removes the image.
 */
public final class XfsLoopImage implements AutoCloseable {
    /** mkfs.xfs (xfsprogs 5.19 on) refuses file systems under 300 MB; the image is sparse, so this costs little. */
    private static final long IMAGE_BYTES = 300L << 20;

    private final Path base;
    private final Path mountPoint;
    private boolean mounted;

    private XfsLoopImage(Path base) throws IOException {
        this.base = base;
        this.mountPoint = Files.createDirectory(base.resolve("mnt"));
    }

    /**
     * Makes and mounts the file system in a new directory named after {@code prefix}, on disk (under /var/tmp when it
     * can), or skips the calling test with the reason.
     */
    public static XfsLoopImage mount(String prefix) throws IOException, InterruptedException {
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "mounting a loop image needs root");
        String mkfs = mkfs();
        if (mkfs == null) {
            Path script = Path.of(System.getProperty("user.dir")).resolveSibling("scripts").resolve("install-tools.sh");
            if (Files.isExecutable(script)) {
                run(script.toString(), "mkfs.xfs");
                mkfs = mkfs();
            }
        }
        assumeTrue(mkfs != null, "mkfs.xfs not installed and scripts/install-tools.sh could not install it "
                + "(apt-get install xfsprogs)");
        Path varTmp = Path.of("/var/tmp");
        Path base = Files.isDirectory(varTmp) && Files.isWritable(varTmp) ? Files.createTempDirectory(varTmp, prefix)
                : Files.createTempDirectory(prefix);
        XfsLoopImage xfs = new XfsLoopImage(base);
        try {
            Path image = base.resolve("xfs.img");
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.setLength(IMAGE_BYTES);
            }
            String out = run(mkfs, "-q", "-m", "reflink=1", image.toString());
            assumeTrue(out == null, "mkfs.xfs failed: " + out);
            out = run("mount", "-o", "loop", image.toString(), xfs.mountPoint.toString());
            assumeTrue(out == null, "loop mount refused here: " + out);
            xfs.mounted = true;
            return xfs;
        } catch (RuntimeException | IOException | InterruptedException e) {
            xfs.close(); // a skip is an exception too: nothing is left behind
            throw e;
        }
    }

    /** The mounted file system's root. */
    public Path directory() {
        return mountPoint;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (mounted && run("umount", mountPoint.toString()) != null) {
            run("umount", "-l", mountPoint.toString()); // lazily, so the image can go even if something still holds it
        }
        mounted = false;
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String mkfs() {
        return List.of("/usr/sbin/mkfs.xfs", "/sbin/mkfs.xfs", "/usr/bin/mkfs.xfs").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    }

    /** Runs a command; null on success, else its exit status and output. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timeout command=" + command[0];
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? null : "exit=" + p.exitValue() + " command=" + command[0] + " output=" + out;
    }
}
