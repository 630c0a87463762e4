package io.dwcp.cli;

import io.dwcp.cli.args.Command;
import io.dwcp.cli.args.CommandSpec;
import io.dwcp.cli.args.HelpText;
import io.dwcp.cli.args.ParsedArgs;
import io.dwcp.cli.args.UsageException;
import io.dwcp.engine.send.TransferResult;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** {@code dwcp}: the command line. Exit codes: 0 done and verified, 1 usage, 2 transfer failed, 3 verification failed. */
public final class Main {
    private static final String COMMAND_NAMES = "serve|recv|send|demo|genkey|pubkey|tunnel";

    /** Stands for {@code dwcp help COMMAND} in the list of commands. */
    private static final CommandSpec HELP = CommandSpec.builder("help")
            .description("Display help information about the specified command.")
            .operands("COMMAND", 0, 1, "The command whose help to show.").build();

    /** Only the top level's help needs every command's spec; a run builds the one it names. */
    private static CommandSpec root() {
        return CommandSpec.builder("dwcp")
                .description("High-throughput, verified file transfer over long, fat, lossy links.")
                .subcommands(ServeCommand.SPEC, RecvCommand.SPEC, SendCommand.SPEC, DemoCommand.SPEC,
                        KeyCommands.Genkey.SPEC, KeyCommands.Pubkey.SPEC, TunnelCommand.SPEC, HELP)
                .footer("Exit codes:\n  0   done and verified\n  1   usage error\n  2   transfer failed\n"
                        + "  3   verification failed\n")
                .build();
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this in-process). */
    public static int run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        try {
            if (args.length == 0) {
                throw new UsageException("dwcp", "reason=missing-command expected=" + COMMAND_NAMES);
            }
            String first = args[0];
            List<String> rest = Arrays.asList(args).subList(1, args.length);
            switch (first) {
                case "-h", "--help" -> {
                    out.print(HelpText.of(root(), "dwcp"));
                    return TransferResult.EXIT_OK;
                }
                case "-V", "--version" -> {
                    out.println(version());
                    return TransferResult.EXIT_OK;
                }
                case "help" -> {
                    return help(HELP.parse("dwcp help", rest), out);
                }
                default -> {
                    Command c = command(first);
                    if (c == null) {
                        throw new UsageException("dwcp", (first.startsWith("-") ? "option=" : "command=") + first
                                + " reason=unknown expected=" + COMMAND_NAMES);
                    }
                    return execute(c, "dwcp " + first, rest, out);
                }
            }
        } catch (UsageException e) {
            err.println("dwcp: " + e.getMessage());
            err.println("try: " + e.command() + " --help");
            return TransferResult.EXIT_USAGE;
        } catch (IllegalArgumentException e) {
            err.println("dwcp: " + e.getMessage());
            return TransferResult.EXIT_USAGE;
        } catch (Exception e) {
            err.println("dwcp: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return TransferResult.EXIT_FAILED;
        }
    }

    private static int execute(Command c, String name, List<String> args, PrintStream out) throws Exception {
        ParsedArgs parsed = c.spec().parse(name, args);
        if (parsed.has(CommandSpec.HELP)) {
            out.print(HelpText.of(c.spec(), name));
            return TransferResult.EXIT_OK;
        }
        if (parsed.has(CommandSpec.VERSION)) {
            out.println(version());
            return TransferResult.EXIT_OK;
        }
        if (!parsed.rest().isEmpty()) {
            String subName = parsed.rest().get(0);
            Command sub = c.subcommand(subName);
            if (sub == null) {
                throw new UsageException(name, "command=" + subName + " reason=unknown");
            }
            return execute(sub, name + " " + subName, parsed.rest().subList(1, parsed.rest().size()), out);
        }
        return c.run(parsed);
    }

    private static int help(ParsedArgs parsed, PrintStream out) {
        if (parsed.has(CommandSpec.HELP) || parsed.operands().isEmpty()) {
            out.print(HelpText.of(root(), "dwcp"));
            return TransferResult.EXIT_OK;
        }
        String name = parsed.operands().get(0);
        Command c = command(name);
        if (c == null) {
            throw new UsageException("dwcp", "command=" + name + " reason=unknown expected=" + COMMAND_NAMES);
        }
        out.print(HelpText.of(c.spec(), "dwcp " + name));
        return TransferResult.EXIT_OK;
    }

    private static Command command(String name) {
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

    /** {@code dwcp VERSION (protocol N, java V)}. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return "dwcp " + (v == null ? "0.1.0-dev" : v) + " (protocol " + io.dwcp.core.frame.FrameDescriptor.VERSION
                + ", java " + Runtime.version() + ")";
    }
}
