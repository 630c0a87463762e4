package io.dwcp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeGeneratorTest {
    @TempDir
    Path tmp;

    /**
     * One line per entry, sorted: path, type, size, mode, mtime in ns, link target, the first path of its inode
     * (hard links share it) and a CRC of the content. Equal listings: the same tree, bit for bit and in metadata.
     */
    static List<String> listing(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> s = Files.walk(root)) {
            paths = s.sorted().toList();
        }
        Map<Object, String> inodeGroup = new HashMap<>();
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            String rel = root.relativize(p).toString();
            String type = a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : "f";
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
            String extra = "";
            if (a.isSymbolicLink()) {
                extra = "-> " + Files.readSymbolicLink(p);
            } else if (a.isRegularFile()) {
                CRC32 crc = new CRC32();
                crc.update(Files.readAllBytes(p));
                extra = "inode of " + inodeGroup.computeIfAbsent(a.fileKey(), k -> rel) + " crc " + Long.toHexString(crc.getValue());
            }
            out.add(String.join(" | ", rel, type, a.isRegularFile() ? Long.toString(a.size()) : "-", Integer.toOctalString(mode),
                    Long.toString(a.lastModifiedTime().to(TimeUnit.NANOSECONDS)), extra));
        }
        return out;
    }

    private static long count(List<String> listing, String type) {
        return listing.stream().filter(l -> l.split(" \\| ")[1].equals(type)).count();
    }

    @Test
    void theSameSeedGivesTheSameTreeAndAnotherSeedAnotherOne() throws IOException {
        TreeGenerator.generate(tmp.resolve("a"), TreePlan.of(7, 600, 40));
        TreeGenerator.generate(tmp.resolve("b"), TreePlan.of(7, 600, 40));
        TreeGenerator.generate(tmp.resolve("c"), TreePlan.of(8, 600, 40));
        List<String> a = listing(tmp.resolve("a"));
        assertEquals(a, listing(tmp.resolve("b")));
        assertNotEquals(a, listing(tmp.resolve("c")));
        assertTrue(a.stream().filter(l -> Long.parseLong(l.split(" \\| ")[4]) % 1000 != 0).count() > a.size() / 2,
                "mtimes carry nanoseconds, not only microseconds");
    }

    @Test
    void countsFollowFilesAndDirs() throws IOException {
        Path root = tmp.resolve("t");
        TreePlan.Summary s = TreeGenerator.generate(root, TreePlan.of(1, 2000, 100));
        List<String> l = listing(root);
        assertEquals(101, count(l, "d"), "100 directories and the root");
        assertEquals(2000 + s.hardLinks(), count(l, "f"));
        assertEquals(2000, l.stream().filter(x -> x.contains("| f |")).map(x -> x.replaceAll(".*inode of (.*) crc.*", "$1"))
                .distinct().count(), "2000 distinct inodes");
        assertEquals(20, s.hardLinks());
        assertEquals(20, count(l, "l"));
        assertEquals(s.names(), count(l, "f") + count(l, "l"));
        assertTrue(s.emptyFiles() >= 1 && l.stream().anyMatch(x -> x.contains("| f | 0 |")), "an empty file");
        assertTrue(s.emptyDirs() >= 1, "an empty directory");
        try (Stream<Path> dirs = Files.walk(root)) {
            assertTrue(dirs.filter(Files::isDirectory).anyMatch(d -> d.toFile().list().length == 0), "an empty directory on disk");
        }
        assertEquals(s.bytes(), TreePlan.of(1, 2000, 100).files.stream().mapToLong(TreePlan.File::size).sum());
        for (String mode : List.of("644", "755", "600", "444")) {
            assertTrue(l.stream().anyMatch(x -> x.contains("| f |") && x.split(" \\| ")[3].equals(mode)), "a file with mode " + mode);
        }
    }

    @Test
    void sizesAreLikeASourceTree() {
        TreePlan p = TreePlan.of(1, 100_000, 5_000);
        long[] sizes = p.files.stream().mapToLong(TreePlan.File::size).sorted().toArray();
        long median = sizes[sizes.length / 2];
        assertTrue(median >= 2048 && median <= 8192, "median " + median);
        assertTrue(sizes[0] == 0 && sizes[sizes.length - 1] <= TreePlan.MAX_SIZE, "empty files, none above 8 MiB");
        assertTrue(sizes[sizes.length - 1] > (1L << 20), "a long tail: the largest is " + sizes[sizes.length - 1]);
        long total = Arrays.stream(sizes).sum();
        assertTrue(total > 0.85 * (1L << 30) && total < 1.15 * (1L << 30), "about 1 GiB in 100,000 files: " + total);
        TreePlan.Summary s = p.summary();
        assertTrue(s.maxDepth() >= 6 && s.maxDepth() <= TreePlan.MAX_DEPTH, "depth " + s.maxDepth());
        assertTrue(s.textFiles() > 20_000 && s.textFiles() < 40_000, "about 30% text: " + s.textFiles());
    }

    @Test
    void symlinksOfEveryKindAndHardLinksAcrossDirectories() throws IOException {
        Path root = tmp.resolve("t");
        TreePlan plan = TreePlan.of(3, 2000, 100);
        TreeGenerator.generate(root, plan);
        List<TreePlan.Symlink> links = plan.symlinks;
        assertTrue(links.stream().anyMatch(l -> l.target().startsWith("/")), "absolute");
        assertTrue(links.stream().anyMatch(l -> l.target().startsWith("../../") && l.target().contains("outside/")), "out of the tree");
        assertTrue(links.stream().anyMatch(l -> !l.target().startsWith("/") && !Files.exists(root.resolve(l.path()))), "dangling");
        Path real = root.toRealPath();
        long inTree = 0;
        for (TreePlan.Symlink l : links) {
            Path p = root.resolve(l.path());
            inTree += !l.target().startsWith("/") && Files.isRegularFile(p) && p.toRealPath().startsWith(real) ? 1 : 0;
        }
        assertTrue(inTree > 0, "relative, to a file of the tree");
        for (TreePlan.Symlink l : links) {
            assertEquals(l.target(), Files.readSymbolicLink(root.resolve(l.path())).toString());
        }
        assertTrue(plan.hardLinks.stream().anyMatch(h -> h.dir() != plan.files.get(h.file()).dir()), "a link in another directory");
        for (TreePlan.HardLink h : plan.hardLinks) {
            assertTrue(Files.isSameFile(root.resolve(h.path()), root.resolve(plan.files.get(h.file()).path())));
        }
    }

    @Test
    void aRewriteChangesOnePercentInPlaceAndRepeatsForTheSameRound() throws IOException {
        TreePlan plan = TreePlan.of(5, 1000, 50);
        TreeGenerator.generate(tmp.resolve("a"), plan);
        TreeGenerator.generate(tmp.resolve("b"), plan);
        List<String> before = listing(tmp.resolve("a"));
        TreeGenerator.Changes c = TreeGenerator.rewrite(tmp.resolve("a"), plan, 0.01, 1);
        TreeGenerator.rewrite(tmp.resolve("b"), plan, 0.01, 1);
        List<String> after = listing(tmp.resolve("a"));
        assertEquals(after, listing(tmp.resolve("b")), "the same round, the same change set");
        assertEquals(10, c.files());
        assertEquals(before.size(), after.size());
        int changedNames = 0;
        for (int i = 0; i < before.size(); i++) {
            String[] x = before.get(i).split(" \\| ");
            String[] y = after.get(i).split(" \\| ");
            if (!before.get(i).equals(after.get(i))) {
                changedNames++;
                assertEquals("f", x[1]);
                assertEquals(x[2], y[2], "same size");
                assertEquals(x[3], y[3], "same mode");
                assertNotEquals(x[4], y[4], "new mtime");
                assertNotEquals(x[5].replaceAll(".* crc ", ""), y[5].replaceAll(".* crc ", ""), "new content");
                assertEquals(x[5].replaceAll(" crc .*", ""), y[5].replaceAll(" crc .*", ""), "same inode group: rewritten in place");
            }
        }
        assertTrue(changedNames >= 10, "10 files and any second names of them: " + changedNames);
        TreeGenerator.rewrite(tmp.resolve("a"), plan, 0.01, 2);
        assertNotEquals(after, listing(tmp.resolve("a")), "the next round changes again");
    }

    @Test
    void theContentCheckLeavesSymlinksToTheFidelityCheck() throws Exception {
        Path src = tmp.resolve("s");
        Files.createDirectories(src.resolve("d"));
        Files.createSymbolicLink(src.resolve("d/link"), Path.of("/etc/hostname"));
        Files.writeString(src.resolve("d/file"), "x");
        assertTrue(Verifier.aboutSymlink("Only in " + src + "/d: link", src));
        assertTrue(Verifier.aboutSymlink("Symbolic links " + src + "/d/l and /x/d/l differ", src));
        assertTrue(Verifier.aboutSymlink("File " + src + "/d/link is a symbolic link while file /x/d/link is a regular file", src));
        assertTrue(!Verifier.aboutSymlink("Only in " + src + "/d: file", src), "a missing file is a wrong result");
        assertTrue(!Verifier.aboutSymlink("Only in /x/d: link", src), "an extra entry at the destination is too");
        assertTrue(!Verifier.aboutSymlink("Files " + src + "/d/file and /x/d/file differ", src));
    }
}
