package io.dwcp.core.manifest;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * rsync's --exclude / --include / --exclude-from rules for the common cases: ordered include/exclude patterns, the
 * first match deciding; anchoring (leading '/' = transfer root, no '/' = name only, else the tail of the path);
 * directory-only patterns (trailing '/'); wildcards {@code * ** *** ? [a-z] [!a] [[:alpha:]] \} as rsync's wildmatch
 * does them, quirks included (a pattern without {@code *?[} is compared literally, backslashes and all). Not
 * supported: the rest of --filter (merge files, modifiers, protect/risk, per-side rules) and --ignore-case. Unlike
 * rsync, which compares bytes, this compares code points, so {@code ?} matches "é".
 */
public final class FilterRules {
    public static final FilterRules NONE = new FilterRules(new Rule[0]);

    private final Rule[] rules;

    private FilterRules(Rule[] rules) {
        this.rules = rules;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final List<Rule> rules = new ArrayList<>();

        private Builder() {
        }

        /** Adds an exclude rule after those already added: order matters, the first matching rule wins. */
        public Builder exclude(String pattern) throws DwcpException {
            rules.add(new Rule(false, pattern, ""));
            return this;
        }

        /** Adds an include rule, which keeps what it matches from being excluded by any later rule. */
        public Builder include(String pattern) throws DwcpException {
            rules.add(new Rule(true, pattern, ""));
            return this;
        }

        /**
         * Reads rules from a file as rsync's --exclude-from: one pattern per line, blank lines and lines starting
         * with ';' or '#' ignored; "+ PATTERN" and "- PATTERN" prefixes make an include/exclude; anything else an
         * exclude. As in rsync, a line "!" clears every rule added so far, and whitespace is never trimmed (a
         * trailing space is part of the pattern).
         */
        public Builder excludeFrom(Path file) throws IOException {
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String line;
                for (int n = 1; (line = in.readLine()) != null; n++) {
                    if (line.equals("!")) {
                        rules.clear();
                    } else if (!line.isEmpty() && line.charAt(0) != ';' && line.charAt(0) != '#') {
                        boolean include = line.startsWith("+ ");
                        String pattern = include || line.startsWith("- ") ? line.substring(2) : line;
                        rules.add(new Rule(include, pattern, " file=" + quote(file.toString()) + " line=" + n));
                    }
                }
            }
            return this;
        }

        public FilterRules build() {
            return rules.isEmpty() ? NONE : new FilterRules(rules.toArray(new Rule[0]));
        }
    }

    /** True when the entry at {@code path} (relative to the transfer root, '/'-separated, no leading slash) is excluded. */
    public boolean excluded(String path, boolean directory) {
        if (path.isEmpty()) {
            return false;
        }
        for (Rule rule : rules) {
            if (rule.matches(path, directory)) {
                return !rule.include;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return rules.length == 0;
    }

    /** The rules as rule lines, {@code "- PATTERN"} or {@code "+ PATTERN"}, in order: what an OFFER carries. */
    public List<String> lines() {
        List<String> out = new ArrayList<>(rules.length);
        for (Rule r : rules) {
            out.add((r.include ? "+ " : "- ") + r.pattern);
        }
        return out;
    }

    /** The rules of {@link #lines()}, as the receiver rebuilds them from an OFFER. */
    public static FilterRules fromLines(List<String> lines) throws DwcpException {
        Builder b = builder();
        for (String line : lines) {
            if (line.startsWith("+ ")) {
                b.include(line.substring(2));
            } else if (line.startsWith("- ")) {
                b.exclude(line.substring(2));
            } else {
                throw DwcpException.protocol("frame=offer reason=bad-filter-rule");
            }
        }
        return b.build();
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static int next(String s, int i, String pattern, String why, String where) throws DwcpException {
        if (i >= s.length()) {
            throw bad(pattern, why, where);
        }
        return s.codePointAt(i);
    }

    private static DwcpException bad(String pattern, String why, String where) {
        return new DwcpException(ErrorCode.PATH,
                "reason=bad-filter-pattern pattern=" + quote(pattern) + " why=" + why + where);
    }

    // Pattern ops: a code point >= 0 is a literal; CLASS0 - k is classes[k].
    private static final int ANY = -1, STAR = -2, STAR2 = -3, CLASS0 = -4;
    // dowild results, as in rsync's wildmatch.c; the two aborts prune retries that cannot succeed.
    private static final int FALSE = 0, TRUE = 1, ABORT_ALL = 2, ABORT_TO_STARSTAR = 3;
    // Where a match may start, following rsync's rule_matches(): the last name only; the start of the path;
    // the last slashes+1 elements; or the start and after every '/'.
    private static final int NAME = 0, START = 1, TRAILING = 2, EVERY_SLASH = 3;

    private static final class Rule {
        final boolean include, dirOnly;
        /** The rule as given, for {@link FilterRules#lines()}. */
        final String pattern;
        /** rsync matches a leading "**" against "/" + path, so that "**" + "/x" also matches a top-level x. */
        final boolean slashBefore;
        /** rsync matches "...***" against path + "/" for a directory, so that "dir/***" matches dir itself. */
        final boolean slashAfterDir;
        final int mode, slashes;
        final int[] ops;
        final CharClass[] classes;

        Rule(boolean include, String pattern, String where) throws DwcpException {
            this.include = include;
            this.pattern = pattern;
            dirOnly = pattern.length() > 1 && pattern.endsWith("/");
            String p = dirOnly ? pattern.substring(0, pattern.length() - 1) : pattern;
            // rsync decides these on the raw text, so an escaped "\\**" still counts as "**".
            boolean wild = p.indexOf('*') >= 0 || p.indexOf('?') >= 0 || p.indexOf('[') >= 0;
            boolean wild2 = p.contains("**");
            boolean anchored = p.startsWith("/");
            slashBefore = p.startsWith("**");
            slashAfterDir = p.endsWith("***");
            slashes = (int) p.chars().filter(c -> c == '/').count();
            mode = slashes == 0 && !wild2 ? NAME : anchored || slashBefore ? START : wild2 ? EVERY_SLASH : TRAILING;
            String body = anchored ? p.substring(1) : p;
            if (body.isEmpty()) {
                throw bad(pattern, "empty", where);
            }
            List<CharClass> found = new ArrayList<>();
            int[] buf = new int[body.length()];
            int n = 0;
            for (int i = 0; i < body.length(); n++) {
                int c = body.codePointAt(i);
                i += Character.charCount(c);
                if (wild && c == '*') {
                    buf[n] = i < body.length() && body.charAt(i) == '*' ? STAR2 : STAR;
                    while (i < body.length() && body.charAt(i) == '*') {
                        i++;
                    }
                } else if (wild && c == '?') {
                    buf[n] = ANY;
                } else if (wild && c == '[') {
                    i = CharClass.parse(body, i, found, pattern, where);
                    buf[n] = CLASS0 - (found.size() - 1);
                } else if (wild && c == '\\') {
                    buf[n] = next(body, i, pattern, "trailing-backslash", where);
                    i += Character.charCount(buf[n]);
                } else {
                    buf[n] = c;
                }
            }
            ops = Arrays.copyOf(buf, n);
            classes = found.toArray(new CharClass[0]);
        }

        boolean matches(String path, boolean dir) {
            if (dirOnly && !dir) {
                return false;
            }
            int len = path.length();
            if (mode == NAME) {
                return wild(0, path, path.lastIndexOf('/') + 1, 0, len) == TRUE;
            }
            if (mode == TRAILING) { // only the last slashes+1 names can match
                int need = slashes + 1;
                int start = 0;
                for (int k = len - 1; k >= 0 && start == 0; k--) {
                    start = path.charAt(k) == '/' && --need == 0 ? k + 1 : 0;
                }
                return need <= 1 && wild(0, path, start, 0, len) == TRUE;
            }
            int pre = slashBefore ? 1 : 0;
            int end = pre + len + (slashAfterDir && dir ? 1 : 0);
            int m = wild(0, path, 0, pre, end);
            for (int t = 0; mode == EVERY_SLASH && m != TRUE && m != ABORT_ALL && t < end; t++) {
                if (at(path, t, pre) == '/') {
                    m = wild(0, path, t + 1, pre, end);
                    m = m == ABORT_TO_STARSTAR ? FALSE : m;
                }
            }
            return m == TRUE;
        }

        /**
         * rsync's dowild() over a virtual text: {@code pre} '/' characters, then {@code s}, then '/' up to
         * {@code end}; {@code t} indexes that text. The aborts keep backtracking polynomial, as in rsync.
         */
        private int wild(int p, String s, int t, int pre, int end) {
            for (; p < ops.length; p++) {
                int op = ops[p];
                if (op == STAR || op == STAR2) {
                    if (p + 1 == ops.length) { // a trailing '*' matches only within the last name
                        while (op == STAR && t < end && at(s, t, pre) != '/') {
                            t++;
                        }
                        return op == STAR2 || t >= end ? TRUE : FALSE;
                    }
                    for (; t < end; t += Character.charCount(at(s, t, pre))) {
                        int m = wild(p + 1, s, t, pre, end);
                        if (m != FALSE && (op == STAR || m != ABORT_TO_STARSTAR)) {
                            return m;
                        } else if (m == FALSE && op == STAR && at(s, t, pre) == '/') {
                            return ABORT_TO_STARSTAR;
                        }
                    }
                    return ABORT_ALL;
                }
                if (t >= end) {
                    return ABORT_ALL;
                }
                int c = at(s, t, pre);
                if (op == ANY ? c == '/' : op <= CLASS0 ? c == '/' || !classes[CLASS0 - op].matches(c) : c != op) {
                    return FALSE;
                }
                t += Character.charCount(c);
            }
            return t >= end ? TRUE : FALSE;
        }

        /** The code point at t in the virtual text. */
        private static int at(String s, int t, int pre) {
            int k = t - pre;
            return k < 0 || k >= s.length() ? '/' : s.codePointAt(k);
        }
    }

    /** A bracket expression as inclusive code point ranges; classes are short, so a linear scan is fine. */
    private record CharClass(boolean negated, int[] ranges) {
        /** The [:name:] classes rsync knows, each followed by its C-locale ranges as pairs of characters. */
        private static final String[] NAMED = {"alnum", "09AZaz", "alpha", "AZaz", "blank", "  \t\t",
            "cntrl", "\0\u001f\u007f\u007f", "digit", "09", "graph", "!~", "lower", "az", "print", " ~",
            "punct", "!/:@[`{~", "space", "\t\r  ", "upper", "AZ", "xdigit", "09AFaf"};

        boolean matches(int c) {
            for (int k = 0; k < ranges.length; k += 2) {
                if (c >= ranges[k] && c <= ranges[k + 1]) {
                    return !negated;
                }
            }
            return negated;
        }

        /** Parses s from just after '[' as rsync does, adding the class to out; returns the index after ']'. */
        static int parse(String s, int i, List<CharClass> out, String pattern, String where) throws DwcpException {
            boolean negated = i < s.length() && (s.charAt(i) == '!' || s.charAt(i) == '^');
            i += negated ? 1 : 0;
            int[] r = new int[2 * s.length()]; // never more than one range (two ints) per pattern character
            int n = 0;
            int prev = -1; // a possible range start; rsync forgets it after a range or a [:name:]
            for (boolean first = true; ; first = false) {
                int c = next(s, i, pattern, "unterminated-bracket", where);
                i += Character.charCount(c);
                if (c == ']' && !first) {
                    out.add(new CharClass(negated, Arrays.copyOf(r, n)));
                    return i;
                }
                int from = c;
                boolean range = false;
                if (c == '\\') {
                    from = c = next(s, i, pattern, "unterminated-bracket", where);
                    i += Character.charCount(c);
                } else if (c == '-' && prev >= 0 && i < s.length() && s.charAt(i) != ']') {
                    from = prev;
                    range = true;
                    c = s.codePointAt(i);
                    i += Character.charCount(c);
                    if (c == '\\') {
                        c = next(s, i, pattern, "unterminated-bracket", where);
                        i += Character.charCount(c);
                    }
                } else if (c == '[' && i < s.length() && s.charAt(i) == ':') {
                    int close = s.indexOf(']', i + 1);
                    if (close > i + 1 && s.charAt(close - 1) == ':') {
                        int k = Arrays.asList(NAMED).indexOf(s.substring(i + 1, close - 1));
                        if (k < 0 || k % 2 != 0) {
                            throw bad(pattern, "unknown-class", where);
                        }
                        for (char bound : NAMED[k + 1].toCharArray()) {
                            r[n++] = bound;
                        }
                        i = close + 1;
                        prev = -1;
                        continue;
                    }
                } // else a plain member, like rsync's '[' when no ":]" comes before the next ']'
                r[n++] = from;
                r[n++] = c;
                prev = range ? -1 : c;
            }
        }
    }
}
