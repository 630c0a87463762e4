package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.Limits;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.FilterRules;
import io.dwcp.core.manifest.EntryKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceScannerTest {
    @TempDir
    Path dir;

    /** Creates {@code dir/bad<0xFF>name}: bytes that are not UTF-8, which Java cannot name directly. */
    private Path createNonUtf8Name() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "printf x > \"$(printf 'bad\\377name')\"").directory(dir.toFile())
                .inheritIO().start();
        assertEquals(0, p.waitFor());
        try (var s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().startsWith("bad")).findFirst().orElseThrow();
        }
    }

    @Test
    void aNameThatIsNotUtf8IsSkippedNotRenamed() throws Exception {
        createNonUtf8Name();
        Files.writeString(dir.resolve("good.txt"), "y");
        Files.writeString(dir.resolve("real-\uFFFD.txt"), "a genuine U+FFFD is a valid name");

        Manifest m = scan(dir + "/");

        assertEquals(List.of("", "good.txt", "real-\uFFFD.txt"), m.entries().stream().map(Entry::path).sorted().toList());
        assertEquals(1, m.skipped().size(), m.skipped()::toString);
        assertTrue(m.skipped().get(0).contains("reason=name-not-representable"), m.skipped()::toString);
    }

    @Test
    void anArgumentEndingInDotDotSendsTheContentsOfADirectoryWhoseNameIsNotUtf8() throws Exception {
        // As with rsync, "x/.." names no directory of its own: its contents are sent, and the name, which is not
        // text, never has to be.
        Path real = createNonUtf8Name();
        Files.delete(real);
        Files.createDirectories(real.resolve("sub"));
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), real.getFileName());

        Manifest m = scan(alias + "/sub/..");

        assertEquals(List.of("DIR ", "DIR sub"), kindsAndPaths(m.entries()));
        assertEquals(List.of(), m.skipped());
    }

    /**
     * A link is sent as itself, whatever it points at, but not one whose target is not UTF-8: sent as text, it would
     * point somewhere else (the walk once sent such a target with U+FFFD in it).
     */
    @Test
    void aLinkWhoseTargetIsNotUtf8IsSkippedNotChanged() throws Exception {
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), createNonUtf8Name().getFileName());
        Files.createSymbolicLink(dir.resolve("fine"), Path.of("real-\uFFFD"));

        Manifest one = scan(alias.toString());
        assertEquals(List.of(), one.entries());
        assertTrue(one.skipped().get(0).contains("reason=target-not-representable"), one.skipped()::toString);

        Manifest all = scan(dir + "/");
        assertTrue(all.entries().stream().noneMatch(e -> e.path().equals("alias")), all.entries()::toString);
        assertEquals("real-\uFFFD", all.entries().stream().filter(e -> e.path().equals("fine")).findFirst().orElseThrow()
                .linkTarget(), "a genuine U+FFFD in a target is sent");
        assertTrue(all.skipped().stream().anyMatch(l -> l.contains("alias") && l.contains("target-not-representable")),
                all.skipped()::toString);
    }

    /** As with rsync: {@code dir/}, {@code dir/.} and {@code dir/sub/..} send the contents; {@code dir} sends itself. */
    @Test
    void aLastComponentOfDotOrDotDotSendsTheContentsAsATrailingSlashDoes() throws Exception {
        Files.createDirectories(dir.resolve("b/inner"));
        Files.writeString(dir.resolve("b/inner/g"), "g");
        Files.writeString(dir.resolve("b/f"), "f");
        List<String> contents = kindsAndPaths(scan(dir + "/b/").entries());
        assertEquals(List.of("DIR ", "FILE f", "DIR inner", "FILE inner/g"), contents);
        assertEquals(contents, kindsAndPaths(scan(dir + "/b/.").entries()));
        assertEquals(contents, kindsAndPaths(scan(dir + "/b/inner/..").entries()));
        assertEquals(List.of("DIR b", "FILE b/f", "DIR b/inner", "FILE b/inner/g"),
                kindsAndPaths(scan(dir + "/b").entries()));
    }

    @Test
    void aDirectorysChildrenComeTogetherSortedThenItsSubdirectoriesAndListedClosesEach() throws Exception {
        Files.createDirectories(dir.resolve("b/inner"));
        Files.createDirectories(dir.resolve("a"));
        Files.writeString(dir.resolve("z.txt"), "z");
        Files.writeString(dir.resolve("a/f"), "f");
        Files.writeString(dir.resolve("b/inner/g"), "g");
        Manifest m = scan(new SourceScanner.Options(4096, FilterRules.NONE, false, true), dir + "/");
        assertEquals(List.of("DIR ", "DIR a", "DIR b", "FILE z.txt", "LISTED ", "FILE a/f", "LISTED a", "DIR b/inner",
                "LISTED b", "FILE b/inner/g", "LISTED b/inner"),
                m.entries().stream().map(e -> e.kind() + " " + e.path()).toList());
    }

    @Test
    void symlinksAreOfferedVerbatimWhateverTheyPointAt() throws Exception {
        Files.createDirectories(dir.resolve("d"));
        Files.createSymbolicLink(dir.resolve("d/abs"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(dir.resolve("d/dangling"), Path.of("no/such/thing"));
        Files.createSymbolicLink(dir.resolve("d/out"), Path.of("../../../../outside"));
        Files.createSymbolicLink(dir.resolve("d/in"), Path.of("../d/abs"));
        Manifest m = scan(dir + "/");
        assertEquals(List.of("d/abs -> /etc/hostname", "d/dangling -> no/such/thing", "d/in -> ../d/abs",
                "d/out -> ../../../../outside"), m.entries().stream().filter(e -> e.kind() == EntryKind.SYMLINK)
                .map(e -> e.path() + " -> " + e.linkTarget()).toList());
        assertEquals(List.of(), m.skipped());

        Manifest safe = scan(new SourceScanner.Options(4096, FilterRules.NONE, true, false), dir + "/");
        assertEquals(List.of("d/dangling", "d/in"), safe.entries().stream()
                .filter(e -> e.kind() == EntryKind.SYMLINK).map(Entry::path).toList());
        assertEquals(2, safe.skipped().size(), safe.skipped()::toString);
        assertTrue(safe.skipped().get(0).contains("reason=unsafe-link"), safe.skipped()::toString);
    }

    @Test
    void aFileWithSeveralNamesIsOfferedOnceAndThenAsHardLinks() throws Exception {
        Files.createDirectories(dir.resolve("x"));
        Files.writeString(dir.resolve("first"), "data");
        Files.createLink(dir.resolve("x/second"), dir.resolve("first"));
        Files.createLink(dir.resolve("x/third"), dir.resolve("first"));
        Manifest m = scan(dir + "/");
        assertEquals(List.of("FILE first ", "HARDLINK x/second first", "HARDLINK x/third first"), m.entries().stream()
                .filter(e -> e.kind() != EntryKind.DIR).map(e -> e.kind() + " " + e.path() + " " + e.linkTarget())
                .toList());
        assertEquals(1, m.sources().stream().filter(java.util.Objects::nonNull).count(), "only the first name is read");
    }

    @Test
    void mtimesKeepTheirNanosecondsAndFifosAreSpecialEntries() throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "x");
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(java.time.Instant.ofEpochSecond(1_700_000_000, 123_456_789)));
        Process p = new ProcessBuilder("mkfifo", dir.resolve("pipe").toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        Manifest m = scan(dir + "/");
        Entry file = m.entries().stream().filter(e -> e.path().equals("f")).findFirst().orElseThrow();
        assertEquals(1_700_000_000_123_456_789L, file.mtimeNanos());
        Entry fifo = m.entries().stream().filter(e -> e.path().equals("pipe")).findFirst().orElseThrow();
        assertEquals(EntryKind.SPECIAL, fifo.kind());
        assertEquals(0010000, fifo.mode() & 0170000);
    }

    @Test
    void batchesStopAtTheirEntryAndByteBounds() throws Exception {
        for (int i = 0; i < 10; i++) {
            Files.write(dir.resolve("f" + i), new byte[100]);
        }
        SourceScanner s = new SourceScanner(new SourceScanner.Options(4096), List.of(dir + "/"));
        assertEquals(3, s.next(3, Long.MAX_VALUE).entries().size());
        assertEquals(2, s.next(100, 150).entries().size(), "ends once its files total the byte bound");
        assertEquals(6, s.next(100, Long.MAX_VALUE).entries().size()); // 11 entries: DEST itself and 10 files
        assertEquals(null, s.next(100, Long.MAX_VALUE));
    }

    @Test
    void excludedDirectoriesHideTheirSubtreeAndTheirParentIsStillListed() throws Exception {
        Files.createDirectories(dir.resolve("keep/build/deep"));
        Files.writeString(dir.resolve("keep/build/deep/x.o"), "o");
        Files.writeString(dir.resolve("keep/a.o"), "o");
        Files.writeString(dir.resolve("keep/a.c"), "c");
        FilterRules rules = FilterRules.builder().exclude("build/").exclude("*.o").build();
        Manifest m = scan(new SourceScanner.Options(4096, rules, false, true), dir + "/");
        assertEquals(List.of("DIR ", "DIR keep", "LISTED ", "FILE keep/a.c", "LISTED keep"),
                m.entries().stream().map(e -> e.kind() + " " + e.path()).toList());
    }

    /** Every batch of a scan, joined. */
    /**
     * With several threads reading directories they finish in any order, and the offer follows: the same entries
     * as one thread offers, every directory before what it holds, its children together and sorted, its LISTED
     * after them, and every hard link after the name it points to.
     */
    @Test
    void directoriesReadInParallelKeepEveryOrderTheReceiverNeeds() throws Exception {
        java.util.Random r = new java.util.Random(42);
        List<Path> dirs = new java.util.ArrayList<>(List.of(dir));
        for (int i = 0; i < 300; i++) {
            Path parent = dirs.get(r.nextInt(dirs.size()));
            dirs.add(Files.createDirectories(parent.resolve("d" + i)));
        }
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            Path f = dirs.get(r.nextInt(dirs.size())).resolve("f" + i);
            if (i % 50 == 49) {
                Files.createLink(f, files.get(r.nextInt(files.size())));
            } else {
                Files.writeString(f, "x" + i);
            }
            files.add(f);
        }
        SourceScanner.Options delete = new SourceScanner.Options(4096, FilterRules.NONE, false, true);
        List<Entry> one = scan(1, delete, dir + "/").entries();
        for (int round = 0; round < 5; round++) {
            List<Entry> many = scan(4, delete, dir + "/").entries();
            assertEquals(kindsAndPaths(one).stream().sorted().toList(), kindsAndPaths(many).stream().sorted().toList(),
                    "the same entries, hard links aside (which name comes first may differ)");
            java.util.Map<String, Integer> at = new java.util.HashMap<>();
            for (int i = 0; i < many.size(); i++) {
                Entry e = many.get(i);
                if (e.kind() != EntryKind.LISTED) {
                    at.put(e.path(), i);
                }
            }
            for (int i = 0; i < many.size(); i++) {
                Entry e = many.get(i);
                if (e.kind() == EntryKind.LISTED) {
                    continue;
                }
                if (!e.path().isEmpty()) {
                    assertTrue(at.get(e.parent()) < i, "the directory before its child " + e.path());
                }
                if (e.kind() == EntryKind.HARDLINK) {
                    assertTrue(at.get(e.linkTarget()) < i, "the first name before the link " + e.path());
                }
            }
            // A directory's children, then its LISTED line, form one run in name order.
            for (int i = 0; i < many.size(); i++) {
                if (many.get(i).kind() != EntryKind.LISTED) {
                    continue;
                }
                String d = many.get(i).path();
                int j = i - 1;
                List<String> names = new java.util.ArrayList<>();
                while (j >= 0 && many.get(j).kind() != EntryKind.LISTED && !many.get(j).path().isEmpty()
                        && many.get(j).parent().equals(d)) {
                    names.add(0, many.get(j).name());
                    j--;
                }
                assertEquals(names.stream().sorted().toList(), names, "children of \"" + d + "\" in order");
                long children = many.stream().filter(e -> e.kind() != EntryKind.LISTED && !e.path().isEmpty()
                        && e.parent().equals(d)).count();
                assertEquals(children, names.size(), "children of \"" + d + "\" together, before its LISTED");
            }
        }
    }

    /**
     * A directory big enough that its stat calls are shared out in chunks ({@link ListingStats}) and handed on
     * before they are all made: every entry has its own name's size and mode, in the same order as when one thread
     * looks at everything first, whatever the number of threads.
     */
    @Test
    void aBigDirectoryLookedAtInSharedChunksGivesEachNameItsOwnStat() throws Exception {
        int n = ListingStats.CHUNK * (DirectoryLister.SHARED_CHUNKS + 7) + 5;
        Path big = Files.createDirectories(dir.resolve("big"));
        for (int i = 0; i < n; i++) {
            Path f = big.resolve(String.format(java.util.Locale.ROOT, "f%05d", i));
            Files.write(f, new byte[i % 997]);
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString(
                    i % 3 == 0 ? "rw-------" : "rw-r--r--"));
            if (i % 500 == 7) {
                Files.createLink(big.resolve(String.format(java.util.Locale.ROOT, "f%05dh", i)), f);
            }
        }
        Files.createDirectories(big.resolve("f01000sub"));
        Files.createSymbolicLink(big.resolve("f02000link"), Path.of("f00001"));
        SourceScanner.Options delete = new SourceScanner.Options(4096, FilterRules.NONE, false, true);
        List<Entry> one = scan(1, delete, dir + "/").entries();
        for (Entry e : one) {
            if (e.kind() == EntryKind.FILE && e.name().length() == 6) {
                int i = Integer.parseInt(e.name().substring(1));
                assertEquals(i % 997, e.size(), e.path());
                assertEquals(i % 3 == 0 ? 0600 : 0644, e.mode(), e.path());
            }
        }
        for (int round = 0; round < 5; round++) {
            assertEquals(one, scan(4, delete, dir + "/").entries(), "round " + round);
        }
    }

    /**
     * Sources that would put a file and something else under one name at the top of DEST are refused before
     * anything is sent, naming both; directories of one name merge, as with rsync.
     */
    @Test
    void sourcesThatWouldPutAFileUnderANameAnotherSourceUsesAreRefusedNamingBoth() throws Exception {
        Files.createDirectories(dir.resolve("a/x"));
        Files.createDirectories(dir.resolve("b/x"));
        Files.writeString(dir.resolve("a/f"), "a");
        Files.writeString(dir.resolve("b/f"), "b");
        Files.createDirectories(dir.resolve("c/sub"));
        Files.writeString(dir.resolve("c/x"), "a file named x");
        SourceScanner.Options o = new SourceScanner.Options(4096);
        new SourceScanner(o, List.of(dir + "/a/x", dir + "/b/x")).check(); // two directories: merged
        new SourceScanner(o, List.of(dir + "/a/", dir + "/c/sub")).check();
        String[][] refused = {
            {dir + "/a/f", dir + "/b/f", "name=\"f\""},
            {dir + "/a/", dir + "/b/", "name=\"f\""},
            {dir + "/a/x", dir + "/c/", "name=\"x\""},
            {dir + "/a", dir + "/a", "reason=given-twice"},
        };
        for (String[] r : refused) {
            DwcpException e = assertThrows(DwcpException.class,
                    () -> new SourceScanner(o, List.of(r[0], r[1])).check(), String.join(" ", r));
            assertTrue(e.getMessage().contains(r[2]) && e.getMessage().contains("source=\"" + r[1] + "\"")
                    && e.getMessage().contains("other=\"" + r[0] + "\""), e.getMessage());
        }
    }

    private static List<String> kindsAndPaths(List<Entry> entries) {
        return entries.stream().map(e -> (e.kind() == EntryKind.HARDLINK ? EntryKind.FILE : e.kind()) + " " + e.path())
                .toList();
    }

    static Manifest scan(SourceScanner.Options options, String... args) throws IOException {
        return scan(1, options, args); // one lister: directories in depth-first order, which the tests spell out
    }

    static Manifest scan(int listers, SourceScanner.Options options, String... args) throws IOException {
        SourceScanner s = new SourceScanner(options, List.of(args), listers);
        List<Entry> entries = new java.util.ArrayList<>();
        List<Path> sources = new java.util.ArrayList<>();
        for (EntrySource.Batch b = s.next(7, Long.MAX_VALUE); b != null; b = s.next(7, Long.MAX_VALUE)) {
            entries.addAll(b.entries());
            sources.addAll(b.sources());
        }
        return new Manifest(entries, sources, s.skipped());
    }

    static Manifest scan(String... args) throws IOException {
        return scan(new SourceScanner.Options(Limits.defaults().maxPathBytes()), args);
    }
}
