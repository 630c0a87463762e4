package io.dwcp.wireguard.uapi;

import io.dwcp.wireguard.config.Endpoints;
import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.WgKey;

/**
 * The text of the cross-platform configuration protocol (wireguard.com/xplatform), byte for byte as wireguard-go's
 * device/uapi.go produces and accepts it. A request is {@code get=1\n\n} or {@code set=1\n} followed by
 * {@code key=value} lines and a blank line; every response ends with {@code errno=N\n\n}, N being 0 or a negated
 * errno. Stateless and thread-safe.
 */
public final class UapiProtocol {
    /** The operation line of a get request, without its newline. */
    public static final String GET = "get=1";
    /** The operation line of a set request, without its newline. */
    public static final String SET = "set=1";

    private UapiProtocol() {
    }

    /**
     * The {@code get=1} body for {@code snapshot}, every line ending in '\n', without the errno trailer. Fields
     * come in wireguard-go's order; the private key is included, as the protocol requires ({@code wg showconf}).
     */
    public static String formatGet(DeviceSnapshot snapshot) {
        StringBuilder sb = new StringBuilder(256 + 400 * snapshot.peers().size());
        snapshot.privateKey().filter(k -> !k.isZero()).ifPresent(k -> key(sb, "private_key", k));
        if (snapshot.listenPort() != 0) {
            line(sb, "listen_port", Integer.toString(snapshot.listenPort()));
        }
        if (snapshot.fwMark() != 0) {
            line(sb, "fwmark", Long.toString(snapshot.fwMark()));
        }
        for (PeerSnapshot peer : snapshot.peers()) {
            key(sb, "public_key", peer.publicKey());
            key(sb, "preshared_key", peer.presharedKey());
            line(sb, "protocol_version", "1");
            peer.endpoint().ifPresent(e -> line(sb, "endpoint", Endpoints.format(e)));
            line(sb, "last_handshake_time_sec", Long.toString(peer.lastHandshakeSeconds()));
            line(sb, "last_handshake_time_nsec", Integer.toString(peer.lastHandshakeNanos()));
            line(sb, "tx_bytes", Long.toUnsignedString(peer.txBytes()));
            line(sb, "rx_bytes", Long.toUnsignedString(peer.rxBytes()));
            line(sb, "persistent_keepalive_interval", Integer.toString(peer.persistentKeepalive()));
            for (IpPrefix p : peer.allowedIps()) {
                line(sb, "allowed_ip", p.masked().toString());
            }
        }
        return sb.toString();
    }

    /** The response trailer: {@code errno=0\n\n}, or {@code errno=-N\n\n} for a failure with errno N. */
    public static String status(int errno) {
        return "errno=" + (errno == 0 ? "0" : Integer.toString(-errno)) + "\n\n";
    }

    /**
     * Parses the lines of a set transaction that follow {@code set=1\n}; the text may end with the terminating
     * blank line, and nothing may follow it. For tests and in-process callers; the socket path is
     * {@link UapiServer}, which reads line by line.
     */
    public static ConfigChange parseSet(String body) throws UapiException {
        SetParser parser = new SetParser();
        int start = 0;
        while (start < body.length()) {
            int nl = body.indexOf('\n', start);
            String line = nl < 0 ? body.substring(start) : body.substring(start, nl);
            start = nl < 0 ? body.length() : nl + 1;
            if (line.isEmpty()) {
                if (start < body.length()) {
                    throw new UapiException(UapiException.EPROTO, "error=text after the blank line ending a set");
                }
                break;
            }
            parser.line(line);
        }
        return parser.finish();
    }

    private static void key(StringBuilder sb, String name, WgKey key) {
        line(sb, name, key.toHex());
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(key).append('=').append(value).append('\n');
    }
}
