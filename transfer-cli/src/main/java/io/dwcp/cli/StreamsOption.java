package io.dwcp.cli;

import io.dwcp.engine.send.TransferClient;
import io.dwcp.core.Limits;
import io.dwcp.cli.args.OptionSpec;
import io.dwcp.cli.args.ParsedArgs;

/** The {@code -P N|auto} option of the commands that send. */
final class StreamsOption {
    static final OptionSpec STREAMS = OptionSpec.value("N|auto", "auto", "Parallel data streams; auto: 4 over a "
            + "network, over loopback one per 4 cores (at most 4) (default: ${DEFAULT-VALUE}).", "-P", "--streams");

    private final String value;

    StreamsOption(ParsedArgs args) {
        value = args.value(STREAMS);
    }

    /** The count asked for, or {@link TransferClient#AUTO_STREAMS}; a clear usage error when out of range. */
    int count() {
        if ("auto".equals(value)) {
            return TransferClient.AUTO_STREAMS;
        }
        int max = Limits.defaults().maxStreams();
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("streams=" + value + " reason=not-a-number-or-auto");
        }
        if (n < 1 || n > max) {
            throw new IllegalArgumentException("streams=" + n + " reason=out-of-range min=1 max=" + max);
        }
        return n;
    }
}
