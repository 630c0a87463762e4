package io.dwcp.bench.e2e;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads top-level scalar fields of the small, flat JSON objects that {@code dwcp send --json} and the
 * {@code sum_sent} object of {@code iperf3 --json} print. Not a JSON parser: enough for numbers, booleans and
 * simple strings, without pulling a JSON library into the bench module.
 */
final class JsonFields {
    private JsonFields() {}

    static Optional<String> raw(String json, String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^,}\\s]+)")
                .matcher(json);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    static Optional<Double> number(String json, String field) {
        return raw(json, field).filter(v -> !v.startsWith("\"") && !v.equals("null")).map(Double::parseDouble);
    }

    static Optional<Boolean> bool(String json, String field) {
        return raw(json, field).filter(v -> v.equals("true") || v.equals("false")).map(Boolean::parseBoolean);
    }

    static Optional<String> string(String json, String field) {
        return raw(json, field).filter(v -> v.startsWith("\"")).map(v -> v.substring(1, v.length() - 1));
    }

    /** The text of the first {...} object that follows "name": (the object must not nest further). */
    static Optional<String> flatObject(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*(\\{[^{}]*})").matcher(json);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * Every top-level field of a flat object whose value is a number, in order (a key must follow '{' or ',', so
     * text inside string values and arrays of strings is not taken for a field).
     */
    static Map<String, Double> numbers(String json) {
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = NUMBER_FIELD.matcher(json);
        while (m.find()) {
            try {
                out.putIfAbsent(m.group(1), Double.parseDouble(m.group(2)));
            } catch (NumberFormatException e) {
                // not a number after all ("1e" and the like): skipped
            }
        }
        return out;
    }

    private static final Pattern NUMBER_FIELD =
            Pattern.compile("[{,]\\s*\"([A-Za-z0-9_]+)\"\\s*:\\s*(-?[0-9][0-9.eE+-]*)\\s*(?=[,}])");

    /** The last line of output that starts with '{' (tools may print warnings around their JSON). */
    static Optional<String> lastObjectLine(String output) {
        String[] lines = output.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String t = lines[i].trim();
            if (t.startsWith("{")) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
