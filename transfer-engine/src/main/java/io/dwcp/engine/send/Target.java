package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.manifest.RelativePaths;

/**
 * Where a send goes: {@code HOST[:PORT][/DEST]}, with IPv6 hosts in brackets ({@code [::1]:7400/backups}).
 * DEST is relative to the server's root; an empty DEST is the root itself.
 */
public record Target(String host, int port, String dest) {
    public static final int DEFAULT_PORT = 7400;

    public static Target parse(String s, int maxPathBytes) throws DwcpException {
        String rest;
        String host;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw usage(s, "unclosed-bracket");
            }
            host = s.substring(1, close);
            rest = s.substring(close + 1);
        } else {
            int end = indexOfAny(s, ":/");
            host = end < 0 ? s : s.substring(0, end);
            rest = end < 0 ? "" : s.substring(end);
        }
        if (host.isEmpty()) {
            throw usage(s, "missing-host");
        }
        int port = DEFAULT_PORT;
        if (rest.startsWith(":")) {
            int slash = rest.indexOf('/');
            String p = slash < 0 ? rest.substring(1) : rest.substring(1, slash);
            try {
                port = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw usage(s, "bad-port");
            }
            if (port < 1 || port > 65535) {
                throw usage(s, "bad-port");
            }
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        String dest = "";
        if (rest.startsWith("/")) {
            dest = rest.replaceAll("^/+", "").replaceAll("/+$", "");
        } else if (!rest.isEmpty()) {
            throw usage(s, "expected HOST[:PORT][/DEST]");
        }
        if (!dest.isEmpty()) {
            RelativePaths.check(dest, maxPathBytes);
        }
        return new Target(host, port, dest);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    private static DwcpException usage(String s, String reason) {
        return new DwcpException(io.dwcp.core.ErrorCode.PROTOCOL, "target=\"" + s + "\" reason=" + reason);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + dest;
    }
}
