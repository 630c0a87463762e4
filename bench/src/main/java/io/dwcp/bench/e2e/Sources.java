package io.dwcp.bench.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the workloads' sources on tmpfs: a random file, a file and its new version ({@link FilePair}), a tree of
 * small random files, a seeded tree like a source or dataset tree ({@link TreeGenerator}), or a copy of a real directory (so that every tool reads the same
 * tmpfs source). Seeded, so every run of the benchmark moves the same sizes.
 */
final class Sources {
    /** Tree file sizes are uniform in [0, 8 KiB]: a 4 KiB mean with empty and sub-page files among them. */
    static final int TREE_MAX_FILE = 8192;

    private Sources() {}

    static Source create(Workload w, Path dir, BenchOptions o, int timeoutSeconds) throws BenchException {
        Path p = dir.resolve(w.sourceName());
        try {
            Files.createDirectories(dir);
            switch (w.kind()) {
                case FILE -> randomFile(p, (long) w.sizeMib() << 20, new SplittableRandom(w.sizeMib()));
                case FILE_PAIR -> {
                    Source s = FilePair.create(p, (long) w.sizeMib() << 20, o.seed());
                    Log.info("generated " + p + " and " + s.basis().getFileName() + ": " + s.note());
                    return s;
                }
                case TREE -> tree(p, o.files(), o.perDir(), new SplittableRandom(42));
                case REAL_TREE -> copy(o.realTree(), p, timeoutSeconds);
                case GEN_TREE -> {
                    TreePlan.Summary s = TreeGenerator.generate(p, genTreePlan(o));
                    Log.info("generated " + p + ": " + s.describe());
                    return new Source(p, s.bytes(), s.names(), s.hardLinkBytes(), s.describe());
                }
            }
            long[] counted = count(p);
            return new Source(p, counted[1], counted[0]);
        } catch (IOException e) {
            throw new BenchException("cannot create the source " + p + ": " + e.getMessage(), e);
        }
    }

    /** The plan of the gen-tree source; recomputed when needed (cheap), since the seed fixes it. */
    static TreePlan genTreePlan(BenchOptions o) {
        return TreePlan.of(o.seed(), o.files(), o.dirs());
    }

    static void randomFile(Path p, long size, SplittableRandom random) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long left = size;
            while (left > 0 && !Processes.closing()) {
                fill(buf, (int) Math.min(left, buf.capacity()), random);
                while (buf.hasRemaining()) {
                    left -= ch.write(buf);
                }
            }
        }
    }

    static void fill(ByteBuffer buf, int n, SplittableRandom random) {
        buf.clear();
        while (buf.position() + 8 <= n) {
            buf.putLong(random.nextLong());
        }
        while (buf.position() < n) {
            buf.put((byte) random.nextInt());
        }
        buf.flip();
    }

    static void tree(Path root, int files, int perDir, SplittableRandom random) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(TREE_MAX_FILE + 8).order(ByteOrder.LITTLE_ENDIAN);
        Path d = null;
        for (int i = 0; i < files && !Processes.closing(); i++) {
            if (i % perDir == 0) {
                d = Files.createDirectories(root.resolve(Fmt.s("d%04d", i / perDir)));
            }
            fill(buf, random.nextInt(TREE_MAX_FILE + 1), random);
            try (FileChannel ch = FileChannel.open(d.resolve(Fmt.s("f%06d", i)), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        }
    }

    private static void copy(Path from, Path to, int timeoutSeconds) throws IOException {
        if (!Files.isDirectory(from)) {
            throw new IOException("REAL_TREE " + from + " is not a directory");
        }
        Log.info("copying " + from + " to " + to + " (cp -a, untimed)");
        if (Processes.output(List.of("cp", "-a", "--", from.toString(), to.toString()), null, timeoutSeconds) == null) {
            throw new IOException("cp -a " + from + " " + to + " failed");
        }
    }

    /** {files, bytes} of the regular files at or below p, links not followed. */
    static long[] count(Path p) throws IOException {
        long[] n = new long[2];
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
                if (a.isRegularFile()) {
                    n[0]++;
                    n[1] += a.size();
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return n;
    }

    /** Deletes p and everything below it (links are deleted, not followed); a missing p is fine. */
    static void delete(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Empties a directory (a tool's destination), keeping the directory itself. */
    static void clear(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var s = Files.list(dir)) {
            for (Path c : s.toList()) {
                delete(c);
            }
        }
    }
}
