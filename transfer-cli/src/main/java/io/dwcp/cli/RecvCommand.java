package io.dwcp.cli;

import io.dwcp.engine.send.TransferResult;
import io.dwcp.server.DwcpServer;
import io.dwcp.engine.receive.SessionOutcome;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "recv", mixinStandardHelpOptions = true,
        description = "Receive one transfer into DIR, then exit with its status (0 verified, 2 failed, 3 not verified);"
                + " SIGINT/SIGTERM abandons it.")
final class RecvCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Directory that receives the transfer.")
    Path dir;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Override
    public Integer call() throws Exception {
        try (DwcpServer s = DwcpServer.start(server.config(dir, true))) {
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
