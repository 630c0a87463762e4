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
                    + "verified); SIGINT/SIGTERM abandons it.")
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
            System.err.println("dwcp recv: failed " + (o.error() == null ? "verified=false" : o.error()));
            return o.committed() ? TransferResult.EXIT_VERIFY : TransferResult.EXIT_FAILED;
        }
    }
}
