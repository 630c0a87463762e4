package io.dwcp.cli;

import io.dwcp.cli.args.Command;
import io.dwcp.cli.args.CommandSpec;
import io.dwcp.cli.args.ParsedArgs;
import io.dwcp.wireguard.config.WgKey;
import io.dwcp.wireguard.crypto.Keys;
import io.dwcp.wireguard.crypto.X25519;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** {@code dwcp genkey} and {@code dwcp pubkey}: the same formats and streams as {@code wg genkey} / {@code wg pubkey}. */
final class KeyCommands {
    private KeyCommands() {
    }

    static final class Genkey implements Command {
        static final CommandSpec SPEC = CommandSpec.builder("genkey")
                .description("Print a new private key (base64, as wg genkey) on standard output.").build();

        @Override
        public CommandSpec spec() {
            return SPEC;
        }

        @Override
        public int run(ParsedArgs args) {
            System.out.println(WgKey.of(Keys.genkey()).toBase64());
            return 0;
        }
    }

    static final class Pubkey implements Command {
        static final CommandSpec SPEC = CommandSpec.builder("pubkey")
                .description("Read a private key on standard input, print its public key (as wg pubkey).").build();

        @Override
        public CommandSpec spec() {
            return SPEC;
        }

        @Override
        public int run(ParsedArgs args) throws IOException {
            // a key is 44 characters; read a little more so trailing junk is noticed, never an unbounded line
            byte[] in = System.in.readNBytes(256);
            String text = new String(in, StandardCharsets.US_ASCII).strip();
            WgKey priv;
            try {
                priv = WgKey.parseBase64(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pubkey: key=invalid (expected the base64 private key from dwcp genkey "
                        + "or wg genkey on standard input)");
            }
            System.out.println(WgKey.of(X25519.publicKey(Keys.clamp(priv.toBytes()))).toBase64());
            return 0;
        }
    }
}
