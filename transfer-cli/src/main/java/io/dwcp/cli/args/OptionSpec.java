package io.dwcp.cli.args;

import java.util.List;

/**
 * One option of a command: its names (a short one first when it has one), the label of its value ({@code null} for a
 * flag), the value it has when not given ({@code null}: none) and its help text, in which {@code ${DEFAULT-VALUE}}
 * stands for that default. Options are compared by identity: each is declared once, as a constant. (Not a record:
 * a record's equals is bootstrapped through invokedynamic at its first call, some milliseconds of every start.)
 */
public final class OptionSpec {
    private final List<String> names;
    private final String label;
    private final String defaultValue;
    private final String description;

    private OptionSpec(List<String> names, String label, String defaultValue, String description) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("an option needs a name");
        }
        this.names = List.copyOf(names);
        this.label = label;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** An option without a value: given or not. */
    public static OptionSpec flag(String description, String... names) {
        return new OptionSpec(List.of(names), null, null, description);
    }

    /** An option with a value, {@code defaultValue} when it is not given. */
    public static OptionSpec value(String label, String defaultValue, String description, String... names) {
        if (label == null) {
            throw new IllegalArgumentException("an option with a value needs a label");
        }
        return new OptionSpec(List.of(names), label, defaultValue, description);
    }

    /** Its names, a short one first when it has one. */
    public List<String> names() {
        return names;
    }

    /** The label of its value ({@code N|auto}), null for a flag. */
    public String label() {
        return label;
    }

    /** Its value when not given, null when none. */
    public String defaultValue() {
        return defaultValue;
    }

    public boolean takesValue() {
        return label != null;
    }

    /** The name errors use: the long one when there is one. */
    public String name() {
        return names.get(names.size() - 1);
    }

    /** The help text with its default filled in. */
    String help() {
        return defaultValue == null ? description : description.replace("${DEFAULT-VALUE}", defaultValue);
    }
}
