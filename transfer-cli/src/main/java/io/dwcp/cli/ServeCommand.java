package io.dwcp.cli;

import io.dwcp.cli.args.Command;
import io.dwcp.cli.args.CommandSpec;
import io.dwcp.cli.args.OptionSpec;
import io.dwcp.cli.args.ParsedArgs;
import io.dwcp.server.DwcpServer;
import io.dwcp.server.PeerIdentities;
import io.dwcp.server.ServerConfig;
import io.dwcp.server.TunnelPeers;
import io.dwcp.wireguard.tunnel.Tunnel;
import io.dwcp.wireguard.tunnel.TunnelOptions;
import java.net.InetSocketAddress;
import java.nio.file.Path;

final class ServeCommand implements Command {
    static final OptionSpec ROOT = OptionSpec.value("DIR", null, "Every received path lands below this directory.",
            "--root");

    static final OptionSpec TUNNEL = OptionSpec.value("CONF", null, "Run a WireGuard interface from CONF (as dwcp tunnel "
            + "up) in this process and listen on its first Address: connections are identified by the peer whose "
            + "AllowedIPs cover their source, each peer's transfers land in ROOT/<its public key, base64url>, others "
            + "are refused. Needs CAP_NET_ADMIN.", "--tunnel");

    static final CommandSpec SPEC = CommandSpec.builder("serve")
            .description("Run the transfer server (stops on SIGINT/SIGTERM).")
            .required(ROOT).options(ServerOptions.ALL).options(TUNNEL).build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs args) throws Exception {
        ServerConfig config = ServerOptions.config(args, args.path(ROOT), false);
        Path tunnelConf = args.path(TUNNEL);
        Tunnel tunnel = null;
        PeerIdentities identities = null;
        if (tunnelConf != null) {
            tunnel = Tunnel.up(TunnelCommand.interfaceName(tunnelConf), TunnelCommand.load(tunnelConf),
                    TunnelOptions.DEFAULT);
            identities = new TunnelPeers(tunnel);
            config = new ServerConfig(config.root(), new InetSocketAddress(tunnel.address(), config.control().getPort()),
                    config.dataPort(), config.token(), config.plainRemote(), config.oneShot(), config.limits(),
                    config.io(), config.numa(), config.partMaxAge());
        }
        DwcpServer s;
        try {
            s = DwcpServer.start(config, identities);
        } catch (Exception e) {
            if (tunnel != null) {
                tunnel.close();
            }
            throw e;
        }
        Tunnel t = tunnel;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.close();
            if (t != null) {
                t.close();
            }
        }, "dwcp-shutdown"));
        s.warmUpDigests();
        s.awaitClose();
        return 0;
    }
}
