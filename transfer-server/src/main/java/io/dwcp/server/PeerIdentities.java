package io.dwcp.server;

import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Who a connection is, from its source address: with {@code serve --tunnel}, the WireGuard peer whose allowed IPs
 * cover the address (cryptokey routing has authenticated it). Each identity gets its own directory below the root.
 */
public interface PeerIdentities {
    /**
     * The directory name (one path element, safe as a file name) of the peer at {@code remote}, or empty when no peer
     * may use that address: the connection is refused.
     */
    Optional<String> identify(InetSocketAddress remote);

    /** One line for the start-up log. */
    String describe();
}
