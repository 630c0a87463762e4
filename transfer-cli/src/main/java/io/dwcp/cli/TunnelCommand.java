package io.dwcp.cli;

import io.dwcp.cli.args.Command;
import io.dwcp.cli.args.CommandSpec;
import io.dwcp.cli.args.OptionSpec;
import io.dwcp.cli.args.ParsedArgs;
import io.dwcp.cli.args.UsageException;
import io.dwcp.wireguard.config.ConfigException;
import io.dwcp.wireguard.config.ConfigFile;
import io.dwcp.wireguard.config.InterfaceConfig;
import io.dwcp.wireguard.tunnel.Tunnel;
import io.dwcp.wireguard.tunnel.TunnelException;
import io.dwcp.wireguard.tunnel.TunnelOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code dwcp tunnel up CONF}: a userspace WireGuard interface in the foreground until SIGINT/SIGTERM. */
final class TunnelCommand implements Command {
    static final CommandSpec SPEC = CommandSpec.builder("tunnel")
            .description("Userspace WireGuard tunnels (interoperable with wg, wireguard-go and the kernel).")
            .subcommands(Up.SPEC).build();

    @Override
    public CommandSpec spec() {
        return SPEC;
    }

    @Override
    public int run(ParsedArgs args) {
        throw new UsageException(args.command(), "reason=missing-subcommand expected=up");
    }

    @Override
    public Command subcommand(String name) {
        return name.equals("up") ? new Up() : null;
    }

    static final class Up implements Command {
        private static final String DESCRIPTION = "Bring up the interface CONF describes (wg-quick format: "
                + "[Interface] PrivateKey, Address, ListenPort, MTU; [Peer] PublicKey, PresharedKey, AllowedIPs, "
                + "Endpoint, PersistentKeepalive) and run until stopped. wg show/set NAME work against it. Needs "
                + "CAP_NET_ADMIN (root).";

        static final OptionSpec NAME = OptionSpec.value("IFNAME", null, "Interface name instead of the file's name.",
                "--name");

        static final OptionSpec OFFLOAD = OptionSpec.value("full|coalesce|tso|off", "full", "Offload "
                + "steps, to compare them: full (TSO read from the TUN device, TCP coalescing for it, UDP GSO sends), "
                + "coalesce (without UDP GSO), tso (send side TSO only) or off (a packet per read and write) "
                + "(default: ${DEFAULT-VALUE}).", "--offload");

        static final OptionSpec CRYPTO_WORKERS = OptionSpec.value("N", "-1", "Threads per direction that help seal and "
                + "open each batch (default: none below 4 CPUs, else CPUs/2-1, at most 3).", "--crypto-workers");

        static final CommandSpec SPEC = CommandSpec.builder("up").description(DESCRIPTION)
                .options(NAME, OFFLOAD, CRYPTO_WORKERS)
                .operands("CONF", 1, 1, "Configuration file; the interface is named after it (wg0.conf: wg0).").build();

        @Override
        public CommandSpec spec() {
            return SPEC;
        }

        @Override
        public int run(ParsedArgs args) throws IOException, TunnelException {
            int cryptoWorkers = args.intValue(CRYPTO_WORKERS);
            Path conf = args.path("config", args.operands().get(0));
            String name = args.value(NAME);
            String offload = args.value(OFFLOAD);
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
