package io.dwcp.wireguard.config;

/**
 * A configuration file that cannot be used, located by file, line and key. The message reads
 * {@code config=FILE line=12 key=AllowedIPs error=invalid prefix '10.0.0.0/33'}; it never quotes a private or
 * preshared key.
 */
public final class ConfigException extends Exception {
    private final String source;
    private final int line;
    private final String key;
    private final String error;

    /**
     * @param source the file name as given to the parser
     * @param line 1-based line number, 0 when the problem is not on one line (a missing section, say)
     * @param key the key as the file spells it canonically, or null
     * @param error the lower-case description, without the leading {@code error=}
     */
    public ConfigException(String source, int line, String key, String error) {
        super(message(source, line, key, error), null, false, false);
        this.source = source;
        this.line = line;
        this.key = key;
        this.error = error;
    }

    private static String message(String source, int line, String key, String error) {
        StringBuilder sb = new StringBuilder("config=").append(source);
        if (line > 0) {
            sb.append(" line=").append(line);
        }
        if (key != null) {
            sb.append(" key=").append(key);
        }
        return sb.append(" error=").append(error).toString();
    }

    /** The file name as given to the parser. */
    public String source() {
        return source;
    }

    /** 1-based line number, or 0. */
    public int line() {
        return line;
    }

    /** The key, or null. */
    public String key() {
        return key;
    }

    /** The description alone. */
    public String error() {
        return error;
    }
}
