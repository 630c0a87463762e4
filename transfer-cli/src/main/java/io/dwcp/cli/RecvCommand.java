package io.dwcp.cli;

import io.dwcp.cli.args.Command;
import io.dwcp.cli.args.CommandSpec;
import io.dwcp.cli.args.ParsedArgs;
import io.dwcp.engine.send.TransferResult;
import io.dwcp.server.DwcpServer;
import io.dwcp.engine.receive.SessionOutcome;
import java.nio.file.Path;

final class RecvCommand implements Command {
    static final CommandSpec SPEC = CommandSpec.builder("recv")
            .description("Receive one transfer into DIR, then exit with its status (0 verified, 2 failed, 3 not "
                    + "verified, 4 partial: some entries failed, the rest is in place); SIGINT/SIGTERM abandons it.")
            .options(ServerOptions.ALL).operands("DIR", 1, 1, "Directory that receives the transfer.").build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs args) throws Exception {
        Path dir = args.path("dir", args.operands().get(0));
        try (DwcpServer s = DwcpServer.start(ServerOptions.config(args, dir, true))) {
            // SIGTERM or SIGINT: the transfer in progress is told, and its part files go.
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "dwcp-shutdown"));
            SessionOutcome o = s.firstOutcome().get();
            if (o.committed() && o.verified()) {
                System.err.println("dwcp recv: done files=" + o.files() + " bytes=" + o.bytes() + " verified=true");
                return TransferResult.EXIT_OK;
            }
            if (o.committed() && o.verifyFailed() == 0 && o.failed() > 0) {
                // As the sender's exit 4: what failed is named in the log, and the rest of the tree is in place.
                System.err.println("dwcp recv: partial files=" + o.files() + " bytes=" + o.bytes() + " failed="
                        + o.failed());
                return TransferResult.EXIT_PARTIAL;
            }
            System.err.println("dwcp recv: failed " + (o.error() == null ? "verified=false failed=" + o.failed()
                    + " not_verified=" + o.verifyFailed() : o.error()));
            return o.committed() ? TransferResult.EXIT_VERIFY : TransferResult.EXIT_FAILED;
        }
    }
}
