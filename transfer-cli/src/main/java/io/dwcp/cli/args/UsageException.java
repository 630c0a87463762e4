package io.dwcp.cli.args;

/**
 * A command line that cannot run as given: the CLI prints the message and the command whose help would tell how,
 * and exits 1 before anything is sent.
 */
public final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String command;

    public UsageException(String command, String message) {
        super(message);
        this.command = command;
    }

    /** The qualified name of the command ({@code dwcp send}) whose help applies. */
    public String command() {
        return command;
    }
}
