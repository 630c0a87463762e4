package io.dwcp.cli;

import io.dwcp.engine.send.TransferResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code dwcp}: the command line. Exit codes: 0 done and verified, 1 usage, 2 transfer failed, 3 verification failed. */
@Command(name = "dwcp", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "High-throughput, verified file transfer over long, fat, lossy links.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done and verified", "1:usage error", "2:transfer failed", "3:verification failed"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: serve, recv, send, demo, genkey, pubkey or tunnel");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this in-process). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        // picocli builds the model of every registered command by reflection, about 10 ms each at start-up:
        // a named command gets only itself; anything else (help, an unknown name) gets them all.
        Object named = args.length == 0 ? null : command(args[0]);
        if (named != null) {
            cl.addSubcommand(named);
        } else {
            for (String name : COMMANDS) {
                cl.addSubcommand(command(name));
            }
            cl.addSubcommand(new CommandLine.HelpCommand());
        }
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("dwcp: " + ex.getMessage());
            c.getErr().println("try: " + c.getCommandSpec().qualifiedName() + " --help");
            return TransferResult.EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            if (ex instanceof IllegalArgumentException) {
                c.getErr().println("dwcp: " + ex.getMessage());
                return TransferResult.EXIT_USAGE;
            }
            c.getErr().println("dwcp: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return TransferResult.EXIT_FAILED;
        });
        return cl.execute(args);
    }

    private static final String[] COMMANDS = {"serve", "recv", "send", "demo", "genkey", "pubkey", "tunnel"};

    private static Object command(String name) {
        return switch (name) {
            case "serve" -> new ServeCommand();
            case "recv" -> new RecvCommand();
            case "send" -> new SendCommand();
            case "demo" -> new DemoCommand();
            case "genkey" -> new KeyCommands.Genkey();
            case "pubkey" -> new KeyCommands.Pubkey();
            case "tunnel" -> new TunnelCommand();
            default -> null;
        };
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dwcp " + (v == null ? "0.1.0-dev" : v) + " (protocol "
                    + io.dwcp.core.frame.FrameDescriptor.VERSION + ", java " + Runtime.version() + ")"};
        }
    }
}
