package io.dwcp.cli.args;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandSpecTest {
    private static final OptionSpec CHECKSUM = OptionSpec.flag("Compare by digests.", "-c", "--checksum");
    private static final OptionSpec DRY_RUN = OptionSpec.flag("Change nothing.", "-n", "--dry-run");
    private static final OptionSpec STREAMS = OptionSpec.value("N|auto", "auto", "Streams (default: ${DEFAULT-VALUE}).",
            "-P", "--streams");
    private static final OptionSpec EXCLUDE = OptionSpec.value("PATTERN", null, "Leave out.", "--exclude");
    private static final OptionSpec INCLUDE = OptionSpec.value("PATTERN", null, "Keep.", "--include");
    private static final OptionSpec ROOT = OptionSpec.value("DIR", null, "Root.", "--root");

    private static final CommandSpec SEND = CommandSpec.builder("send").description("Send things.")
            .options(CHECKSUM, DRY_RUN, STREAMS, EXCLUDE, INCLUDE)
            .operands("SRC|TARGET", 2, Integer.MAX_VALUE, "Sources, then the target.").build();

    private static ParsedArgs send(String... args) {
        return SEND.parse("dwcp send", List.of(args));
    }

    private static String usageError(CommandSpec spec, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> spec.parse("dwcp x", List.of(args)));
        assertEquals("dwcp x", e.command());
        return e.getMessage();
    }

    @Test
    void longOptionsTakeTheirValueAttachedOrNext() {
        assertEquals("4", send("--streams", "4", "a", "h:1").value(STREAMS));
        assertEquals("4", send("--streams=4", "a", "h:1").value(STREAMS));
        assertEquals("", send("--streams=", "a", "h:1").value(STREAMS));
        assertEquals("a=b", send("--exclude=a=b", "a", "h:1").value(EXCLUDE));
        assertEquals("auto", send("a", "h:1").value(STREAMS), "the default when not given");
        assertNull(send("a", "h:1").value(EXCLUDE));
        assertEquals("8", send("-P", "4", "--streams", "8", "a", "h:1").value(STREAMS), "the last one given counts");
    }

    @Test
    void shortFlagsClusterAndAShortOptionTakesTheRestOrTheNextArgument() {
        ParsedArgs p = send("-cnP4", "a", "h:1");
        assertTrue(p.has(CHECKSUM));
        assertTrue(p.has(DRY_RUN));
        assertEquals("4", p.value(STREAMS));
        assertEquals("6", send("-cP", "6", "a", "h:1").value(STREAMS));
        assertFalse(send("a", "h:1").has(CHECKSUM));
    }

    @Test
    void aValueIsTakenWhateverItLooksLike() {
        assertEquals("-1", send("--streams", "-1", "a", "h:1").value(STREAMS));
        assertEquals("--checksum", send("--exclude", "--checksum", "a", "h:1").value(EXCLUDE));
        assertFalse(send("--exclude", "--checksum", "a", "h:1").has(CHECKSUM));
    }

    @Test
    void operandsKeepTheirOrderAndDoubleDashEndsTheOptions() {
        assertEquals(List.of("a", "-c", "h:1"), send("a", "--", "-c", "h:1").operands());
        assertFalse(send("a", "--", "-c", "h:1").has(CHECKSUM));
        assertEquals(List.of("a", "b", "h:1"), send("a", "-c", "b", "h:1").operands(), "options between operands");
        assertEquals(List.of("-", "h:1"), send("-", "h:1").operands(), "a lone dash is an operand");
    }

    @Test
    void optionsAreKeptInTheOrderGiven() {
        ParsedArgs p = send("--include", "x", "-c", "--exclude=y", "--include", "z", "a", "h:1");
        assertEquals(4, p.size());
        assertEquals(List.of(INCLUDE, CHECKSUM, EXCLUDE, INCLUDE),
                List.of(p.optionAt(0), p.optionAt(1), p.optionAt(2), p.optionAt(3)));
        assertEquals("y", p.valueAt(2));
        assertEquals(List.of("x", "z"), p.values(INCLUDE));
    }

    @Test
    void badCommandLinesAreUsageErrorsThatNameWhatIsWrong() {
        assertEquals("option=--bogus reason=unknown", usageError(SEND, "--bogus", "a", "h:1"));
        assertEquals("option=-q argument=-cq reason=unknown", usageError(SEND, "-cq", "a", "h:1"));
        assertEquals("option=-q reason=unknown", usageError(SEND, "-q", "a", "h:1"));
        assertEquals("option=--checksum reason=takes-no-value", usageError(SEND, "--checksum=1", "a", "h:1"));
        assertEquals("option=--streams reason=missing-value expected=N|auto", usageError(SEND, "a", "h:1", "-P"));
        assertEquals("option=--exclude reason=missing-value expected=PATTERN", usageError(SEND, "a", "h:1", "--exclude"));
        assertEquals("operands=1 reason=too-few min=2 expected=SRC|TARGET", usageError(SEND, "a"));
        CommandSpec one = CommandSpec.builder("recv").required(ROOT).operands("DIR", 1, 1, "Dir.").build();
        assertEquals("option=--root reason=required expected=DIR", usageError(one, "d"));
        assertEquals("operand=\"e\" reason=unexpected max=1 expected=DIR", usageError(one, "--root", "r", "d", "e"));
        CommandSpec none = CommandSpec.builder("genkey").build();
        assertEquals("operand=\"x\" reason=unexpected", usageError(none, "x"));
    }

    @Test
    void typedValuesAreCheckedWhenRead() {
        OptionSpec port = OptionSpec.value("PORT", "7401", "Port.", "--data-port");
        CommandSpec serve = CommandSpec.builder("serve").options(port).build();
        assertEquals(7401, serve.parse("dwcp serve", List.of()).intValue(port));
        assertEquals(9, serve.parse("dwcp serve", List.of("--data-port", "9")).intValue(port));
        UsageException e = assertThrows(UsageException.class,
                () -> serve.parse("dwcp serve", List.of("--data-port", "x")).intValue(port));
        assertEquals("option=--data-port value=x reason=not-an-integer", e.getMessage());
        UsageException nul = assertThrows(UsageException.class,
                () -> send("a", "\0", "h:1").path("source", "a\0b"));
        assertEquals("source=a\0b reason=invalid-path", nul.getMessage());
    }

    @Test
    void helpAnywhereWinsOverWhatIsMissingOrWrongAfterIt() {
        CommandSpec one = CommandSpec.builder("serve").required(ROOT).build();
        assertTrue(one.parse("dwcp serve", List.of("--help")).has(CommandSpec.HELP));
        assertTrue(send("-h").has(CommandSpec.HELP));
        assertTrue(send("a", "-V", "--bogus").has(CommandSpec.VERSION));
    }

    @Test
    void aCommandWithSubcommandsStopsAtTheFirstOperand() {
        CommandSpec up = CommandSpec.builder("up").options(STREAMS).operands("CONF", 1, 1, "Conf.").build();
        CommandSpec tunnel = CommandSpec.builder("tunnel").options(CHECKSUM).subcommands(up).build();
        ParsedArgs p = tunnel.parse("dwcp tunnel", List.of("-c", "up", "--streams", "2", "wg0.conf"));
        assertTrue(p.has(CHECKSUM));
        assertEquals(List.of("up", "--streams", "2", "wg0.conf"), p.rest());
        assertTrue(p.operands().isEmpty());
        assertEquals(List.of(), tunnel.parse("dwcp tunnel", List.of()).rest());
    }

    @Test
    void aNameDeclaredTwiceIsRefusedWhenTheCommandIsBuilt() {
        OptionSpec again = OptionSpec.flag("Again.", "-c", "--check");
        assertThrows(IllegalArgumentException.class, () -> CommandSpec.builder("x").options(CHECKSUM, again).build());
    }

    @Test
    void helpFillsInDefaultsAndFitsEightyColumns() {
        String help = HelpText.of(SEND, "dwcp send");
        assertTrue(help.startsWith("Usage: dwcp send [-hV] [-c|--checksum] [-n|--dry-run] [-P|--streams N|auto]"), help);
        assertTrue(help.contains("  -P, --streams=N|auto      Streams (default: auto).\n"), help);
        assertTrue(help.contains("      --exclude=PATTERN     Leave out.\n"), help);
        assertTrue(help.contains("      SRC|TARGET...         Sources, then the target.\n"), help);
        assertTrue(help.contains("  -h, --help                Show this help message and exit.\n"), help);
        for (String line : help.split("\n")) {
            assertTrue(line.length() <= 80, () -> "longer than 80: " + line);
        }
        CommandSpec serve = CommandSpec.builder("serve").required(ROOT).options(CHECKSUM).build();
        assertTrue(HelpText.of(serve, "dwcp serve").startsWith("Usage: dwcp serve [-hV] --root DIR [-c|--checksum]\n"),
                () -> "a required option has no brackets: " + HelpText.of(serve, "dwcp serve"));
        String withSubs = HelpText.of(CommandSpec.builder("tunnel").description("Tunnels.")
                .subcommands(CommandSpec.builder("up").description("Bring one up.").build()).build(), "dwcp tunnel");
        assertTrue(withSubs.contains("Commands:\n  up  Bring one up.\n"), withSubs);
    }
}
