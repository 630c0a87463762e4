package io.dwcp.cli;

import io.dwcp.wireguard.config.ConfigException;
import io.dwcp.wireguard.config.ConfigFile;
import io.dwcp.wireguard.config.InterfaceConfig;
import io.dwcp.wireguard.tunnel.Tunnel;
import io.dwcp.wireguard.tunnel.TunnelException;
import io.dwcp.wireguard.tunnel.TunnelOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dwcp tunnel up CONF}: a userspace WireGuard interface in the foreground until SIGINT/SIGTERM. */
@Command(name = "tunnel", mixinStandardHelpOptions = true,
        description = "Userspace WireGuard tunnels (interoperable with wg, wireguard-go and the kernel).",
        subcommands = {TunnelCommand.Up.class})
final class TunnelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: up");
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Bring up the interface CONF describes (wg-quick format: [Interface] PrivateKey, Address, "
                    + "ListenPort, MTU; [Peer] PublicKey, PresharedKey, AllowedIPs, Endpoint, PersistentKeepalive) and "
                    + "run until stopped. wg show/set NAME work against it. Needs CAP_NET_ADMIN (root).")
    static final class Up implements Callable<Integer> {
        @Parameters(paramLabel = "CONF", description = "Configuration file; the interface is named after it (wg0.conf: wg0).")
        Path conf;

        @Option(names = "--name", paramLabel = "IFNAME", description = "Interface name instead of the file's name.")
        String name;

        @Option(names = "--offload", paramLabel = "full|coalesce|tso|off", defaultValue = "full", description = "Offload "
                + "steps, to compare them: full (TSO read from the TUN device, TCP coalescing for it, UDP GSO sends), "
                + "coalesce (without UDP GSO), tso (send side TSO only) or off (a packet per read and write) "
                + "(default: ${DEFAULT-VALUE}).")
        String offload;

        @Option(names = "--crypto-workers", paramLabel = "N", defaultValue = "-1", description = "Threads per "
                + "direction that help seal and open each batch (default: none below 4 CPUs, else CPUs/2-1, at most 3).")
        int cryptoWorkers;

        @Override
        public Integer call() throws IOException, TunnelException {
            if (cryptoWorkers > 64) {
                throw new IllegalArgumentException("crypto-workers=" + cryptoWorkers + " reason=out-of-range max=64");
            }
            InterfaceConfig config = load(conf);
            String ifname = name != null ? name : interfaceName(conf);
            Tunnel tunnel = Tunnel.up(ifname, config, new TunnelOptions(
                    io.dwcp.wireguard.device.Timings.STANDARD, TunnelOptions.Offload.parse(offload), true, cryptoWorkers));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                tunnel.close();
                stopped.countDown();
            }, "dwcp-tunnel-shutdown"));
            System.err.println("dwcp: tunnel " + tunnel.interfaceName() + " up, listening on UDP port "
                    + tunnel.device().listenPort() + " (wg show " + tunnel.interfaceName() + "); Ctrl-C stops it");
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }

    /** Parses a configuration file, turning its errors into usage errors with the line that is wrong. */
    static InterfaceConfig load(Path conf) throws IOException {
        try {
            return ConfigFile.parse(conf);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("config=" + conf + " reason=no-such-file");
        }
    }

    /** wg-quick's rule: the file's name without {@code .conf}, at most 15 characters. */
    static String interfaceName(Path conf) {
        String n = conf.getFileName().toString();
        if (n.endsWith(".conf")) {
            n = n.substring(0, n.length() - 5);
        }
        if (n.isEmpty() || n.length() > 15 || !n.matches("[a-zA-Z0-9_=+.-]+")) {
            throw new IllegalArgumentException("config=" + conf + " reason=cannot-name-interface (use --name IFNAME, "
                    + "at most 15 characters)");
        }
        return n;
    }
}
