package io.dwcp.cli.args;

/** A command of the CLI: what it accepts, and what it does with a command line that parsed. */
public interface Command {
    CommandSpec spec();

    /**
     * Runs the command; returns the process's exit code.
     *
     * @throws IllegalArgumentException for input that parsed but cannot be used (exit 1)
     * @throws Exception for anything that went wrong on the way (exit 2)
     */
    int run(ParsedArgs args) throws Exception;

    /** The subcommand of that name, null when there is none. */
    default Command subcommand(String name) {
        return null;
    }
}
