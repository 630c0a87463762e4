package io.dwcp.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FilterRulesTest {

    /** Rules from "- PATTERN" / "+ PATTERN" strings, in order. */
    private static FilterRules rules(String... specs) throws DwcpException {
        FilterRules.Builder b = FilterRules.builder();
        for (String spec : specs) {
            if (spec.startsWith("+ ")) {
                b.include(spec.substring(2));
            } else if (spec.startsWith("- ")) {
                b.exclude(spec.substring(2));
            } else {
                throw new IllegalArgumentException(spec);
            }
        }
        return b.build();
    }

    @Test
    void noRulesExcludeNothing() throws DwcpException {
        assertTrue(FilterRules.NONE.isEmpty());
        assertFalse(FilterRules.NONE.excluded("a", false));
        assertFalse(FilterRules.NONE.excluded("a/b", true));
        assertSame(FilterRules.NONE, FilterRules.builder().build(), "an empty builder gives the shared empty set");
        assertFalse(rules("- x").isEmpty());
        assertFalse(rules("- *").excluded("", true), "the transfer root itself is never filtered");
    }

    /** One exclude rule; kind is file or dir. Every rule of the brief with positive and negative cases. */
    @ParameterizedTest(name = "[{index}] {0} vs {1} ({2}) -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            # no '/': the name, at any depth
            *.o         | c.o             | file | true
            *.o         | a/b/c.o         | file | true
            *.o         | a/b/c.o         | dir  | true
            *.o         | c.oo            | file | false
            *.o         | a.o/b           | file | false
            core        | x/y/core        | file | true
            core        | x/core/y        | file | false
            core        | xcore           | file | false
            # leading '/': anchored at the transfer root
            /build      | build           | dir  | true
            /build      | build           | file | true
            /build      | src/build       | dir  | false
            /build      | build/x         | file | false
            /a/b        | a/b             | file | true
            /a/b        | x/a/b           | file | false
            /*.c        | a.c             | file | true
            /*.c        | s/a.c           | file | false
            # trailing '/': directories only
            build/      | build           | dir  | true
            build/      | src/deep/build  | dir  | true
            build/      | build           | file | false
            build/      | src/build       | file | false
            build/      | build/x         | file | false
            /build/     | build           | dir  | true
            /build/     | src/build       | dir  | false
            */          | any             | dir  | true
            */          | any             | file | false
            # an inner '/': the tail of the path on name boundaries
            src/*.c     | src/a.c         | file | true
            src/*.c     | x/src/a.c       | file | true
            src/*.c     | src/sub/a.c     | file | false
            src/*.c     | xsrc/a.c        | file | false
            src/*.c     | src/a.h         | file | false
            a/b         | a/b             | file | true
            a/b         | x/a/b           | file | true
            a/b         | xa/b            | file | false
            a/b         | a/b/c           | file | false
            a/*/c       | a/b/c           | file | true
            a/*/c       | a/b/x/c         | file | false
            # '**' crosses '/'
            src/**.c    | src/sub/a.c     | file | true
            src/**.c    | src/a.c         | file | true
            src/**.c    | x/src/s/t/a.c   | file | true
            src/**.c    | xsrc/a.c        | file | false
            src/**.c    | src/a.h         | file | false
            **/tmp      | tmp             | dir  | true
            **/tmp      | a/b/tmp         | dir  | true
            **/tmp      | a/xtmp          | dir  | false
            **/tmp      | tmp/x           | file | false
            /**/tmp     | a/tmp           | dir  | true
            /**/tmp     | tmp             | dir  | false
            **          | a/b/c           | file | true
            a**b        | a/x/b           | file | true
            a**b        | x/a/y/b         | file | true
            a**b        | xa/b            | file | false
            **.c        | a/b.c           | file | true
            tmp**       | x/tmp/y         | file | true
            tmp**       | xtmp            | file | false
            # 'dir/**' is what is inside dir; 'dir/***' is dir too
            dir/**      | dir             | dir  | false
            dir/**      | dir/x           | file | true
            dir/**      | dir/x/y         | file | true
            dir/**      | a/dir/x         | file | true
            dir/***     | dir             | dir  | true
            dir/***     | dir             | file | false
            dir/***     | dir/x/y         | file | true
            dir/***     | a/dir           | dir  | true
            dir/***     | adir            | dir  | false
            /dir/***    | a/dir           | dir  | false
            /dir/***    | dir             | dir  | true
            # '*' and '?' never match '/'
            a*b         | axyb            | file | true
            a*b         | ab              | file | true
            a*b         | ab/c            | file | false
            ?           | a               | file | true
            ?           | x/a             | file | true
            ?           | ab              | file | false
            ?.c         | a.c             | file | true
            ?.c         | .c              | file | false
            a?b         | a/b             | file | false
            /a?b        | a/b             | file | false
            # bracket expressions
            [a-c]       | a               | file | true
            [a-c]       | c               | file | true
            [a-c]       | d               | file | false
            [a-c]       | A               | file | false
            [!a]        | b               | file | true
            [!a]        | a               | file | false
            [^a]        | b               | file | true
            [^a]        | a               | file | false
            []a]        | ]               | file | true
            []a]        | a               | file | true
            []a]        | b               | file | false
            [!]]        | ]               | file | false
            [!]]        | x               | file | true
            [a-]        | -               | file | true
            [-a]        | -               | file | true
            [a-c-e]     | -               | file | true
            [a-c-e]     | d               | file | false
            [c-a]       | b               | file | false
            [\\]]x      | ]x              | file | true
            [a\\-c]     | b               | file | false
            [a\\-c]     | -               | file | true
            [[:digit:]]x | 1x             | file | true
            [[:digit:]]x | ax             | file | false
            [[:alpha:][:digit:]_] | _     | file | true
            [[:alpha:][:digit:]_] | Q     | file | true
            [[:alpha:][:digit:]_] | -     | file | false
            [![:space:]] | ' '            | file | false
            [![:space:]] | x              | file | true
            [[:upper:]]* | Readme         | file | true
            [[:upper:]]* | readme         | file | false
            [[:x]       | x               | file | true
            [[:x]       | :               | file | true
            [[:x]       | [               | file | true
            x[!a]y      | x/y             | file | false
            # '\\' escapes when the pattern has a wildcard; without one it is compared literally, as in rsync
            \\*         | *               | file | true
            \\*         | a               | file | false
            \\?.txt     | ?.txt           | file | true
            \\?.txt     | a.txt           | file | false
            a\\[b]*     | a[b]x           | file | true
            a\\[b]*     | ab              | file | false
            a\\b*       | ab              | file | true
            a\\b        | a\\b            | file | true
            a\\b        | ab              | file | false
            # spaces are part of the pattern
            'a b'       | 'x/a b'         | file | true
            'a '        | a               | file | false
            'a '        | 'a '            | file | true
            é?          | éa              | file | true
            ?           | é               | file | true
            """)
    void oneExcludeRule(String pattern, String path, String kind, boolean excluded) throws DwcpException {
        FilterRules r = FilterRules.builder().exclude(pattern).build();
        assertEquals(excluded, r.excluded(path, kind.equals("dir")), pattern + " vs " + path);
        FilterRules inverse = FilterRules.builder().include(pattern).exclude("*").build();
        assertEquals(excluded, !inverse.excluded(path, kind.equals("dir")), "as an include before '- *'");
    }

    @Test
    void theFirstMatchingRuleDecides() throws DwcpException {
        FilterRules headers = rules("+ *.h", "- *");
        assertFalse(headers.excluded("a.h", false));
        assertTrue(headers.excluded("a.c", false));
        assertTrue(headers.excluded("src", true), "'- *' hides directories too, so src/x.h is never reached");

        FilterRules tree = rules("+ */", "+ *.h", "- *");
        assertFalse(tree.excluded("src", true));
        assertFalse(tree.excluded("src/x.h", false));
        assertTrue(tree.excluded("src/x.c", false));

        assertTrue(rules("- *.c", "+ a.c").excluded("a.c", false), "a later include cannot undo an exclude");
        assertFalse(rules("+ a.c", "- *.c").excluded("a.c", false));
        assertTrue(rules("+ a.c", "- *.c").excluded("b.c", false));
        assertFalse(rules("- *.c").excluded("a.h", false), "no match means included");
        assertFalse(rules("+ *.c").excluded("a.h", false), "an include alone excludes nothing");
    }

    @Test
    void excludeFromReadsPrefixesCommentsAndBlankLines(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rules");
        Files.writeString(file, String.join("\n",
                "# a comment",
                "; another comment",
                "",
                "+ keep.o",
                "- *.o",
                "+ x.tmp",
                "*.tmp",
                "-nospace",
                "+plus",
                "trailing ",
                "- /top/",
                " ",
                "") + "\n");
        FilterRules r = FilterRules.builder().excludeFrom(file).build();
        assertFalse(r.excluded("keep.o", false), "'+ ' makes an include");
        assertTrue(r.excluded("x/a.o", false), "'- ' makes an exclude");
        assertTrue(r.excluded("a.tmp", false), "a bare pattern is an exclude");
        assertFalse(r.excluded("x.tmp", false), "an include from the file wins over a later bare exclude");
        assertFalse(r.excluded("# a comment", false), "comments are not patterns");
        assertFalse(r.excluded("; another comment", false));
        assertTrue(r.excluded("-nospace", false), "a '-' without a space is part of the pattern");
        assertTrue(r.excluded("+plus", false));
        assertFalse(r.excluded("plus", false));
        assertTrue(r.excluded("trailing ", false), "whitespace is not trimmed");
        assertFalse(r.excluded("trailing", false));
        assertTrue(r.excluded(" ", false), "a line of one space is a pattern, not a blank line");
        assertTrue(r.excluded("top", true));
        assertFalse(r.excluded("a/top", true));
    }

    @Test
    void excludeFromAppendsToAndClearsWithBang(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("rules"), "- *.a\r\n!\r\n- *.b\r\n+ x.c\r\n");
        FilterRules r = FilterRules.builder().exclude("*.z").excludeFrom(file).exclude("*.c").build();
        assertFalse(r.excluded("f.z", false), "'!' clears the rules added before it, from anywhere");
        assertFalse(r.excluded("f.a", false));
        assertTrue(r.excluded("f.b", false), "CRLF line ends are line ends");
        assertFalse(r.excluded("x.c", false), "rules from the file come before those added after it");
        assertTrue(r.excluded("y.c", false));
    }

    @Test
    void excludeFromNamesTheFileAndLineOfABadRule(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("rules"), "# ok\n*.o\n+ [abc\n");
        DwcpException e = assertThrows(DwcpException.class, () -> FilterRules.builder().excludeFrom(file));
        assertEquals(ErrorCode.PATH, e.code());
        assertTrue(e.getMessage().contains("reason=bad-filter-pattern pattern=\"[abc\""), e.getMessage());
        assertTrue(e.getMessage().contains(" line=3"), e.getMessage());
        Path dash = Files.writeString(dir.resolve("dash"), "- \n");
        e = assertThrows(DwcpException.class, () -> FilterRules.builder().excludeFrom(dash));
        assertTrue(e.getMessage().contains("pattern=\"\"") && e.getMessage().contains(" line=1"), e.getMessage());
        assertThrows(IOException.class, () -> FilterRules.builder().excludeFrom(dir.resolve("missing")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "//", "[abc", "[", "[!", "[]", "[!]", "a[b-", "x[\\", "[a-\\", "*\\",
            "[[:alpha:", "[[:nope:]]", "[[::]]"})
    void badPatternsAreUsageErrors(String pattern) {
        for (boolean include : new boolean[] {false, true}) {
            DwcpException e = assertThrows(DwcpException.class, () -> {
                FilterRules.Builder b = FilterRules.builder();
                if (include) {
                    b.include(pattern);
                } else {
                    b.exclude(pattern);
                }
            });
            assertEquals(ErrorCode.PATH, e.code());
            assertTrue(e.getMessage().startsWith("reason=bad-filter-pattern pattern=\""), e.getMessage());
            assertEquals(e.getMessage().toLowerCase(Locale.ROOT), e.getMessage());
        }
    }

    @Test
    void quotesInABadPatternAreEscaped() {
        DwcpException e = assertThrows(DwcpException.class, () -> FilterRules.builder().exclude("a\"[b"));
        assertTrue(e.getMessage().contains("pattern=\"a\\\"[b\""), e.getMessage());
    }

    @Test
    void literalPatternsAreNotEscapeChecked() throws DwcpException {
        // rsync compares a pattern without *?[ as plain text, so a trailing backslash is just a character there.
        assertTrue(rules("- foo\\").excluded("foo\\", false));
    }

    @Test
    void pathologicalPatternsStayFast() throws DwcpException {
        FilterRules r = rules("- *a*a*a*a*a*a*a*a*b", "- **a**a**a**a**a**a**b", "- a/**/a/**/a/**/b");
        String as = "a".repeat(4000);
        String deep = "a/".repeat(400) + "a";
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            assertFalse(r.excluded(as, false));
            assertFalse(r.excluded(deep, false));
            assertTrue(r.excluded(deep + "/b", false));
        });
    }

    @Test
    void excludedDoesNotAllocate() throws DwcpException {
        Assumptions.assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "this JVM cannot count a thread's allocations (no com.sun.management.ThreadMXBean)");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "thread allocation counting is unsupported or disabled in this JVM");
        FilterRules r = rules("+ */", "+ keep/**", "- /build", "- src/**.o", "- [!a-m]*.tmp", "- dir/***", "- *.c");
        String[] paths = {"a/b/c.h", "src/x/y.o", "keep/z.c", "q.tmp", "a/dir/q", "build", "deep/er/still.c"};
        int excluded = 0;
        for (int i = 0; i < 20_000; i++) { // warm up so the measured loop runs compiled code
            excluded += r.excluded(paths[i % paths.length], false) ? 1 : 0;
        }
        long tid = Thread.currentThread().threadId();
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            excluded += r.excluded(paths[i % paths.length], false) ? 1 : 0;
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(excluded > 0);
        assertTrue(allocated < 100_000, "allocated " + allocated + " bytes in 100000 calls");
    }

    // ---- cross-checks against the real rsync ----

    /** Files of a small tree with awkward names; directories are implied, plus a few empty ones. */
    private static final String[] TREE = {
        "a.o", "c.o", "b.c", "B.C", "x.h", "keep.o", "core", "xcore", "1x", "ax", "]", "-", "*", "?.txt", "a.txt",
        "a[b]x", "a\\b", "ab", "aab", "b", ".hidden", "sp ace", "trail ", "Readme",
        "build/out.o", "build/sub/deep.o", "src/build", "src/a.c", "src/b.h", "src/sub/a.c", "src/sub/deep/z.c",
        "x/src/a.c", "xsrc/a.c", "tmp/t", "a/tmp/t", "a/b/tmp/t2", "a/xtmp", "a/b/c", "a/b/x/c",
        "dir/x", "dir/sub/y", "a/dir/z", "adir/w", "top/f", "a/top/g", "c.o.d/inner.o",
    };
    private static final String[] EMPTY_DIRS = {"empty", "a/b/tmp/emptytmp", "src/sub/build"};

    private static boolean rsyncAvailable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "rsync"))) {
                return true;
            }
        }
        return false;
    }

    private static Path tree(Path root) throws IOException {
        Path src = root.resolve("src");
        for (String f : TREE) {
            Path p = src.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, f);
        }
        for (String d : EMPTY_DIRS) {
            Files.createDirectories(src.resolve(d));
        }
        Files.createDirectories(root.resolve("dst"));
        return src;
    }

    /** What rsync would transfer with these extra arguments, directories with a trailing '/'. */
    private static TreeSet<String> rsync(Path root, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("rsync", "-a", "--dry-run", "--out-format=%n"));
        cmd.addAll(args);
        cmd.add(root.resolve("src") + "/");
        cmd.add(root.resolve("dst") + "/");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "rsync " + args);
        TreeSet<String> seen = new TreeSet<>();
        for (String line : out.split("\n")) {
            if (!line.isEmpty() && !line.equals("./")) {
                seen.add(line);
            }
        }
        return seen;
    }

    /** What a sender using these rules would send: an excluded directory hides its subtree. */
    private static TreeSet<String> walk(Path dir, String prefix, FilterRules rules, TreeSet<String> into)
            throws IOException {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.toList();
        }
        for (Path child : children) {
            String rel = prefix + child.getFileName();
            boolean isDir = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
            if (!rules.excluded(rel, isDir)) {
                into.add(isDir ? rel + "/" : rel);
                if (isDir) {
                    walk(child, rel + "/", rules, into);
                }
            }
        }
        return into;
    }

    /** Compares for each rule list (of "- P" / "+ P") and returns a description of every disagreement. */
    private static List<String> compare(Path root, List<List<String>> cases) {
        return cases.parallelStream().map(specs -> compareOne(root, specs)).filter(Objects::nonNull).toList();
    }

    private static String compareOne(Path root, List<String> specs) {
        try {
            FilterRules ours = rules(specs.toArray(new String[0]));
            List<String> args = new ArrayList<>();
            for (String spec : specs) {
                args.add((spec.startsWith("+ ") ? "--include=" : "--exclude=") + spec.substring(2));
            }
            TreeSet<String> want = rsync(root, args);
            TreeSet<String> got = walk(root.resolve("src"), "", ours, new TreeSet<>());
            if (want.equals(got)) {
                return null;
            }
            TreeSet<String> missing = new TreeSet<>(want);
            missing.removeAll(got);
            TreeSet<String> extra = new TreeSet<>(got);
            extra.removeAll(want);
            return specs + ": rsync also sends " + missing + ", we also send " + extra;
        } catch (IOException | InterruptedException e) {
            return specs + ": " + e;
        }
    }

    @Test
    void agreesWithRsyncOnTheBriefsPatterns(@TempDir Path root) throws Exception {
        Assumptions.assumeTrue(rsyncAvailable(), "rsync is not on PATH");
        tree(root);
        List<List<String>> cases = new ArrayList<>();
        for (String p : new String[] {"*.o", "/build", "build/", "/build/", "src/*.c", "src/**.c", "**/tmp",
                "/**/tmp", "tmp*", "dir/**", "dir/***", "/dir/***", "?", "?.c", "[a-c]", "[!a]", "[^a]", "[]a]",
                "[!]]", "[a-]", "[[:digit:]]x", "[[:upper:]]*", "[[:x]", "\\*", "\\?.txt", "a\\[b]*", "a\\b",
                "sp ace", "trail ", "trail", "core", "a/b", "/a/b", "a/*/c", "*/", "**", "***", "a**b", "**.c",
                "*.o/", "c.o*", ".*", "a/**/c", "**/b/**", "*/*/*", "src/**/", "top/", "/top"}) {
            cases.add(List.of("- " + p));
        }
        cases.add(List.of("+ *.h", "- *"));
        cases.add(List.of("+ */", "+ *.h", "- *"));
        cases.add(List.of("+ */", "+ *.c", "- *", "- src/sub/"));
        cases.add(List.of("- src/sub/", "+ */", "+ *.c", "- *"));
        cases.add(List.of("+ /a/", "+ /a/b/", "+ /a/b/***", "- *"));
        cases.add(List.of("+ keep.o", "- *.o", "- build/"));
        assertEquals(List.of(), compare(root, cases));
    }

    @Test
    void agreesWithRsyncOnRandomPatterns(@TempDir Path root) throws Exception {
        Assumptions.assumeTrue(rsyncAvailable(), "rsync is not on PATH");
        tree(root);
        Random random = new Random(0x5EED);
        List<List<String>> cases = new ArrayList<>();
        while (cases.size() < 200) {
            List<String> specs = new ArrayList<>();
            for (int r = cases.size() < 140 ? 1 : 2 + random.nextInt(2); r > 0; r--) {
                String p = random.nextInt(4) == 0 ? soup(random) : fromTree(random);
                specs.add((specs.isEmpty() || random.nextInt(3) != 0 ? "- " : "+ ") + p);
            }
            if (specs.stream().noneMatch(s -> s.substring(2).replace("/", "").isEmpty())) {
                cases.add(specs.size() > 1 ? specs.reversed() : specs); // includes mostly before excludes
            }
        }
        assertEquals(List.of(), compare(root, cases));
    }

    /** A pattern made of wildcard-heavy pieces, mostly matching nothing in particular. */
    private static String soup(Random random) {
        String[] parts = {"a", "b", "c", "x", "src", "tmp", "dir", ".o", ".c", "*", "**", "***", "?", "/", "/",
            "[ab]", "[!a]", "[a-c]", "[[:alpha:]]", "\\*", "t"};
        StringBuilder p = new StringBuilder(random.nextInt(4) == 0 ? "/" : "");
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            p.append(parts[random.nextInt(parts.length)]);
        }
        return random.nextInt(4) == 0 ? p + "/" : p.toString();
    }

    /** A pattern made from the tail of a path in the tree with some names or characters made wild. */
    private static String fromTree(Random random) {
        String[] names = TREE[random.nextInt(TREE.length)].split("/");
        int from = random.nextInt(names.length);
        int to = names.length - (names.length > 1 && random.nextInt(3) == 0 ? 1 : 0); // sometimes a directory
        StringBuilder p = new StringBuilder(from == 0 && random.nextInt(3) == 0 ? "/" : "");
        p.append(random.nextInt(8) == 0 ? "**/" : random.nextInt(8) == 0 ? "*/" : "");
        for (int k = from; k < to; k++) {
            String name = names[k];
            int at = random.nextInt(name.length());
            String c = name.substring(at, at + 1);
            String other = c.equals("a") ? "b" : "a";
            p.append(k > from ? (random.nextInt(8) == 0 ? "/**/" : "/") : "").append(switch (random.nextInt(10)) {
                case 0 -> "*";
                case 1 -> "**";
                case 2 -> escaped(name.substring(0, at)) + "?" + escaped(name.substring(at + 1));
                case 3 -> escaped(name.substring(0, at)) + "[" + other + "-" + other + escaped(c) + "]"
                        + escaped(name.substring(at + 1));
                case 4 -> escaped(name.substring(0, at)) + "[!" + other + "]" + escaped(name.substring(at + 1));
                case 5 -> escaped(name.substring(0, at)) + "*";
                case 6 -> "*" + escaped(name.substring(at));
                default -> escaped(name);
            });
        }
        String[] tails = {"/", "/", "/***", "/**", "", "", "", "", "", "", "", ""};
        return p + tails[random.nextInt(tails.length)];
    }

    private static String escaped(String name) {
        return name.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
    }

    @Test
    void agreesWithRsyncOnAnExcludeFromFile(@TempDir Path root) throws Exception {
        Assumptions.assumeTrue(rsyncAvailable(), "rsync is not on PATH");
        tree(root);
        Path file = Files.writeString(root.resolve("rules"), String.join("\n",
                "# comment", "; comment", "", "- x.h", "!", "+ keep.o", "*.o", "- build/", "+ src/", "+ src/*.c",
                "- src/*", "trail ", " ", "-  x", "+ */", "+ *.h", "- *", ""));
        TreeSet<String> want = rsync(root, List.of("--exclude-from=" + file));
        TreeSet<String> got = walk(root.resolve("src"), "", FilterRules.builder().excludeFrom(file).build(),
                new TreeSet<>());
        assertEquals(want, got);
    }

    @Test
    void rulesTravelAsLinesAndComeBackTheSame() throws Exception {
        FilterRules r = FilterRules.builder().include("keep/***").exclude("*.o").exclude("build/").build();
        assertEquals(java.util.List.of("+ keep/***", "- *.o", "- build/"), r.lines());
        FilterRules back = FilterRules.fromLines(r.lines());
        for (String p : java.util.List.of("keep/x.o", "a/b.o", "build", "src/a.c")) {
            for (boolean dir : new boolean[] {false, true}) {
                assertEquals(r.excluded(p, dir), back.excluded(p, dir), p + " dir=" + dir);
            }
        }
        assertThrows(io.dwcp.core.DwcpException.class, () -> FilterRules.fromLines(java.util.List.of("*.o")));
    }
}
