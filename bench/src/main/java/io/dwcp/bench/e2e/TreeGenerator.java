package io.dwcp.bench.e2e;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Writes a seeded tree like a source or dataset tree (see {@link TreePlan}) for the gen-tree workloads, and
 * rewrites a seeded 1% of its files for gen-tree-1pct. Runnable on its own, to make the same tree by hand:
 * {@code java -cp bench/target/benchmarks.jar io.dwcp.bench.e2e.TreeGenerator --seed 1 --files 100000 --dirs 5000 --out DIR}.
 */
public final class TreeGenerator implements AutoCloseable {
    private static final int BUFFER = (int) TreePlan.MAX_SIZE + 8;
    /** The generator's buffers, freed when it closes rather than whenever the collector gets to them. */
    private final Arena arena = Arena.ofConfined();
    private final ByteBuffer buf = arena.allocate(BUFFER, 8).asByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);

    private TreeGenerator() {}

    @Override
    public void close() {
        arena.close();
    }

    /** Writes plan below root, which must not exist or be empty. Times and modes are set last, deepest first. */
    static TreePlan.Summary generate(Path root, TreePlan plan) throws IOException {
        if (Files.isDirectory(root)) {
            try (var s = Files.list(root)) {
                if (s.findAny().isPresent()) {
                    throw new IOException(root + " is not empty");
                }
            }
        }
        try (TreeGenerator g = new TreeGenerator()) {
            for (TreePlan.Dir d : plan.dirs) {
                Files.createDirectories(root.resolve(d.path()));
            }
            for (TreePlan.File f : plan.files) {
                if (Processes.closing()) {
                    throw new IOException("interrupted");
                }
                Path p = root.resolve(f.path());
                g.write(p, f.size(), f.contentSeed(), f.text(), StandardOpenOption.CREATE_NEW);
                setModeAndTime(p, f.mode(), f.mtimeNanos());
            }
            for (TreePlan.HardLink h : plan.hardLinks) {
                Files.createLink(root.resolve(h.path()), root.resolve(plan.files.get(h.file()).path()));
            }
            for (TreePlan.Symlink l : plan.symlinks) {
                Path p = root.resolve(l.path());
                Files.createSymbolicLink(p, Path.of(l.target()));
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.from(l.mtimeNanos(), TimeUnit.NANOSECONDS), null, null);
            }
            // Creating entries changed the directories' times: set them once nothing more is created.
            List<TreePlan.Dir> dirs = plan.dirs;
            for (int i = dirs.size() - 1; i >= 0; i--) {
                setModeAndTime(root.resolve(dirs.get(i).path()), dirs.get(i).mode(), dirs.get(i).mtimeNanos());
            }
            return plan.summary();
        }
    }

    private static void setModeAndTime(Path p, int mode, long mtimeNanos) throws IOException {
        Files.setAttribute(p, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
        Files.setLastModifiedTime(p, FileTime.from(mtimeNanos, TimeUnit.NANOSECONDS));
    }

    private void write(Path p, long size, long seed, boolean text, StandardOpenOption how) throws IOException {
        TreeContent.fill(buf, (int) size, seed, text);
        try (FileChannel ch = FileChannel.open(p, how, StandardOpenOption.WRITE)) {
            long at = 0;
            while (buf.hasRemaining()) {
                at += ch.write(buf, at);
            }
        }
    }

    /** What one rewrite changed. */
    record Changes(int files, long bytes) {}

    /**
     * Rewrites a fraction of the non-empty files of a tree written from plan: same size, new content, a new mtime
     * after every generated one (so a size-and-time check sees them). Which files, their content and times follow
     * from the plan's seed and round alone, so every round has its own change set and a rerun repeats it. In place,
     * so second names (hard links) see the change too.
     */
    static Changes rewrite(Path root, TreePlan plan, double fraction, long round) throws IOException {
        SplittableRandom r = new SplittableRandom(plan.seed ^ (round * 0x9E3779B97F4A7C15L + 0x5851F42D4C957F2DL));
        List<TreePlan.File> files = plan.files;
        long nonEmpty = files.stream().filter(f -> f.size() > 0).count();
        long want = Math.min(nonEmpty, Math.max(1, Math.round(files.size() * fraction)));
        Set<Integer> chosen = new LinkedHashSet<>();
        while (chosen.size() < want) {
            int i = r.nextInt(files.size());
            if (files.get(i).size() > 0) {
                chosen.add(i);
            }
        }
        try (TreeGenerator g = new TreeGenerator()) {
            ByteBuffer old = g.arena.allocate(BUFFER, 8).asByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long bytes = 0;
            for (int i : chosen) {
                TreePlan.File f = files.get(i);
                Path p = root.resolve(f.path());
                long seed = r.nextLong();
                long mtime = (TreePlan.TIME_END_SECONDS + round * 3600 + r.nextInt(3600)) * 1_000_000_000L + r.nextInt(1_000_000_000);
                boolean readOnly = (f.mode() & 0200) == 0 && !Files.isWritable(p);
                if (readOnly) {
                    Files.setAttribute(p, "unix:mode", f.mode() | 0200);
                }
                TreeContent.fill(g.buf, (int) f.size(), seed, f.text());
                read(p, old, (int) f.size());
                if (old.equals(g.buf)) {
                    // Rare for a tiny file, but then the round would move a file that did not change.
                    g.buf.put(0, (byte) ~g.buf.get(0));
                }
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    long at = 0;
                    while (g.buf.hasRemaining()) {
                        at += ch.write(g.buf, at);
                    }
                }
                setModeAndTime(p, f.mode(), mtime);
                bytes += f.size();
            }
            return new Changes(chosen.size(), bytes);
        }
    }

    private static void read(Path p, ByteBuffer into, int n) throws IOException {
        into.clear().limit(n);
        try (FileChannel ch = FileChannel.open(p)) {
            while (into.hasRemaining() && ch.read(into, into.position()) >= 0) {
                // until full or at the end
            }
        }
        into.flip();
    }

    public static void main(String[] args) {
        long seed = 1;
        int files = 100_000;
        int dirs = 5_000;
        Path out = null;
        boolean dryRun = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--files" -> files = Integer.parseInt(args[++i]);
                    case "--dirs" -> dirs = Integer.parseInt(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--dry-run" -> dryRun = true;
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
                }
            }
            if (out == null && !dryRun) {
                throw new IllegalArgumentException("--out DIR is required (or --dry-run to print the summary only)");
            }
        } catch (RuntimeException e) {
            System.err.println("TreeGenerator: " + e.getMessage() + "\nusage: TreeGenerator [--seed N] [--files N] [--dirs N]"
                    + " (--out DIR | --dry-run)   defaults: seed 1, 100000 files, 5000 directories");
            System.exit(1);
            return;
        }
        try {
            long t0 = System.nanoTime();
            TreePlan plan = TreePlan.of(seed, files, dirs);
            TreePlan.Summary s = dryRun ? plan.summary() : generate(out, plan);
            System.out.println((dryRun ? "would write " : "wrote " + out + ": ") + s.describe()
                    + Fmt.s(" (%.1f s)", (System.nanoTime() - t0) / 1e9));
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("TreeGenerator: " + e.getMessage());
            System.exit(1);
        }
    }
}
