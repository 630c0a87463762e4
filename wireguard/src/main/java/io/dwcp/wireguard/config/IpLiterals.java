package io.dwcp.wireguard.config;

import java.util.Arrays;

/**
 * Strict IP address literals without any name lookup: dotted-quad IPv4 (no leading zeros, as inet_pton and Go's
 * netip insist) and IPv6 (RFC 4291 text, optionally ending in a dotted quad), formatted the way wireguard-go prints
 * them (Go's netip: RFC 5952 compression, {@code ::ffff:a.b.c.d} for IPv4-mapped addresses).
 */
public final class IpLiterals {
    private IpLiterals() {
    }

    /** 4 or 16 bytes for an IPv4 or IPv6 literal (chosen by the presence of ':'); IllegalArgumentException if invalid. */
    public static byte[] parse(String text) {
        byte[] address = text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text);
        if (address == null) {
            throw new IllegalArgumentException("error=invalid ip address '" + text + "'");
        }
        return address;
    }

    /** Whether {@code text} is an IPv4 or IPv6 literal. */
    public static boolean isLiteral(String text) {
        return (text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text)) != null;
    }

    private static byte[] parseV4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int pos = 0;
        int n = text.length();
        while (part < 4) {
            int start = pos;
            int value = 0;
            while (pos < n && pos - start < 4 && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
                value = value * 10 + (text.charAt(pos++) - '0');
            }
            int digits = pos - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
                return null;
            }
            out[part++] = (byte) value;
            if (part < 4) {
                if (pos >= n || text.charAt(pos) != '.') {
                    return null;
                }
                pos++;
            }
        }
        return pos == n ? out : null;
    }

    private static byte[] parseV6(String text) {
        int n = text.length();
        if (n < 2 || n > 45) {
            return null;
        }
        byte[] out = new byte[16];
        int filled = 0;
        int gap = -1;
        int pos = 0;
        if (text.startsWith("::")) {
            gap = 0;
            pos = 2;
        } else if (text.charAt(0) == ':') {
            return null;
        }
        while (pos < n) {
            if (filled == 16) {
                return null;
            }
            int end = pos;
            while (end < n && isHexDigit(text.charAt(end)) && end - pos < 5) {
                end++;
            }
            if (end < n && text.charAt(end) == '.') {
                byte[] v4 = filled <= 12 ? parseV4(text.substring(pos)) : null;
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, filled, 4);
                filled += 4;
                pos = n;
                break;
            }
            if (end == pos || end - pos > 4) {
                return null;
            }
            int group = Integer.parseInt(text, pos, end, 16);
            out[filled++] = (byte) (group >>> 8);
            out[filled++] = (byte) group;
            pos = end;
            if (pos == n) {
                break;
            }
            if (text.charAt(pos) != ':') {
                return null;
            }
            pos++;
            if (pos < n && text.charAt(pos) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = filled;
                pos++;
            } else if (pos == n) {
                return null;
            }
        }
        if (gap < 0) {
            return filled == 16 ? out : null;
        }
        if (filled == 16) {
            return null;
        }
        int tail = filled - gap;
        System.arraycopy(out, gap, out, 16 - tail, tail);
        Arrays.fill(out, gap, 16 - tail, (byte) 0);
        return out;
    }

    /** Formats 4 or 16 bytes as wireguard-go does. */
    public static String format(byte[] address) {
        if (address.length == 4) {
            return formatV4(address, 0);
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("error=address must be 4 or 16 bytes length=" + address.length);
        }
        if (isV4Mapped(address)) {
            return "::ffff:" + formatV4(address, 12);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && group(address, j) == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(address, i)));
        }
        return sb.toString();
    }

    // Character.digit would also accept non-ASCII digits, which no address parser downstream understands.
    private static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static int group(byte[] a, int i) {
        return (a[2 * i] & 0xff) << 8 | (a[2 * i + 1] & 0xff);
    }

    private static String formatV4(byte[] a, int off) {
        return (a[off] & 0xff) + "." + (a[off + 1] & 0xff) + "." + (a[off + 2] & 0xff) + "." + (a[off + 3] & 0xff);
    }
}
