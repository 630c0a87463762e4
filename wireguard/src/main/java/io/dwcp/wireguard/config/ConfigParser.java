package io.dwcp.wireguard.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The section and key state machine behind {@link ConfigFile}, fed one line at a time. Line syntax follows
 * {@code wg}: '#' starts a comment, whitespace anywhere in a line is ignored, sections and keys are
 * case-insensitive. Stricter than wg where a file is almost certainly wrong: a scalar key given twice, a second
 * {@code [Interface]}, or one public key in two {@code [Peer]} sections is an error, not "last one wins".
 */
final class ConfigParser {
    private static final Set<String> INTERFACE_KEYS = Set.of("PrivateKey", "ListenPort", "FwMark", "Address", "DNS",
            "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig");
    private static final Set<String> PEER_KEYS =
            Set.of("PublicKey", "PresharedKey", "AllowedIPs", "Endpoint", "PersistentKeepalive");
    private static final Set<String> LIST_KEYS =
            Set.of("Address", "DNS", "PreUp", "PostUp", "PreDown", "PostDown", "AllowedIPs");
    private static final Map<String, String> CANONICAL = new HashMap<>();

    static {
        for (String k : INTERFACE_KEYS) {
            CANONICAL.put(k.toLowerCase(Locale.ROOT), k);
        }
        for (String k : PEER_KEYS) {
            CANONICAL.put(k.toLowerCase(Locale.ROOT), k);
        }
    }

    private enum Section { NONE, INTERFACE, PEER }

    private final String source;
    private Section section = Section.NONE;
    private int interfaceLine;
    private final Set<String> seen = new HashSet<>();

    private WgKey privateKey;
    private OptionalInt listenPort = OptionalInt.empty();
    private OptionalLong fwMark = OptionalLong.empty();
    private final List<IpPrefix> addresses = new ArrayList<>();
    private OptionalInt mtu = OptionalInt.empty();
    private final List<String> dns = new ArrayList<>();
    private Optional<String> table = Optional.empty();
    private final List<String> preUp = new ArrayList<>();
    private final List<String> postUp = new ArrayList<>();
    private final List<String> preDown = new ArrayList<>();
    private final List<String> postDown = new ArrayList<>();
    private boolean saveConfig;

    private final List<PeerConfig> peers = new ArrayList<>();
    private final Map<WgKey, Integer> peerLines = new HashMap<>();
    private int peerLine;
    private WgKey publicKey;
    private Optional<WgKey> presharedKey;
    private List<IpPrefix> allowedIps;
    private Optional<InetSocketAddress> endpoint;
    private OptionalInt keepalive;

    ConfigParser(String source) {
        this.source = source;
    }

    void line(int number, String raw) throws ConfigException {
        int hash = raw.indexOf('#');
        String line = stripSpaces(hash < 0 ? raw : raw.substring(0, hash));
        if (line.isEmpty()) {
            return;
        }
        if (line.startsWith("[")) {
            section(number, line);
            return;
        }
        int eq = line.indexOf('=');
        int rawEq = raw.indexOf('=');
        // Unlike wg, spaces inside a key are refused: "PrivateKey <base64>=" would otherwise read as a key
        // named after the secret, and the error would print it.
        if (eq <= 0 || hasInnerSpace(raw.substring(0, rawEq).strip())) {
            throw new ConfigException(source, number, null, "expected key = value");
        }
        String written = line.substring(0, eq);
        String key = CANONICAL.get(written.toLowerCase(Locale.ROOT));
        Set<String> allowed = section == Section.PEER ? PEER_KEYS : INTERFACE_KEYS;
        if (section == Section.NONE) {
            throw new ConfigException(source, number, quotable(written), "key outside any section");
        }
        if (key == null || !allowed.contains(key)) {
            String where = section == Section.PEER ? "[Peer]" : "[Interface]";
            throw new ConfigException(source, number, quotable(written), "unknown key in " + where);
        }
        if (!LIST_KEYS.contains(key) && !seen.add(key)) {
            throw new ConfigException(source, number, key, "duplicate key");
        }
        // wg-quick hands hook commands to bash as written, spaces and '#' included.
        String value = isHook(key) ? raw.substring(raw.indexOf('=') + 1).strip() : line.substring(eq + 1);
        try {
            if (section == Section.PEER) {
                peerKey(number, key, value);
            } else {
                interfaceKey(key, value);
            }
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage() == null ? "invalid value" : e.getMessage();
            throw new ConfigException(source, number, key, msg.startsWith("error=") ? msg.substring(6) : msg);
        }
    }

    private static boolean hasInnerSpace(String s) {
        return s.chars().anyMatch(Character::isWhitespace);
    }

    // Only something shaped like a key name is echoed: a mangled line may hold a secret.
    private static String quotable(String written) {
        return written.length() <= 24 && written.chars().allMatch(c -> c < 128 && Character.isLetter(c))
                ? written : "(unprintable)";
    }

    private static boolean isHook(String key) {
        return key.startsWith("Pre") || key.startsWith("Post");
    }

    private void section(int number, String line) throws ConfigException {
        String name = line.toLowerCase(Locale.ROOT);
        if (name.equals("[interface]")) {
            if (interfaceLine > 0) {
                throw new ConfigException(source, number, null,
                        "second [Interface] section (first at line " + interfaceLine + ")");
            }
            endPeer();
            section = Section.INTERFACE;
            interfaceLine = number;
        } else if (name.equals("[peer]")) {
            endPeer();
            section = Section.PEER;
            peerLine = number;
            presharedKey = Optional.empty();
            allowedIps = new ArrayList<>();
            endpoint = Optional.empty();
            keepalive = OptionalInt.empty();
        } else {
            throw new ConfigException(source, number, null, "unknown section '" + line + "'");
        }
        seen.clear();
    }

    private void interfaceKey(String key, String value) {
        switch (key) {
            case "PrivateKey" -> privateKey = ConfigValues.key(value);
            case "ListenPort" -> listenPort = OptionalInt.of(ConfigValues.listenPort(value));
            case "FwMark" -> fwMark = OptionalLong.of(ConfigValues.fwMark(value));
            case "Address" -> addresses.addAll(ConfigValues.prefixes(value, false));
            case "DNS" -> dns.addAll(ConfigValues.commaList(value));
            case "MTU" -> mtu = OptionalInt.of(ConfigValues.mtu(value));
            case "Table" -> table = Optional.of(value);
            case "PreUp" -> preUp.add(value);
            case "PostUp" -> postUp.add(value);
            case "PreDown" -> preDown.add(value);
            case "PostDown" -> postDown.add(value);
            case "SaveConfig" -> saveConfig = ConfigValues.bool(value);
            default -> throw new IllegalStateException("key=" + key + " error=listed but not handled");
        }
    }

    private void peerKey(int number, String key, String value) throws ConfigException {
        switch (key) {
            case "PublicKey" -> {
                WgKey k = ConfigValues.key(value);
                Integer first = peerLines.putIfAbsent(k, number);
                if (first != null) {
                    throw new ConfigException(source, number, key,
                            "duplicate peer " + value + " (first at line " + first + ")");
                }
                publicKey = k;
            }
            case "PresharedKey" -> presharedKey = Optional.of(ConfigValues.key(value));
            case "AllowedIPs" -> allowedIps.addAll(ConfigValues.prefixes(value, true));
            case "Endpoint" -> endpoint = Optional.of(endpoint(value));
            case "PersistentKeepalive" -> keepalive = OptionalInt.of(ConfigValues.keepalive(value));
            default -> throw new IllegalStateException("key=" + key + " error=listed but not handled");
        }
    }

    private static InetSocketAddress endpoint(String value) {
        InetSocketAddress a = Endpoints.parse(value);
        if (a.getPort() == 0) {
            throw new IllegalArgumentException("error=invalid endpoint '" + value + "' (port 0)");
        }
        return a;
    }

    private void endPeer() throws ConfigException {
        if (section != Section.PEER) {
            return;
        }
        if (publicKey == null) {
            throw new ConfigException(source, peerLine, "PublicKey", "[Peer] section without PublicKey");
        }
        peers.add(new PeerConfig(publicKey, presharedKey, allowedIps, endpoint, keepalive));
        publicKey = null;
    }

    InterfaceConfig finish() throws ConfigException {
        endPeer();
        if (interfaceLine == 0) {
            throw new ConfigException(source, 0, null, "missing [Interface] section");
        }
        if (privateKey == null) {
            throw new ConfigException(source, interfaceLine, "PrivateKey", "[Interface] section without PrivateKey");
        }
        WgQuickOptions quick = new WgQuickOptions(dns, table, preUp, postUp, preDown, postDown, saveConfig);
        return new InterfaceConfig(privateKey, listenPort, fwMark, addresses, mtu, quick, peers);
    }

    private static String stripSpaces(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!Character.isWhitespace(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
