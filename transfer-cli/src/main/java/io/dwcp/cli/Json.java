package io.dwcp.cli;

import java.util.List;
import java.util.Locale;

/** A tiny JSON object writer for the CLI's one-line reports. */
final class Json {
    private final StringBuilder sb = new StringBuilder("{");

    Json put(String key, Object value) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        string(key);
        sb.append(':');
        value(value);
        return this;
    }

    private void value(Object v) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> string(s);
            case Boolean b -> sb.append(b);
            case Double d -> sb.append(String.format(Locale.ROOT, "%.6f", d));
            case Number n -> sb.append(n);
            case List<?> l -> {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    value(l.get(i));
                }
                sb.append(']');
            }
            default -> string(v.toString());
        }
    }

    private void string(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb + "}";
    }
}
