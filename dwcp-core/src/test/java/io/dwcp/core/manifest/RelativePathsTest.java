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
        "a/            | empty-component",
        "a\\b          | bad-character",
        "..\\..\\x     | bad-character"})
    void refusedPaths(String path, String reason) {
        String m = refused(path, MAX);
        assertEquals("path=\"" + path.replace("\\", "\\\\") + "\" reason=" + reason, m);
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
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
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
}
