package io.dwcp.wireguard.config;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [Interface]} keys only wg-quick understands ({@code wg setconf} rejects them). They are parsed and
 * kept verbatim so a wg-quick file loads unchanged; the peer itself neither runs the hooks nor configures DNS or
 * routing tables: that is left to whoever brings the interface up.
 *
 * @param dns DNS servers and search domains in file order, as wg-quick splits them on commas
 * @param table {@code Table} as written ({@code auto}, {@code off}, a number or a table name)
 * @param preUp PreUp commands, each the raw text after '=' (wg-quick keeps '#' inside commands)
 * @param postUp PostUp commands
 * @param preDown PreDown commands
 * @param postDown PostDown commands
 * @param saveConfig SaveConfig
 */
public record WgQuickOptions(List<String> dns, Optional<String> table, List<String> preUp, List<String> postUp,
                             List<String> preDown, List<String> postDown, boolean saveConfig) {
    /** No wg-quick options at all. */
    public static final WgQuickOptions NONE =
            new WgQuickOptions(List.of(), Optional.empty(), List.of(), List.of(), List.of(), List.of(), false);

    /** Copies the lists so the record stays immutable. */
    public WgQuickOptions {
        dns = List.copyOf(dns);
        Objects.requireNonNull(table, "table");
        preUp = List.copyOf(preUp);
        postUp = List.copyOf(postUp);
        preDown = List.copyOf(preDown);
        postDown = List.copyOf(postDown);
    }
}
