package io.dwcp.cli.args;

import java.util.List;

/** A command's help, laid out for an 80-column terminal. */
public final class HelpText {
    private static final int WIDTH = 80;
    /** Where descriptions start; a longer name puts its description on the next line. */
    private static final int COLUMN = 28;

    private HelpText() {
    }

    /** The help of {@code spec}, whose qualified name is {@code command} ({@code dwcp send}). */
    public static String of(CommandSpec spec, String command) {
        StringBuilder out = new StringBuilder();
        wrap(out, "Usage: " + command + " ", synopsis(spec), "  ");
        wrap(out, "", spec.description(), "");
        if (spec.operandLabel() != null) {
            String label = spec.operandLabel() + (spec.maxOperands() > 1 ? "..." : "");
            entry(out, "      " + label, spec.operandDescription());
        }
        for (OptionSpec o : spec.options()) {
            entry(out, names(o), o.help());
        }
        if (!spec.subcommands().isEmpty()) {
            out.append("Commands:\n");
            int w = 0;
            for (CommandSpec c : spec.subcommands()) {
                w = Math.max(w, c.name().length());
            }
            for (CommandSpec c : spec.subcommands()) {
                String name = "  " + c.name() + " ".repeat(w - c.name().length() + 2);
                wrap(out, name, c.description(), " ".repeat(name.length() + 2));
            }
        }
        if (spec.footer() != null) {
            out.append('\n').append(spec.footer());
            if (!spec.footer().endsWith("\n")) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static String synopsis(CommandSpec spec) {
        if (spec.synopsis() != null) {
            return spec.synopsis();
        }
        StringBuilder s = new StringBuilder("[-hV]");
        for (OptionSpec o : spec.options()) {
            if (o == CommandSpec.HELP || o == CommandSpec.VERSION) {
                continue;
            }
            String names = String.join("|", o.names());
            String item = o.takesValue() ? names + " " + o.label() : names;
            s.append(' ').append(spec.required(o) ? item : "[" + item + "]");
        }
        if (spec.operandLabel() != null) {
            s.append(' ').append(spec.operandLabel()).append(spec.maxOperands() > 1 ? "..." : "");
        }
        if (!spec.subcommands().isEmpty()) {
            s.append(" [COMMAND]");
        }
        return s.toString();
    }

    private static String names(OptionSpec o) {
        List<String> n = o.names();
        String first = n.get(0);
        boolean hasShort = first.length() == 2;
        StringBuilder s = new StringBuilder(hasShort ? "  " + first : "    ");
        for (int i = hasShort ? 1 : 0; i < n.size(); i++) {
            s.append(i == 0 && !hasShort ? "  " : ", ").append(n.get(i));
        }
        if (o.takesValue()) {
            s.append('=').append(o.label());
        }
        return s.toString();
    }

    private static void entry(StringBuilder out, String names, String text) {
        if (names.length() < COLUMN - 1) {
            wrap(out, names + " ".repeat(COLUMN - names.length()), text, " ".repeat(COLUMN + 2));
        } else {
            out.append(names).append('\n');
            wrap(out, " ".repeat(COLUMN), text, " ".repeat(COLUMN + 2));
        }
    }

    /**
     * Appends {@code prefix} and then {@code text} wrapped at word boundaries; continuation lines start with
     * {@code next}.
     */
    private static void wrap(StringBuilder out, String prefix, String text, String next) {
        StringBuilder line = new StringBuilder(prefix);
        boolean empty = true;
        for (String word : text.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            if (!empty && line.length() + 1 + word.length() > WIDTH) {
                out.append(line).append('\n');
                line = new StringBuilder(next);
                empty = true;
            }
            if (!empty) {
                line.append(' ');
            }
            line.append(word);
            empty = false;
        }
        out.append(line).append('\n');
    }
}
