package io.dwcp.core.manifest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RelativePathsTest {
    private static final int MAX = 4096;

    private static String refused(String path, int max) {
        DwcpException e = assertThrows(DwcpException.class, () -> RelativePaths.check(path, max));
        assertEquals(ErrorCode.PATH, e.code());
        return e.getMessage();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b/c", "file.txt", ".hidden", "..foo", "foo..", "...", "a/.b/..c", "a b/c d",
            "日本語/ファイル", "📦", "-rf", "~", "a:b", "con", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"})
    void acceptedPaths(String path) throws Exception {
        assertSame(path, RelativePaths.check(path, MAX));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "''            | empty",
        "/             | absolute",
        "/etc/passwd   | absolute",
        "//x           | absolute",
        "..            | parent-component",
        "../x          | parent-component",
        "a/..          | parent-component",
        "a/../b        | parent-component",
        "x/../..       | parent-component",
        ".             | empty-component",
        "./a           | empty-component",
        "a/./b         | empty-component",
        "a/.           | empty-component",
        "a//b          | empty-component",
        "a/            | empty-component"})
    void refusedPaths(String path, String reason) {
        String m = refused(path, MAX);
        assertEquals("path=\"" + path.replace("\\", "\\\\") + "\" reason=" + reason, m);
    }

    /** On Linux a backslash is a character of a name like any other (rsync keeps such names). */
    @ParameterizedTest
    @ValueSource(strings = {"a\\b", "..\\..\\x", "dir\\", "\\"})
    void aBackslashIsACharacterOfANameWhereOnlySlashSeparates(String path) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.io.File.separatorChar == '/', "a platform where \\ separates");
        assertSame(path, RelativePaths.check(path, MAX));
    }

    @Test
    void nulIsRefusedAndEscapedInTheMessage() {
        assertEquals("path=\"a\\0b\" reason=bad-character", refused("a\0b", MAX));
    }

    @Test
    void quotesInThePathAreEscapedInTheMessage() {
        assertEquals("path=\"a\\\"/\" reason=empty-component", refused("a\"/", MAX));
    }

    @Test
    void lengthIsCountedInUtf8Bytes() throws Exception {
        String ascii = "a".repeat(100);
        assertSame(ascii, RelativePaths.check(ascii, 100));
        assertEquals("path=\"" + "a".repeat(101) + "\" reason=too-long", refused("a".repeat(101), 100));
        // 60 characters, 120 bytes.
        String twoByte = "é".repeat(60);
        RelativePaths.check(twoByte, 120);
        refused(twoByte, 119);
    }

    @Test
    void nameLengthIsBoundedPerComponent() throws Exception {
        String name255 = "n".repeat(Limits.MAX_NAME_BYTES);
        RelativePaths.check("dir/" + name255, MAX);
        assertEquals("path=\"dir/" + name255 + "n\" reason=name-too-long", refused("dir/" + name255 + "n", MAX));
        // 128 two-byte characters = 256 bytes: too long although only 128 characters.
        refused("é".repeat(128), MAX);
        RelativePaths.check("é".repeat(127), MAX);
    }

    @Test
    void refusedNamesThePath() {
        DwcpException e = RelativePaths.refused("x/y", "outside-root");
        assertEquals(ErrorCode.PATH, e.code());
        assertEquals("path=\"x/y\" reason=outside-root", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "l           | x",
        "l           | x/y/z",
        "a/l         | ..",
        "a/l         | ../x",
        "a/l         | ../a/l2",
        "a/b/l       | ../../x",
        "a/b/l       | ../..",
        "a/b/l       | ../c/d",
        "a/l         | ...",
        "a/l         | ..x"})
    void linksThatStayInsideTheTreeAreSafe(String link, String target) {
        assertFalse(RelativePaths.leavesTree(link, target), link + " -> " + target);
        assertSame(target, assertDoesNotThrow(() -> RelativePaths.checkSymlinkTarget(link, target, MAX)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "l     | ..",
        "l     | ../x",
        "a/l   | ../../x",
        "a/b/l | ../../../x",
        "a/l   | x/../../..",
        "a/l   | /etc/passwd",
        "a/l   | /"})
    void linksThatCanLeaveTheTreeAreUnsafeButStillValidTargets(String link, String target) throws Exception {
        assertTrue(RelativePaths.leavesTree(link, target), link + " -> " + target);
        assertSame(target, RelativePaths.checkSymlinkTarget(link, target, MAX)); // kept verbatim unless --safe-links
    }

    @Test
    void linkTargetEmptyWithNulOrTooLongIsRefused() {
        assertThrows(DwcpException.class, () -> RelativePaths.checkSymlinkTarget("l", "", MAX));
        assertThrows(DwcpException.class, () -> RelativePaths.checkSymlinkTarget("l", "x\0y", MAX));
        assertThrows(DwcpException.class, () -> RelativePaths.checkSymlinkTarget("l", "x".repeat(101), 100));
        assertEquals("path=\"l\" reason=bad-link-target target=\"\"",
                assertThrows(DwcpException.class, () -> RelativePaths.checkSymlinkTarget("l", "", MAX)).getMessage());
    }

    /**
     * The one-pass check gives the same answer, reason included, as the rule written the plain way (split on '/',
     * UTF-8 lengths by encoding), on random paths built from the characters that matter: separators, dots,
     * backslash, NUL, the reserved suffix, multi-byte and lone-surrogate chars, long names.
     */
    @Test
    void onePassCheckAgreesWithThePlainRule() {
        java.util.Random r = new java.util.Random(20261129);
        String[] pieces = {"/", "//", ".", "..", "a", "bc", "\\", "\0", "é", "日", "📦", "\ud800", "\udc00",
            RelativePaths.PART_SUFFIX, "x".repeat(120), "é".repeat(70), "日".repeat(90)};
        for (int round = 0; round < 200_000; round++) {
            StringBuilder b = new StringBuilder();
            int n = r.nextInt(8);
            for (int k = 0; k < n; k++) {
                b.append(pieces[r.nextInt(pieces.length)]);
            }
            String path = b.toString();
            int max = r.nextBoolean() ? MAX : r.nextInt(600);
            String expected = plainRule(path, max);
            String actual;
            try {
                RelativePaths.check(path, max);
                actual = null;
            } catch (DwcpException e) {
                actual = e.getMessage();
            }
            String wanted = expected == null ? null : RelativePaths.refused(path, expected).getMessage();
            assertEquals(wanted, actual, () -> "path=" + path.codePoints().mapToObj(Integer::toHexString).toList());
        }
    }

    /** The reason {@link RelativePaths#check} must give, or null: the rule as it reads, not as it runs. */
    private static String plainRule(String path, int max) {
        java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
        if (path.isEmpty()) {
            return "empty";
        }
        if (path.getBytes(utf8).length > max) {
            return "too-long";
        }
        if (path.startsWith("/")) {
            return "absolute";
        }
        if (path.indexOf('\0') >= 0 || (path.indexOf('\\') >= 0 && java.io.File.separatorChar == '\\')) {
            return "bad-character";
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                return "empty-component";
            }
            if (part.equals("..")) {
                return "parent-component";
            }
            if (part.getBytes(utf8).length > Limits.MAX_NAME_BYTES) {
                return "name-too-long";
            }
            if (part.endsWith(RelativePaths.PART_SUFFIX)) {
                return "reserved-suffix suffix=" + RelativePaths.PART_SUFFIX;
            }
        }
        return null;
    }

    private static int bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static String leaf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Test
    void aPartFileIsItsFilesNameAndTheSuffixWhereThatFitsAName() {
        assertEquals("d/e/f.bin.dwcp-part", RelativePaths.partPath("d/e/f.bin"));
        assertEquals("f.dwcp-part", RelativePaths.partPath("f"));
        String longest = "a".repeat(Limits.MAX_NAME_BYTES - RelativePaths.PART_SUFFIX.length());
        assertEquals("x/" + longest + ".dwcp-part", RelativePaths.partPath("x/" + longest));
    }

    /** A name of 246 to 255 bytes has no room for the suffix: its part file's name is cut, tagged, and still fits. */
    @ParameterizedTest
    @ValueSource(strings = {"a", "\u65e5", "\u00e9", "\ud83d\ude00"})
    void aLongNamesPartFileIsCutAtACharacterAndTaggedWithItsDigest(String unit) {
        StringBuilder b = new StringBuilder();
        while (bytes(b + unit) <= Limits.MAX_NAME_BYTES) {
            b.append(unit);
        }
        String name = b.toString();
        assertTrue(bytes(name) > Limits.MAX_NAME_BYTES - RelativePaths.PART_SUFFIX.length());
        String part = RelativePaths.partPath("dir/sub/" + name);
        assertTrue(part.startsWith("dir/sub/"), part);
        String partName = leaf(part);
        assertTrue(bytes(partName) <= Limits.MAX_NAME_BYTES, partName + ": " + bytes(partName));
        assertTrue(partName.endsWith(RelativePaths.PART_SUFFIX), partName);
        assertTrue(partName.matches("(" + java.util.regex.Pattern.quote(unit) + ")+~[0-9a-f]{16}\\.dwcp-part"), partName);
        assertEquals(part, RelativePaths.partPath("dir/sub/" + name), "the same every time: resume finds it");
        String other = name.substring(0, name.length() - unit.length()) + "b";
        assertTrue(!RelativePaths.partPath("dir/sub/" + other).equals(part), "names that differ only past the cut differ");
        assertTrue(refused(part, MAX).contains("reserved-suffix"), "no sender can name a file like it");
    }
}
