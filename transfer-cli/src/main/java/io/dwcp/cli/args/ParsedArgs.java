package io.dwcp.cli.args;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed command line: the options in the order given (some, like rsync's filter rules, mean something by
 * their order), the operands, and, for a command with subcommands, the arguments from the subcommand's name on.
 */
public final class ParsedArgs {
    private final CommandSpec spec;
    private final String command;
    private final List<OptionSpec> given = new ArrayList<>();
    private final List<String> values = new ArrayList<>();
    private final List<String> operands = new ArrayList<>();
    private List<String> rest = List.of();

    ParsedArgs(CommandSpec spec, String command) {
        this.spec = spec;
        this.command = command;
    }

    void add(OptionSpec o, String value) {
        given.add(o);
        values.add(value);
    }

    void operand(String a) {
        operands.add(a);
    }

    void rest(List<String> r) {
        rest = List.copyOf(r);
    }

    public CommandSpec spec() {
        return spec;
    }

    /** The qualified name of the command ({@code dwcp send}). */
    public String command() {
        return command;
    }

    public boolean has(OptionSpec o) {
        for (OptionSpec g : given) {
            if (g == o) {
                return true;
            }
        }
        return false;
    }

    /** The value given last, else the default (null when there is none). */
    public String value(OptionSpec o) {
        for (int i = given.size() - 1; i >= 0; i--) {
            if (given.get(i) == o) {
                return values.get(i);
            }
        }
        return o.defaultValue();
    }

    /** Every value given, in order (empty when none was). */
    public List<String> values(OptionSpec o) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            if (given.get(i) == o) {
                out.add(values.get(i));
            }
        }
        return out;
    }

    /** The value as an int; a usage error when it is not one. */
    public int intValue(OptionSpec o) {
        String v = value(o);
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new UsageException(command, "option=" + o.name() + " value=" + v + " reason=not-an-integer");
        }
    }

    /** The value as a path, null when neither given nor defaulted. */
    public Path path(OptionSpec o) {
        String v = value(o);
        return v == null ? null : path(o.name(), v);
    }

    /** {@code value} as a path; a usage error naming {@code what} when it cannot be one. */
    public Path path(String what, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException(command, what + "=" + value + " reason=invalid-path");
        }
    }

    /** How many options were given; with {@link #optionAt} and {@link #valueAt}, them in order. */
    public int size() {
        return given.size();
    }

    public OptionSpec optionAt(int i) {
        return given.get(i);
    }

    public String valueAt(int i) {
        return values.get(i);
    }

    public List<String> operands() {
        return operands;
    }

    /** For a command with subcommands: the subcommand's name and its arguments (empty when none was named). */
    public List<String> rest() {
        return rest;
    }
}
