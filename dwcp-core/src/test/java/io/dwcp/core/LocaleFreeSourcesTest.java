package io.dwcp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Names on the wire and in logs must not depend on the default locale: under a Turkish one
 * {@code FILE_END} lower-cased is {@code fıle_end}, and under an Arabic one {@code %d} prints Arabic digits.
 * So no main source may call the locale-sensitive overloads.
 */
class LocaleFreeSourcesTest {
    private static final Pattern SENSITIVE = Pattern.compile(
            "\\.to(Lower|Upper)Case\\(\\)|String\\.format\\(\"|\\.formatted\\(");

    @Test
    void noMainSourceUsesTheDefaultLocale() throws IOException {
        Path repo = Path.of("").toAbsolutePath().getParent();
        assertTrue(Files.isRegularFile(repo.resolve("pom.xml")), "run from a module directory: " + repo);
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(repo)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java")
                    && f.toString().contains("/src/main/java/") && !f.toString().contains("/bench/"))::iterator) {
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    if (SENSITIVE.matcher(lines.get(i)).find()) {
                        found.add(repo.relativize(p) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void theHazardIsReal() {
        assertEquals("fıle_end", "FILE_END".toLowerCase(java.util.Locale.forLanguageTag("tr")));
    }
}
