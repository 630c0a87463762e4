package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.Limits;
import io.dwcp.core.manifest.Entry;
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

        Manifest m = new SourceScanner(Limits.defaults().maxPathBytes()).scan(List.of(dir + "/"));

        assertEquals(List.of("good.txt", "real-\uFFFD.txt"), m.entries().stream().map(Entry::path).sorted().toList());
        assertEquals(1, m.skipped().size(), m.skipped()::toString);
        assertTrue(m.skipped().get(0).contains("reason=name-not-representable"), m.skipped()::toString);
    }

    @Test
    void aFileArgumentWhoseRealNameIsNotUtf8IsSkippedToo() throws Exception {
        // A file named on the command line is sent under its real name (a link to it is followed).
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), createNonUtf8Name().getFileName());

        Manifest m = new SourceScanner(Limits.defaults().maxPathBytes()).scan(List.of(alias.toString()));

        assertEquals(List.of(), m.entries());
        assertTrue(m.skipped().get(0).contains("reason=name-not-representable"), m.skipped()::toString);
    }
}
