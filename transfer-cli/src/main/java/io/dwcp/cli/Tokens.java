package io.dwcp.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a shared-secret token file: its content without surrounding whitespace, never empty. */
final class Tokens {
    private static final int MAX = 4096;

    private Tokens() {
    }

    static byte[] read(Path file) throws IOException {
        if (file == null) {
            return null;
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("token-file=\"" + file + "\" reason=not-found");
        }
        if (Files.size(file) > MAX) {
            throw new IllegalArgumentException("token-file=\"" + file + "\" reason=too-large max=" + MAX);
        }
        String t = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("token-file=\"" + file + "\" reason=empty");
        }
        return t.getBytes(StandardCharsets.UTF_8);
    }
}
