package io.dwcp.zerocopy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/** Scratch files for the tests: on tmpfs when there is one, sparse where large. */
final class TestFiles {
    private TestFiles() {
    }

    static Path scratchDir(String prefix) throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, prefix)
                : Files.createTempDirectory(prefix);
    }

    /** Scratch space on a disk file system (not tmpfs): {@code /var/tmp}, which systemd keeps off tmpfs. */
    static Path diskScratchDir(String prefix) throws IOException {
        Path varTmp = Path.of("/var/tmp");
        return Files.isDirectory(varTmp) && Files.isWritable(varTmp) ? Files.createTempDirectory(varTmp, prefix)
                : Files.createTempDirectory(prefix);
    }

    /** The file system type of {@code p}: tmpfs, ext4, xfs ... */
    static String fsType(Path p) throws IOException {
        return Files.getFileStore(p).type();
    }

    /** A sparse file of {@code size} with random bytes in each {@code [start, start+len)} of {@code regions}. */
    static void sparse(Path p, long size, long[][] regions, long seed) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(size);
            Random r = new Random(seed);
            for (long[] region : regions) {
                byte[] b = new byte[(int) region[1]];
                r.nextBytes(b);
                f.seek(region[0]);
                f.write(b);
            }
        }
    }

    static byte[] read(Path p, long offset, int len) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining() && ch.read(b, offset + b.position()) > 0) {
                // read until full or EOF
            }
            return b.array();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
