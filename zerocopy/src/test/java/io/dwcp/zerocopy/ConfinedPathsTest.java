package io.dwcp.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConfinedPathsTest {
    /** What normalized must equal: the components split joins again, or the refusal split gives. */
    private static String viaSplit(String path) {
        try {
            return String.join("/", ConfinedPaths.split(path));
        } catch (PathRefusedException e) {
            return "refused " + e.reason();
        }
    }

    private static String viaNormalized(String path) {
        try {
            return ConfinedPaths.normalized(path);
        } catch (PathRefusedException e) {
            return "refused " + e.reason();
        }
    }

    @Test
    void aCleanPathIsItselfWithNothingMade() throws Exception {
        String p = "a/b.c/d..e/.f/f.";
        assertSame(p, ConfinedPaths.normalized(p));
    }

    @Test
    void emptyAndDotComponentsGoAndEveryRefusalIsSplitsRefusal() {
        assertEquals("a/b", viaNormalized("a//./b/"));
        assertEquals("a", viaNormalized("./a"));
        assertEquals("refused " + PathRefusedException.Reason.DOT_DOT, viaNormalized("a/../b"));
        assertEquals("refused " + PathRefusedException.Reason.ABSOLUTE, viaNormalized("/etc/passwd"));
        assertEquals("refused " + PathRefusedException.Reason.EMPTY, viaNormalized(""));
        assertEquals("refused " + PathRefusedException.Reason.EMPTY, viaNormalized("./."));
        assertEquals("refused " + PathRefusedException.Reason.NUL, viaNormalized("a/b\0c"));
        assertThrows(PathRefusedException.class, () -> ConfinedPaths.normalized(".."));
    }

    @Test
    void agreesWithSplitOnRandomPaths() {
        String[] pieces = {"a", "b", ".", "..", "", "/", "\0", "é", "x.y", "...", ".a", "a."};
        SplittableRandom r = new SplittableRandom(42);
        for (int n = 0; n < 200_000; n++) {
            StringBuilder sb = new StringBuilder();
            int parts = r.nextInt(6);
            for (int i = 0; i < parts; i++) {
                sb.append(pieces[r.nextInt(pieces.length)]);
                if (r.nextBoolean()) {
                    sb.append('/');
                }
            }
            String p = sb.toString();
            assertEquals(viaSplit(p), viaNormalized(p), () -> "path \"" + p + "\"");
        }
    }
}
