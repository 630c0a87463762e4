package io.dwcp.wireguard.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Value syntax of the configuration file, following {@code wg}'s config.c where it has an opinion. Each parser
 * throws {@link IllegalArgumentException} whose message is {@code error=...}; callers add file, line and key.
 */
final class ConfigValues {
    private ConfigValues() {
    }

    /** ListenPort: 0..65535 (0 asks for a random port). Service names, which wg would look up, are refused. */
    static int listenPort(String value) {
        return unsigned(value, 65535, "invalid port '" + value + "'");
    }

    /** FwMark: {@code off}, decimal or {@code 0x} hex up to 0xffffffff, as wg accepts. */
    static long fwMark(String value) {
        if (value.equalsIgnoreCase("off")) {
            return 0;
        }
        String why = "invalid fwmark '" + value + "' (0/off or up to 0xffffffff)";
        if (value.length() > 2 && value.startsWith("0x")) {
            String hex = value.substring(2);
            if (hex.length() > 8 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 128)) {
                throw new IllegalArgumentException("error=" + why);
            }
            return Long.parseLong(hex, 16);
        }
        return unsigned(value, 0xffffffffL, why);
    }

    /** PersistentKeepalive: {@code off} or 0..65535 seconds. */
    static int keepalive(String value) {
        if (value.equalsIgnoreCase("off")) {
            return 0;
        }
        return unsigned(value, 65535, "invalid persistent keepalive '" + value + "' (off or 0-65535)");
    }

    /** MTU: 68 (the smallest Linux allows on any link) to 65535. */
    static int mtu(String value) {
        int mtu = unsigned(value, 65535, "invalid mtu '" + value + "' (68-65535)");
        if (mtu < 68) {
            throw new IllegalArgumentException("error=invalid mtu '" + value + "' (68-65535)");
        }
        return mtu;
    }

    /** SaveConfig: wg-quick's read_bool accepts exactly {@code true} and {@code false}. */
    static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("error=expected true or false, got '" + value + "'");
        };
    }

    /** A key in base64; the message never quotes the value, which may be a secret. */
    static WgKey key(String value) {
        return WgKey.parseBase64(value);
    }

    /** Comma-separated prefixes; an empty value is an empty list, as wg allows {@code AllowedIPs =}. */
    static List<IpPrefix> prefixes(String value, boolean mask) {
        List<IpPrefix> out = new ArrayList<>();
        for (String item : commaList(value)) {
            IpPrefix p = IpPrefix.parse(item);
            out.add(mask ? p.masked() : p);
        }
        return out;
    }

    /** Splits on commas, refusing empty items such as in {@code a,,b}. */
    static List<String> commaList(String value) {
        List<String> out = new ArrayList<>();
        if (value.isEmpty()) {
            return out;
        }
        for (String item : value.split(",", -1)) {
            if (item.isEmpty()) {
                throw new IllegalArgumentException("error=empty list item in '" + value + "'");
            }
            out.add(item);
        }
        return out;
    }

    private static long unsigned(String value, long max, String why) {
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("error=" + why);
        }
        long n = Long.parseLong(value);
        if (n > max) {
            throw new IllegalArgumentException("error=" + why);
        }
        return n;
    }

    private static int unsigned(String value, int max, String why) {
        return (int) unsigned(value, (long) max, why);
    }
}
