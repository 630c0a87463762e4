package io.dwcp.wireguard.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a wg-quick / {@code wg setconf} configuration file ({@code [Interface]}, {@code [Peer]}, {@code Key = Value},
 * {@code #} comments). Bad input is reported as a {@link ConfigException} naming file, line and key; I/O failures
 * stay {@link IOException}. Lines and the whole file are bounded so a wrong path (a log, a device) fails fast.
 * Nothing here resolves hostnames: see {@link PeerConfig#endpoint()}.
 */
public final class ConfigFile {
    /** Longest accepted line, in chars; hook commands are the only long lines in practice. */
    public static final int MAX_LINE_CHARS = 8192;
    /** Largest accepted file, in chars: room for tens of thousands of peers. */
    public static final int MAX_FILE_CHARS = 16 << 20;

    private ConfigFile() {
    }

    /** Parses a UTF-8 file. */
    public static InterfaceConfig parse(Path file) throws IOException, ConfigException {
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(in, file.toString());
        }
    }

    /** Parses text from {@code in}; {@code source} names it in errors. Does not close {@code in}. */
    public static InterfaceConfig parse(Reader in, String source) throws IOException, ConfigException {
        ConfigParser parser = new ConfigParser(source);
        StringBuilder line = new StringBuilder();
        char[] buf = new char[8192];
        int number = 1;
        long total = 0;
        int n;
        while (true) {
            try {
                n = in.read(buf);
            } catch (CharacterCodingException e) {
                throw new ConfigException(source, number, null, "not utf-8 text");
            }
            if (n < 0) {
                break;
            }
            total += n;
            if (total > MAX_FILE_CHARS) {
                throw new ConfigException(source, number, null, "file longer than " + MAX_FILE_CHARS + " chars");
            }
            for (int i = 0; i < n; i++) {
                char c = buf[i];
                if (c == '\n') {
                    parser.line(number++, withoutCr(line));
                    line.setLength(0);
                } else if (line.length() >= MAX_LINE_CHARS) {
                    throw new ConfigException(source, number, null, "line longer than " + MAX_LINE_CHARS + " chars");
                } else {
                    line.append(c);
                }
            }
        }
        if (!line.isEmpty()) {
            parser.line(number, withoutCr(line));
        }
        return parser.finish();
    }

    private static String withoutCr(StringBuilder line) {
        int len = line.length();
        return len > 0 && line.charAt(len - 1) == '\r' ? line.substring(0, len - 1) : line.toString();
    }
}
