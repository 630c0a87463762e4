package io.dwcp.wireguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFileTest {
    static final String PRIV = "QGBT5j1eJyJUje58svF3yZMHptzB7GAtfoY6cKU79HA=";
    static final String PUB1 = "71u4TGNfJZ5pbvjsw1Q1a1SiqXi9mLCG2c5dR/Lo200=";
    static final String PUB2 = "wbmyZHJX+UcACJ6xTTPgL3I0QZnNcGmfMyphAxnVpk8=";
    static final String PSK = "gGSxG0vyAMz1pNVkVexgK5wsqsFSBOwG44q1rK0lziQ=";

    static final String FULL = """
            # a wg-quick file using every key
            [Interface]
            PrivateKey = %s
            ListenPort = 51820
            FwMark = 0x42
            Address = 10.0.0.1/24, fd00::1/64
            address = 10.0.1.1/32
            DNS = 1.1.1.1, example.internal
            MTU = 1420
            Table = off
            PreUp = echo pre # kept, as wg-quick keeps it
            PostUp = iptables -A FORWARD -i %%i -j ACCEPT
            PostUp = echo second
            PreDown = echo predown
            PostDown = echo down
            SaveConfig = false

            [Peer]
            PublicKey = %s
            PresharedKey = %s
            AllowedIPs = 10.0.0.2/32, 10.9.0.7/16
            AllowedIPs = fd00::2/128
            Endpoint = [fd00::99]:51821
            PersistentKeepalive = 25

            [peer]  # sections are case-insensitive like keys
            publickey=%s
            Endpoint = vpn.example.com:51820
            PersistentKeepalive = off
            AllowedIPs =
            """.formatted(PRIV, PUB1, PSK, PUB2);

    static InterfaceConfig parse(String text) throws Exception {
        return ConfigFile.parse(new StringReader(text), "wg0.conf");
    }

    @Test
    void fullFile() throws Exception {
        InterfaceConfig c = parse(FULL);
        assertEquals(WgKey.parseBase64(PRIV), c.privateKey());
        assertEquals(OptionalInt.of(51820), c.listenPort());
        assertEquals(OptionalLong.of(0x42), c.fwMark());
        assertEquals(List.of(IpPrefix.parse("10.0.0.1/24"), IpPrefix.parse("fd00::1/64"),
                IpPrefix.parse("10.0.1.1/32")), c.addresses());
        assertEquals(OptionalInt.of(1420), c.mtu());
        WgQuickOptions q = c.quick();
        assertEquals(List.of("1.1.1.1", "example.internal"), q.dns());
        assertEquals(Optional.of("off"), q.table());
        assertEquals(List.of("echo pre # kept, as wg-quick keeps it"), q.preUp());
        assertEquals(List.of("iptables -A FORWARD -i %i -j ACCEPT", "echo second"), q.postUp());
        assertEquals(List.of("echo predown"), q.preDown());
        assertEquals(List.of("echo down"), q.postDown());
        assertFalse(q.saveConfig());

        assertEquals(2, c.peers().size());
        PeerConfig p1 = c.peers().get(0);
        assertEquals(WgKey.parseBase64(PUB1), p1.publicKey());
        assertEquals(Optional.of(WgKey.parseBase64(PSK)), p1.presharedKey());
        assertEquals(List.of(IpPrefix.parse("10.0.0.2/32"), IpPrefix.parse("10.9.0.0/16"),
                IpPrefix.parse("fd00::2/128")), p1.allowedIps(), "allowed IPs masked and appended");
        assertEquals(new InetSocketAddress(InetAddress.getByName("fd00::99"), 51821), p1.endpoint().orElseThrow());
        assertEquals(OptionalInt.of(25), p1.persistentKeepalive());

        PeerConfig p2 = c.peers().get(1);
        assertTrue(p2.endpoint().orElseThrow().isUnresolved(), "hostnames are not resolved while parsing");
        assertEquals("vpn.example.com", p2.endpoint().orElseThrow().getHostString());
        assertEquals(OptionalInt.of(0), p2.persistentKeepalive());
        assertEquals(List.of(), p2.allowedIps());
        assertEquals(Optional.empty(), p2.presharedKey());
    }

    @Test
    void toStringHidesKeys() throws Exception {
        String s = parse(FULL).toString();
        assertFalse(s.contains(PRIV.substring(0, 16)), s);
        assertFalse(s.contains(PSK.substring(0, 16)), s);
    }

    @Test
    void minimalFileWithCrLfAndNoTrailingNewline(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("wg1.conf");
        Files.writeString(f, "[Interface]\r\nPrivateKey=" + PRIV + "\r\n[Peer]\r\nPublicKey=" + PUB1,
                StandardCharsets.UTF_8);
        InterfaceConfig c = ConfigFile.parse(f);
        assertEquals(OptionalInt.empty(), c.listenPort());
        assertEquals(OptionalLong.empty(), c.fwMark());
        assertEquals(WgQuickOptions.NONE, c.quick());
        assertEquals(1, c.peers().size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            prefix too long      | [Interface]\\nPrivateKey=PRIV\\n[Peer]\\nPublicKey=PUB1\\nAllowedIPs = 10.0.0.0/8, 10.0.0.0/33 | config=wg0.conf line=5 key=AllowedIPs error=invalid prefix '10.0.0.0/33'
            missing private key  | # c\\n[Interface]\\nListenPort=1\\n                                              | config=wg0.conf line=2 key=PrivateKey error=[Interface] section without PrivateKey
            no interface         | [Peer]\\nPublicKey=PUB1                                                     | config=wg0.conf error=missing [Interface] section
            duplicate peer       | [Interface]\\nPrivateKey=PRIV\\n[Peer]\\nPublicKey=PUB1\\n[Peer]\\nPublicKey=PUB1 | config=wg0.conf line=6 key=PublicKey error=duplicate peer PUB1 (first at line 4)
            short key            | [Interface]\\nPrivateKey=QGBT5j1eJyJUje58svF3yZMHptzB7GAtfoY6cKU79H=  | config=wg0.conf line=2 key=PrivateKey error=key must be 44 base64 characters ending in '='
            bad port             | [Interface]\\nPrivateKey=PRIV\\nListenPort=65536                          | config=wg0.conf line=3 key=ListenPort error=invalid port '65536'
            port name            | [Interface]\\nPrivateKey=PRIV\\nListenPort=wireguard                      | config=wg0.conf line=3 key=ListenPort error=invalid port 'wireguard'
            peer without key     | [Interface]\\nPrivateKey=PRIV\\n\\n[Peer]\\nAllowedIPs=10.0.0.0/8\\n[Peer]\\nPublicKey=PUB1 | config=wg0.conf line=4 key=PublicKey error=[Peer] section without PublicKey
            unknown key          | [Interface]\\nPrivateKey=PRIV\\nFoo=1                                    | config=wg0.conf line=3 key=Foo error=unknown key in [Interface]
            peer key in iface    | [Interface]\\nPrivateKey=PRIV\\nEndpoint=1.2.3.4:5                       | config=wg0.conf line=3 key=Endpoint error=unknown key in [Interface]
            iface key in peer    | [Interface]\\nPrivateKey=PRIV\\n[Peer]\\nPublicKey=PUB1\\nMTU=1400      | config=wg0.conf line=5 key=MTU error=unknown key in [Peer]
            outside section      | ListenPort=1\\n[Interface]\\nPrivateKey=PRIV                             | config=wg0.conf line=1 key=ListenPort error=key outside any section
            unknown section      | [Interface]\\nPrivateKey=PRIV\\n[Peers]                                  | config=wg0.conf line=3 error=unknown section '[Peers]'
            second interface     | [Interface]\\nPrivateKey=PRIV\\n[Interface]                              | config=wg0.conf line=3 error=second [Interface] section (first at line 1)
            no equals            | [Interface]\\nPrivateKey PRIV                                            | config=wg0.conf line=2 error=expected key = value
            duplicate scalar     | [Interface]\\nPrivateKey=PRIV\\nListenPort=1\\nlistenport=2              | config=wg0.conf line=4 key=ListenPort error=duplicate key
            bad fwmark           | [Interface]\\nPrivateKey=PRIV\\nFwMark=0x100000000                       | config=wg0.conf line=3 key=FwMark error=invalid fwmark '0x100000000' (0/off or up to 0xffffffff)
            bad mtu              | [Interface]\\nPrivateKey=PRIV\\nMTU=60                                   | config=wg0.conf line=3 key=MTU error=invalid mtu '60' (68-65535)
            bad keepalive        | [Interface]\\nPrivateKey=PRIV\\n[Peer]\\nPublicKey=PUB1\\nPersistentKeepalive=65536 | config=wg0.conf line=5 key=PersistentKeepalive error=invalid persistent keepalive '65536' (off or 0-65535)
            endpoint no port     | [Interface]\\nPrivateKey=PRIV\\n[Peer]\\nPublicKey=PUB1\\nEndpoint=1.2.3.4 | config=wg0.conf line=5 key=Endpoint error=invalid endpoint '1.2.3.4' (missing port)
            endpoint bare v6     | [Interface]\\nPrivateKey=PRIV\\n[Peer]\\nPublicKey=PUB1\\nEndpoint=fd00::1:51820 | config=wg0.conf line=5 key=Endpoint error=invalid endpoint 'fd00::1:51820' (ipv6 endpoints need brackets)
            endpoint port 0      | [Interface]\\nPrivateKey=PRIV\\n[Peer]\\nPublicKey=PUB1\\nEndpoint=1.2.3.4:0 | config=wg0.conf line=5 key=Endpoint error=invalid endpoint '1.2.3.4:0' (port 0)
            bad address          | [Interface]\\nPrivateKey=PRIV\\nAddress=10.0.0.1/24,,10.0.0.2          | config=wg0.conf line=3 key=Address error=empty list item in '10.0.0.1/24,,10.0.0.2'
            key typo with secret | [Interface]\\nPrivateKey:QGBT5j1eJyJUje58svF3yZMHptzB7GAtfoY6cKU79HA=         | config=wg0.conf line=2 key=(unprintable) error=unknown key in [Interface]
            bad saveconfig       | [Interface]\\nPrivateKey=PRIV\\nSaveConfig=yes                           | config=wg0.conf line=3 key=SaveConfig error=expected true or false, got 'yes'
            """)
    void errorsNameFileLineAndKey(String name, String text, String message) {
        String input = text.replace("\\n", "\n").replace("PRIV", PRIV).replace("PUB1", PUB1);
        ConfigException e = assertThrows(ConfigException.class, () -> parse(input));
        assertEquals(message.replace("PUB1", PUB1), e.getMessage());
    }

    @Test
    void badPrivateKeyIsNotQuoted() {
        String broken = PRIV.substring(0, 43) + "x";
        ConfigException e = assertThrows(ConfigException.class,
                () -> parse("[Interface]\nPrivateKey = " + broken + "\n"));
        assertEquals(2, e.line());
        assertEquals("PrivateKey", e.key());
        assertFalse(e.getMessage().contains(PRIV.substring(0, 20)), e.getMessage());
    }

    @Test
    void overlongLineIsRefusedBeforeBuffering() {
        String text = "[Interface]\n# " + "x".repeat(ConfigFile.MAX_LINE_CHARS) + "\n";
        ConfigException e = assertThrows(ConfigException.class, () -> parse(text));
        assertEquals(2, e.line());
        assertTrue(e.error().startsWith("line longer than"), e.getMessage());
    }

    @Test
    void invalidUtf8IsAConfigError(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.conf");
        Files.write(f, new byte[] {'[', 'I', (byte) 0xff, ']', '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.parse(f));
        assertEquals("not utf-8 text", e.error());
    }
}
