package io.dwcp.core.manifest;

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
    void linkTargetsInsideTheTree(String link, String target) throws Exception {
        assertSame(target, RelativePaths.checkLinkTarget(link, target, MAX));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "l     | ..           | link-target-escapes",
        "l     | ../x         | link-target-escapes",
        "a/l   | ../../x      | link-target-escapes",
        "a/b/l | ../../../x   | link-target-escapes",
        "a/l   | x/../..      | link-target-parent-after-name",
        "a/l   | x/..         | link-target-parent-after-name",
        "a/b/l | ../x/../y    | link-target-parent-after-name",
        "a/l   | /etc/passwd  | link-target-not-relative",
        "a/l   | ''           | link-target-not-relative",
        "a/l   | ..\\x        | link-target-not-relative",
        "a/l   | .            | link-target-empty-component",
        "a/l   | ./x          | link-target-empty-component",
        "a/l   | x//y         | link-target-empty-component",
        "a/l   | x/           | link-target-empty-component"})
    void linkTargetsRefused(String link, String target, String reason) {
        DwcpException e = assertThrows(DwcpException.class, () -> RelativePaths.checkLinkTarget(link, target, MAX));
        assertEquals(ErrorCode.PATH, e.code());
        assertEquals("path=\"" + link + "\" reason=" + reason + " target=\"" + target.replace("\\", "\\\\") + "\"",
                e.getMessage());
    }

    @Test
    void linkTargetWithNulOrTooLongIsRefused() {
        assertThrows(DwcpException.class, () -> RelativePaths.checkLinkTarget("l", "x\0y", MAX));
        assertThrows(DwcpException.class, () -> RelativePaths.checkLinkTarget("l", "x".repeat(101), 100));
    }
}
