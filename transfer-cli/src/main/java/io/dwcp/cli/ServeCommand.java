package io.dwcp.cli;

import io.dwcp.server.DwcpServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the transfer server (stops on SIGINT/SIGTERM).")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Every received path lands below this directory.")
    Path root;

    @Mixin
    ServerOptions server = new ServerOptions();

    @Override
    public Integer call() throws Exception {
        DwcpServer s = DwcpServer.start(server.config(root, false));
        Runtime.getRuntime().addShutdownHook(new Thread(s::close, "dwcp-shutdown"));
        s.warmUpDigests();
        s.awaitClose();
        return 0;
    }
}
