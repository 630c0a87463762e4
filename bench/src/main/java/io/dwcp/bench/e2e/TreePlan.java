package io.dwcp.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The layout of a generated tree (names, sizes, modes, times, links, content seeds), computed from a seed alone
 * and without touching the disk, so that the generator, the 1% rewrite and the tests agree on it; the same seed
 * gives the same plan in every JVM (SplittableRandom's sequences, nextGaussian included, are specified).
 */
final class TreePlan {
    static final int MAX_DEPTH = 8;
    /** Log-normal sizes: median 4 KiB; sigma 1.39 makes the mean about 10.7 KB, so 100,000 files are about 1 GiB. */
    static final double MEDIAN_SIZE = 4096;
    static final double SIGMA = 1.39;
    static final long MAX_SIZE = 8L << 20;
    /** Times lie in the 5 years before this fixed instant (2026-01-01 UTC), not before "now": a seed fixes them. */
    static final long TIME_END_SECONDS = 1_767_225_600L;
    static final long TIME_SPAN_SECONDS = 5L * 365 * 86_400;
    static final String[] ABSOLUTE_TARGETS = {"/etc/hostname", "/etc/os-release", "/usr/bin/env", "/dev/null", "/tmp"};
    private static final String[] DIR_WORDS = {"src", "lib", "test", "data", "docs", "build", "pkg", "util", "core", "api",
        "internal", "assets", "vendor", "cmd", "tools", "img", "raw", "shard", "cache", "conf"};
    private static final String[] STEMS = {"main", "index", "util", "part", "report", "sample", "log", "model", "chunk",
        "record", "frame", "notes", "table", "page", "batch", "module", "item", "block"};
    private static final String[] TEXT_EXT = {".txt", ".c", ".java", ".py", ".md", ".json", ".csv", ".h"};
    private static final String[] BINARY_EXT = {".bin", ".dat", ".gz", ".png", ".o", ".parquet", ""};

    /** The root is dir 0 with path "". Paths are relative to the root, '/'-separated. */
    record Dir(String path, int parent, int depth, int mode, long mtimeNanos) {}

    record File(String path, int dir, long size, int mode, long mtimeNanos, boolean text, long contentSeed) {}

    /** A second name for files.get(file). */
    record HardLink(String path, int dir, int file) {}

    record Symlink(String path, int dir, String target, long mtimeNanos) {}

    final long seed;
    final List<Dir> dirs = new ArrayList<>();
    final List<File> files = new ArrayList<>();
    final List<HardLink> hardLinks = new ArrayList<>();
    final List<Symlink> symlinks = new ArrayList<>();
    private final SplittableRandom rng;
    private int[] nextOrdinal;

    private TreePlan(long seed) {
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
    }

    /** files regular files (distinct inodes) in dirs directories below the root, plus ~1% hard links and ~1% symlinks. */
    static TreePlan of(long seed, int files, int dirs) {
        if (files < 1 || dirs < 1) {
            throw new IllegalArgumentException("need at least one file and one directory, got " + files + " and " + dirs);
        }
        TreePlan p = new TreePlan(seed);
        p.makeDirs(dirs);
        double[] cumulative = p.placementWeights();
        p.makeFiles(files, cumulative);
        p.makeHardLinks(Math.max(1, Math.round(files * 0.01f)), cumulative);
        p.makeSymlinks(Math.max(1, Math.round(files * 0.01f)), cumulative);
        return p;
    }

    /**
     * A random tree by preferential attachment: a directory with many subdirectories tends to get more (varied
     * fan-out: most are leaves, a few hold dozens), and depths peak around 4-5 and reach MAX_DEPTH for 5,000.
     */
    private void makeDirs(int count) {
        nextOrdinal = new int[count + 1];
        dirs.add(new Dir("", -1, 0, 0755, time()));
        List<Integer> pool = new ArrayList<>(List.of(0));
        for (int i = 1; i <= count; i++) {
            int p = pool.get(rng.nextInt(pool.size()));
            while (dirs.get(p).depth() >= MAX_DEPTH) {
                p = dirs.get(p).parent();
            }
            Dir parent = dirs.get(p);
            String name = DIR_WORDS[rng.nextInt(DIR_WORDS.length)] + nextOrdinal[p]++;
            int r = rng.nextInt(100);
            int mode = r < 85 ? 0755 : r < 95 ? 0750 : 0700;
            dirs.add(new Dir(child(parent.path(), name), p, parent.depth() + 1, mode, time()));
            pool.add(i);
            pool.add(p);
        }
    }

    /**
     * Cumulative weights of the directories that receive entries: log-normal, so some directories are crowded and
     * some hold a file or two; about 0.2% of the leaf directories (at least one) get nothing and stay empty.
     */
    private double[] placementWeights() {
        boolean[] hasChild = new boolean[dirs.size()];
        for (Dir d : dirs) {
            if (d.parent() >= 0) {
                hasChild[d.parent()] = true;
            }
        }
        List<Integer> leaves = new ArrayList<>();
        for (int i = 1; i < dirs.size(); i++) {
            if (!hasChild[i]) {
                leaves.add(i);
            }
        }
        boolean[] empty = new boolean[dirs.size()];
        for (int k = Math.max(1, (dirs.size() - 1) / 500); k > 0 && !leaves.isEmpty(); k--) {
            empty[leaves.remove(rng.nextInt(leaves.size()))] = true;
        }
        double[] cumulative = new double[dirs.size()];
        double sum = 0;
        for (int i = 0; i < dirs.size(); i++) {
            sum += empty[i] ? 0 : i == 0 ? 1 : Math.exp(0.9 * rng.nextGaussian());
            cumulative[i] = sum;
        }
        return cumulative;
    }

    private int pickDir(double[] cumulative) {
        double u = rng.nextDouble() * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, u);
        i = i >= 0 ? i + 1 : -i - 1;
        // A zero-weight (empty) directory repeats its predecessor's sum and can never be the first index above u.
        return Math.min(i, cumulative.length - 1);
    }

    private void makeFiles(int count, double[] cumulative) {
        int emptyAt = count > 1000 ? 500 : count / 2;
        for (int i = 0; i < count; i++) {
            int d = pickDir(cumulative);
            boolean text = rng.nextInt(100) < 30;
            long size = i % 1000 == emptyAt ? 0
                    : Math.clamp(Math.round(MEDIAN_SIZE * Math.exp(SIGMA * rng.nextGaussian())), 1, MAX_SIZE);
            int r = rng.nextInt(100);
            int mode = r < 78 ? 0644 : r < 88 ? 0755 : r < 95 ? 0600 : 0444;
            String ext = text ? TEXT_EXT[rng.nextInt(TEXT_EXT.length)] : BINARY_EXT[rng.nextInt(BINARY_EXT.length)];
            r = rng.nextInt(100);
            // A few hidden files and names with a space, which tools must quote and keep.
            String stem = (r < 2 ? "." : "") + STEMS[rng.nextInt(STEMS.length)];
            String name = stem + nextOrdinal[d]++ + (r >= 98 ? " copy" : "") + ext;
            files.add(new File(child(dirs.get(d).path(), name), d, size, mode, time(), text, rng.nextLong()));
        }
    }

    /** A third of the second names sit beside the first, the rest in other directories. */
    private void makeHardLinks(long count, double[] cumulative) {
        for (int k = 0; k < count; k++) {
            int f = rng.nextInt(files.size());
            int d = k % 3 == 0 ? files.get(f).dir() : pickDir(cumulative);
            hardLinks.add(new HardLink(child(dirs.get(d).path(), "hl" + nextOrdinal[d]++ + ".lnk"), d, f));
        }
    }

    /**
     * Kinds in a fixed rotation, so that even a small tree has each: relative to a file or a directory of the tree,
     * absolute outside it, dangling, and relative but climbing out of the tree.
     */
    private void makeSymlinks(long count, double[] cumulative) {
        for (int k = 0; k < count; k++) {
            int d = pickDir(cumulative);
            String dir = dirs.get(d).path();
            String target = switch (k % 10) {
                case 0, 1, 2, 3, 4, 5 -> relative(dir, files.get(rng.nextInt(files.size())).path());
                case 6 -> relative(dir, dirs.get(rng.nextInt(dirs.size())).path());
                case 7 -> ABSOLUTE_TARGETS[rng.nextInt(ABSOLUTE_TARGETS.length)];
                case 8 -> "missing-" + rng.nextInt(1_000_000);
                default -> "../".repeat(dirs.get(d).depth() + 2) + "outside/" + STEMS[rng.nextInt(STEMS.length)];
            };
            symlinks.add(new Symlink(child(dir, "sl" + nextOrdinal[d]++), d, target, time()));
        }
    }

    private static String relative(String fromDir, String to) {
        String r = Path.of(fromDir).relativize(Path.of(to)).toString();
        return r.isEmpty() ? "." : r;
    }

    private static String child(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    private long time() {
        long s = TIME_END_SECONDS - 1 - rng.nextLong(TIME_SPAN_SECONDS);
        return s * 1_000_000_000L + rng.nextInt(1_000_000_000);
    }

    /** What a plan holds, for the log, the report and TreeGenerator's output. */
    record Summary(long seed, int files, int emptyFiles, int textFiles, int hardLinks, int symlinks, int dirs, int emptyDirs,
                   int maxDepth, long bytes, long hardLinkBytes, long medianSize, long maxSize) {
        /** Non-directory names: what a tool creates one by one (regular files, second names, symlinks). */
        long names() {
            return files + hardLinks + symlinks;
        }

        String describe() {
            return Fmt.s("seed %d: %d files (%d empty, %d text) + %d hard links + %d symlinks in %d directories (%d empty,"
                    + " depth <= %d); %d bytes (%s) in distinct files, median size %d B, largest %d B", seed, files, emptyFiles,
                    textFiles, hardLinks, symlinks, dirs, emptyDirs, maxDepth, bytes, Fmt.size(bytes), medianSize, maxSize);
        }
    }

    Summary summary() {
        long[] sizes = files.stream().mapToLong(File::size).sorted().toArray();
        boolean[] used = new boolean[dirs.size()];
        int maxDepth = 0;
        for (Dir d : dirs) {
            maxDepth = Math.max(maxDepth, d.depth());
            if (d.parent() >= 0) {
                used[d.parent()] = true;
            }
        }
        files.forEach(f -> used[f.dir()] = true);
        hardLinks.forEach(h -> used[h.dir()] = true);
        symlinks.forEach(l -> used[l.dir()] = true);
        int emptyDirs = 0;
        for (boolean u : used) {
            emptyDirs += u ? 0 : 1;
        }
        return new Summary(seed, files.size(), (int) Arrays.stream(sizes).filter(s -> s == 0).count(),
                (int) files.stream().filter(File::text).count(), hardLinks.size(), symlinks.size(), dirs.size() - 1, emptyDirs,
                maxDepth, Arrays.stream(sizes).sum(), hardLinks.stream().mapToLong(h -> files.get(h.file()).size()).sum(),
                sizes[(sizes.length - 1) / 2], sizes[sizes.length - 1]);
    }
}
