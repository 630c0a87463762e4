package io.dwcp.cli.args;

import java.util.List;

/**
 * One option of a command: its names (a short one first when it has one), the label of its value ({@code null} for a
 * flag), the value it has when not given ({@code null}: none) and its help text, in which {@code ${DEFAULT-VALUE}}
 * stands for that default.
 */
public record OptionSpec(List<String> names, String label, String defaultValue, String description) {
    public OptionSpec {
        names = List.copyOf(names);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("an option needs a name");
        }
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
