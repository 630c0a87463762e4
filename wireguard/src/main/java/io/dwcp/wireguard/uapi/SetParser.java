package io.dwcp.wireguard.uapi;

import io.dwcp.wireguard.config.Endpoints;
import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.WgKey;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The body of a {@code set=1} transaction, one line at a time, with wireguard-go's keys, value syntax and errno
 * values (device/uapi.go): a line without '=' is EPROTO, an unknown key or bad value EINVAL. Device keys are only
 * recognised before the first {@code public_key}. Error messages never quote key values.
 */
final class SetParser {
    private WgKey privateKey;
    private OptionalInt listenPort = OptionalInt.empty();
    private OptionalLong fwMark = OptionalLong.empty();
    private boolean replacePeers;
    private final List<PeerChange> peers = new ArrayList<>();

    private WgKey publicKey;
    private boolean remove;
    private boolean updateOnly;
    private WgKey presharedKey;
    private InetSocketAddress endpoint;
    private OptionalInt keepalive;
    private boolean replaceAllowedIps;
    private final List<AllowedIpChange> allowedIps = new ArrayList<>();

    /** Consumes one non-empty line. */
    void line(String line) throws UapiException {
        int eq = line.indexOf('=');
        if (eq < 0) {
            throw new UapiException(UapiException.EPROTO, "error=line is not key=value");
        }
        String key = line.substring(0, eq);
        String value = line.substring(eq + 1);
        if (key.equals("public_key")) {
            endPeer();
            publicKey = key(key, value);
            keepalive = OptionalInt.empty();
        } else if (publicKey == null) {
            deviceLine(key, value);
        } else {
            peerLine(key, value);
        }
    }

    private void deviceLine(String key, String value) throws UapiException {
        switch (key) {
            case "private_key" -> privateKey = key(key, value);
            case "listen_port" -> listenPort = OptionalInt.of((int) unsigned(key, value, 0xffff));
            case "fwmark" -> fwMark = OptionalLong.of(unsigned(key, value, 0xffffffffL));
            case "replace_peers" -> replacePeers = isTrue(key, value);
            default -> throw invalid("key=" + printable(key) + " error=invalid device key");
        }
    }

    private void peerLine(String key, String value) throws UapiException {
        switch (key) {
            case "update_only" -> updateOnly = isTrue(key, value);
            case "remove" -> remove = isTrue(key, value);
            case "preshared_key" -> presharedKey = key(key, value);
            case "endpoint" -> endpoint = endpoint(value);
            case "persistent_keepalive_interval" -> keepalive = OptionalInt.of((int) unsigned(key, value, 0xffff));
            case "replace_allowed_ips" -> {
                replaceAllowedIps = isTrue(key, value);
                allowedIps.clear();
            }
            case "allowed_ip" -> allowedIps.add(allowedIp(value));
            case "protocol_version" -> {
                if (!value.equals("1")) {
                    throw invalid("key=protocol_version error=unsupported protocol version");
                }
            }
            default -> throw invalid("key=" + printable(key) + " error=invalid peer key");
        }
    }

    /** The transaction so far as a change; call once, after the blank line. */
    ConfigChange finish() {
        endPeer();
        return new ConfigChange(Optional.ofNullable(privateKey), listenPort, fwMark, replacePeers, peers);
    }

    private void endPeer() {
        if (publicKey != null) {
            peers.add(new PeerChange(publicKey, remove, updateOnly, Optional.ofNullable(presharedKey),
                    Optional.ofNullable(endpoint), keepalive, replaceAllowedIps, allowedIps));
        }
        publicKey = null;
        remove = false;
        updateOnly = false;
        presharedKey = null;
        endpoint = null;
        replaceAllowedIps = false;
        allowedIps.clear();
    }

    private static WgKey key(String key, String value) throws UapiException {
        try {
            return WgKey.parseHex(value);
        } catch (IllegalArgumentException e) {
            throw invalid("key=" + key + " " + e.getMessage());
        }
    }

    // Go's strconv.ParseUint(value, 10, bits): ASCII digits only, leading zeros fine, no sign.
    private static long unsigned(String key, String value, long max) throws UapiException {
        int i = 0;
        while (i < value.length() - 1 && value.charAt(i) == '0') {
            i++;
        }
        String digits = value.substring(i);
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')
                || Long.parseLong(digits) > max) {
            throw invalid("key=" + key + " error=invalid number '" + printable(value) + "'");
        }
        return Long.parseLong(digits);
    }

    private static boolean isTrue(String key, String value) throws UapiException {
        if (!value.equals("true")) {
            throw invalid("key=" + key + " error=only 'true' is accepted");
        }
        return true;
    }

    // wireguard-go parses with netip.ParseAddrPort: an IP literal, never a hostname.
    private static InetSocketAddress endpoint(String value) throws UapiException {
        try {
            InetSocketAddress a = Endpoints.parse(value);
            if (!a.isUnresolved()) {
                return a;
            }
        } catch (IllegalArgumentException e) {
            throw invalid("key=endpoint " + e.getMessage());
        }
        throw invalid("key=endpoint error=not an ip address and port '" + printable(value) + "'");
    }

    // netip.ParsePrefix: the length is required and has no leading zeros; stored with host bits cleared.
    private static AllowedIpChange allowedIp(String value) throws UapiException {
        boolean minus = value.startsWith("-");
        String text = minus ? value.substring(1) : value;
        int slash = text.indexOf('/');
        if (slash < 0 || (text.length() > slash + 2 && text.charAt(slash + 1) == '0')) {
            throw invalid("key=allowed_ip error=invalid prefix '" + printable(value) + "'");
        }
        try {
            return new AllowedIpChange(IpPrefix.parse(text).masked(), minus);
        } catch (IllegalArgumentException e) {
            throw invalid("key=allowed_ip error=invalid prefix '" + printable(value) + "'");
        }
    }

    private static UapiException invalid(String message) {
        return new UapiException(UapiException.EINVAL, message);
    }

    // Client text goes into logs: keep it short and free of control characters.
    static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && sb.length() < 64; i++) {
            char c = s.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
