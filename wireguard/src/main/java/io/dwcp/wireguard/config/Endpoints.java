package io.dwcp.wireguard.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * Endpoint text: {@code HOST:PORT}, with IPv6 in brackets ({@code [fd00::1]:51820}, optionally with a zone
 * {@code [fe80::1%eth0]:51820}). Never does a name lookup: IP literals become resolved addresses, hostnames
 * unresolved ones ({@link InetSocketAddress#createUnresolved}).
 */
public final class Endpoints {
    private static final int MAX_HOSTNAME = 253;

    private Endpoints() {
    }

    /** Parses an endpoint, port 0..65535. IllegalArgumentException, quoting the input, when invalid. */
    public static InetSocketAddress parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 >= text.length() || text.charAt(close + 1) != ':') {
                throw invalid(text, "expected [ipv6]:port");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) {
                throw invalid(text, "missing port");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            // Without brackets an IPv6 address and its port cannot be told apart reliably.
            if (host.indexOf(':') >= 0) {
                throw invalid(text, "ipv6 endpoints need brackets");
            }
        }
        int portNumber = parsePort(text, port);
        if (host.indexOf(':') >= 0 || text.startsWith("[")) {
            return new InetSocketAddress(v6(text, host), portNumber);
        }
        if (IpLiterals.isLiteral(host)) {
            return new InetSocketAddress(byAddress(IpLiterals.parse(host)), portNumber);
        }
        if (!isHostname(host)) {
            throw invalid(text, "invalid host");
        }
        return InetSocketAddress.createUnresolved(host, portNumber);
    }

    /** {@code 1.2.3.4:51820}, {@code [fd00::1]:51820} or, unresolved, {@code host:51820}. */
    public static String format(InetSocketAddress endpoint) {
        InetAddress address = endpoint.getAddress();
        if (address == null) {
            return endpoint.getHostString() + ":" + endpoint.getPort();
        }
        if (address instanceof Inet6Address v6) {
            String zone = "";
            if (v6.getScopedInterface() != null) {
                zone = "%" + v6.getScopedInterface().getName();
            } else if (v6.getScopeId() != 0) {
                zone = "%" + v6.getScopeId();
            }
            return "[" + IpLiterals.format(v6.getAddress()) + zone + "]:" + endpoint.getPort();
        }
        return IpLiterals.format(address.getAddress()) + ":" + endpoint.getPort();
    }

    private static int parsePort(String text, String port) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(text, "invalid port");
        }
        int value = Integer.parseInt(port);
        if (value > 65535) {
            throw invalid(text, "invalid port");
        }
        return value;
    }

    private static InetAddress v6(String text, String host) {
        int percent = host.indexOf('%');
        String literal = percent < 0 ? host : host.substring(0, percent);
        if (literal.indexOf(':') < 0 || !IpLiterals.isLiteral(literal)) {
            throw invalid(text, "invalid ipv6 address");
        }
        byte[] bytes = IpLiterals.parse(literal);
        if (percent < 0) {
            return byAddress(bytes);
        }
        String zone = host.substring(percent + 1);
        try {
            if (!zone.isEmpty() && zone.length() <= 9 && zone.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Inet6Address.getByAddress(null, bytes, Integer.parseInt(zone));
            }
            NetworkInterface nif = zone.isEmpty() ? null : NetworkInterface.getByName(zone);
            if (nif == null) {
                throw invalid(text, "unknown ipv6 zone");
            }
            return Inet6Address.getByAddress(null, bytes, nif);
        } catch (UnknownHostException | SocketException e) {
            throw invalid(text, "unusable ipv6 zone");
        }
    }

    private static InetAddress byAddress(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    private static boolean isHostname(String host) {
        if (host.isEmpty() || host.length() > MAX_HOSTNAME || host.startsWith("-") || host.startsWith(".")) {
            return false;
        }
        return host.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_');
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("error=invalid endpoint '" + text + "' (" + why + ")");
    }
}
