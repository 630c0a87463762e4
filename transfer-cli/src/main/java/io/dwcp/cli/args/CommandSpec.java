package io.dwcp.cli.args;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command accepts, declared in code: its options, its operands and its subcommands. Parsing needs no
 * reflection and no annotation scan, so a command line is ready in well under a millisecond of a short-lived
 * process's start (picocli took about 0.1 s here: its Java 5 classes stay out of the JDK's start-up cache).
 *
 * <p>Rules, as most GNU tools have them: {@code --name value} and {@code --name=value}; short flags cluster
 * ({@code -ni}) and a short option takes its value attached or next ({@code -P4}, {@code -P 4}); an option that
 * takes a value takes the next argument whatever it looks like ({@code --small -1}); {@code --} ends the options;
 * {@code -h}/{@code --help} and {@code -V}/{@code --version} are every command's.
 */
public final class CommandSpec {
    /** Every command's help flag. */
    public static final OptionSpec HELP = OptionSpec.flag("Show this help message and exit.", "-h", "--help");
    /** Every command's version flag. */
    public static final OptionSpec VERSION = OptionSpec.flag("Print version information and exit.", "-V", "--version");

    private final String name;
    private final String synopsis;
    private final String description;
    private final String footer;
    private final List<OptionSpec> options;
    private final List<OptionSpec> required;
    private final Map<String, OptionSpec> byName;
    private final String operandLabel;
    private final String operandDescription;
    private final int minOperands;
    private final int maxOperands;
    private final List<CommandSpec> subcommands;

    private CommandSpec(Builder b) {
        name = b.name;
        synopsis = b.synopsis;
        description = b.description;
        footer = b.footer;
        List<OptionSpec> all = new ArrayList<>(b.options);
        all.add(HELP);
        all.add(VERSION);
        options = List.copyOf(all);
        required = List.copyOf(b.required);
        byName = new HashMap<>();
        for (OptionSpec o : options) {
            for (String n : o.names()) {
                if (byName.put(n, o) != null) {
                    throw new IllegalArgumentException("command " + name + " declares " + n + " twice");
                }
            }
        }
        operandLabel = b.operandLabel;
        operandDescription = b.operandDescription;
        minOperands = b.minOperands;
        maxOperands = b.maxOperands;
        subcommands = List.copyOf(b.subcommands);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    String synopsis() {
        return synopsis;
    }

    String footer() {
        return footer;
    }

    List<OptionSpec> options() {
        return options;
    }

    boolean required(OptionSpec o) {
        return required.contains(o);
    }

    String operandLabel() {
        return operandLabel;
    }

    String operandDescription() {
        return operandDescription;
    }

    int minOperands() {
        return minOperands;
    }

    int maxOperands() {
        return maxOperands;
    }

    public List<CommandSpec> subcommands() {
        return subcommands;
    }

    /**
     * Parses {@code args} (what follows the command's name). With subcommands, parsing stops at the first operand,
     * which names one: {@link ParsedArgs#rest()} holds it and what follows.
     *
     * @param command the qualified name for errors ({@code dwcp send})
     * @throws UsageException for an unknown option, a missing value or operand, or one too many
     */
    public ParsedArgs parse(String command, List<String> args) {
        ParsedArgs p = new ParsedArgs(this, command);
        boolean optionsEnd = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (optionsEnd || a.length() < 2 || a.charAt(0) != '-') {
                if (!subcommands.isEmpty()) {
                    p.rest(args.subList(i, args.size()));
                    return p;
                }
                p.operand(a);
            } else if (a.equals("--")) {
                optionsEnd = true;
            } else if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                OptionSpec o = option(command, eq < 0 ? a : a.substring(0, eq));
                if (!o.takesValue()) {
                    if (eq >= 0) {
                        throw new UsageException(command, "option=" + o.name() + " reason=takes-no-value");
                    }
                    p.add(o, null);
                } else if (eq >= 0) {
                    p.add(o, a.substring(eq + 1));
                } else if (i + 1 < args.size()) {
                    p.add(o, args.get(++i));
                } else {
                    throw new UsageException(command, "option=" + o.name() + " reason=missing-value expected=" + o.label());
                }
            } else {
                // a cluster of short options: flags, then at most one that takes the rest or the next argument
                for (int j = 1; j < a.length(); j++) {
                    OptionSpec o = byName.get("-" + a.charAt(j));
                    if (o == null) {
                        // name the whole argument too: "-weird" may be a file name that needed "--" before it
                        throw new UsageException(command, "option=-" + a.charAt(j)
                                + (a.length() > 2 ? " argument=" + a : "") + " reason=unknown");
                    }
                    if (!o.takesValue()) {
                        p.add(o, null);
                    } else if (j + 1 < a.length()) {
                        p.add(o, a.substring(j + 1));
                        break;
                    } else if (i + 1 < args.size()) {
                        p.add(o, args.get(++i));
                    } else {
                        throw new UsageException(command, "option=" + o.name() + " reason=missing-value expected="
                                + o.label());
                    }
                }
            }
            if (p.has(HELP) || p.has(VERSION)) {
                return p; // help asked for: the rest need not make sense
            }
        }
        for (OptionSpec o : required) {
            if (!p.has(o)) {
                throw new UsageException(command, "option=" + o.name() + " reason=required expected=" + o.label());
            }
        }
        int n = p.operands().size();
        if (n < minOperands) {
            throw new UsageException(command, "operands=" + n + " reason=too-few min=" + minOperands + " expected="
                    + operandLabel);
        }
        if (n > maxOperands) {
            throw new UsageException(command, "operand=\"" + p.operands().get(maxOperands) + "\" reason=unexpected"
                    + (maxOperands == 0 ? "" : " max=" + maxOperands + " expected=" + operandLabel));
        }
        return p;
    }

    private OptionSpec option(String command, String given) {
        OptionSpec o = byName.get(given);
        if (o == null) {
            throw new UsageException(command, "option=" + given + " reason=unknown");
        }
        return o;
    }

    /** Declares a command. */
    public static final class Builder {
        private final String name;
        private String synopsis;
        private String description = "";
        private String footer;
        private final List<OptionSpec> options = new ArrayList<>();
        private final List<OptionSpec> required = new ArrayList<>();
        private String operandLabel;
        private String operandDescription;
        private int minOperands;
        private int maxOperands;
        private final List<CommandSpec> subcommands = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder description(String text) {
            description = text;
            return this;
        }

        /** The usage line after {@code Usage: }; made from the options when not given. */
        public Builder synopsis(String text) {
            synopsis = text;
            return this;
        }

        /** Text at the end of the help. */
        public Builder footer(String text) {
            footer = text;
            return this;
        }

        public Builder options(OptionSpec... more) {
            options.addAll(List.of(more));
            return this;
        }

        public Builder options(List<OptionSpec> more) {
            options.addAll(more);
            return this;
        }

        /** An option that must be given (it must take a value). */
        public Builder required(OptionSpec o) {
            options.add(o);
            required.add(o);
            return this;
        }

        /** Between {@code min} and {@code max} operands, shown as {@code label}. */
        public Builder operands(String label, int min, int max, String text) {
            operandLabel = label;
            operandDescription = text;
            minOperands = min;
            maxOperands = max;
            return this;
        }

        public Builder subcommands(CommandSpec... more) {
            subcommands.addAll(List.of(more));
            return this;
        }

        public CommandSpec build() {
            return new CommandSpec(this);
        }
    }
}
