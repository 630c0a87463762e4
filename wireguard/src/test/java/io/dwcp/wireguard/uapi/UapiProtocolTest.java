package io.dwcp.wireguard.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.WgKey;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UapiProtocolTest {
    static final String PRIV = "406053e63d5e2722548dee7cb2f177c99307a6dcc1ec602d7e863a70a53bf470";
    static final String PEER1 = "ef5bb84c635f259e696ef8ecc354356b54a2a978bd98b086d9ce5d47f2e8db4d";
    static final String PSK1 = "8064b11b4bf200ccf5a4d56455ec602b9c2caac15204ec06e38ab5acad25ce24";
    static final String PEER2 = "c1b9b2647257f94700089eb14d33e02f72344199cd70699f332a610319d5a64f";

    static String resource(String name) throws IOException {
        try (InputStream in = UapiProtocolTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** The state wireguard-go held when it produced wireguard-go-get.txt (set up with wg set, see the report). */
    static DeviceSnapshot capturedState() throws IOException {
        PeerSnapshot p1 = new PeerSnapshot(WgKey.parseHex(PEER1), WgKey.parseHex(PSK1),
                Optional.of(new InetSocketAddress(InetAddress.getByName("fe80::1"), 51820)), 0, 0, 0, 0, 25,
                List.of(IpPrefix.parse("10.0.0.1/24"), IpPrefix.parse("fd00::5/64"),
                        IpPrefix.parse("::ffff:1.2.3.4/128")));
        PeerSnapshot p2 = new PeerSnapshot(WgKey.parseHex(PEER2), WgKey.zero(),
                Optional.of(new InetSocketAddress(InetAddress.getByName("1.2.3.4"), 5)), 0, 0, 0, 296, 0,
                List.of(IpPrefix.parse("0.0.0.0/0")));
        return new DeviceSnapshot(Optional.of(WgKey.parseHex(PRIV)), 51999, 0x42, List.of(p1, p2));
    }

    @Test
    void getMatchesWireguardGoByteForByte() throws IOException {
        assertEquals(resource("wireguard-go-get.txt"),
                UapiProtocol.formatGet(capturedState()) + UapiProtocol.status(0));
    }

    @Test
    void getOmitsUnsetDeviceFieldsAndPrintsCountersUnsigned() throws IOException {
        PeerSnapshot p = new PeerSnapshot(WgKey.parseHex(PEER1), WgKey.zero(), Optional.empty(), 1700000000,
                123456789, -1L, 42, 0, List.of());
        String text = UapiProtocol.formatGet(new DeviceSnapshot(Optional.empty(), 0, 0, List.of(p)));
        assertEquals("public_key=" + PEER1 + "\npreshared_key=" + "0".repeat(64) + "\nprotocol_version=1\n"
                + "last_handshake_time_sec=1700000000\nlast_handshake_time_nsec=123456789\ntx_bytes=42\n"
                + "rx_bytes=18446744073709551615\npersistent_keepalive_interval=0\n", text);
    }

    @Test
    void status() {
        assertEquals("errno=0\n\n", UapiProtocol.status(0));
        assertEquals("errno=-22\n\n", UapiProtocol.status(UapiException.EINVAL));
    }

    @Test
    void parsesTheXplatformExample() throws Exception {
        // The set example of wireguard.com/xplatform, in the order wg sends lines.
        String body = """
                private_key=e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a
                fwmark=0
                listen_port=12912
                replace_peers=true
                public_key=b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33
                preshared_key=188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52
                replace_allowed_ips=true
                allowed_ip=192.168.4.4/32
                endpoint=[abcd:23::33%2]:51820
                public_key=58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376
                replace_allowed_ips=true
                allowed_ip=192.168.4.6/32
                persistent_keepalive_interval=111
                endpoint=182.122.22.19:3233
                public_key=662e14fd594556f522604703340351258903b64f35553763f19426ab2a515c58
                endpoint=5.152.198.39:51820
                replace_allowed_ips=true
                allowed_ip=192.168.4.10/32
                allowed_ip=192.168.4.11/32
                public_key=e818b58db5274087fcc1be5dc728cf53d3b5726b4cef6b9bab8f8f8c2452c25c
                remove=true

                """;
        ConfigChange c = UapiProtocol.parseSet(body);
        assertEquals("e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a",
                c.privateKey().orElseThrow().toHex());
        assertEquals(OptionalLong.of(0), c.fwMark());
        assertEquals(OptionalInt.of(12912), c.listenPort());
        assertTrue(c.replacePeers());
        assertEquals(4, c.peers().size());
        PeerChange p0 = c.peers().get(0);
        assertEquals("188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52",
                p0.presharedKey().orElseThrow().toHex());
        assertTrue(p0.replaceAllowedIps());
        assertEquals(List.of(new AllowedIpChange(IpPrefix.parse("192.168.4.4/32"), false)), p0.allowedIps());
        assertEquals("[abcd:23::33%2]:51820", io.dwcp.wireguard.config.Endpoints.format(p0.endpoint().orElseThrow()));
        assertEquals(OptionalInt.empty(), p0.persistentKeepalive());
        PeerChange p1 = c.peers().get(1);
        assertEquals(OptionalInt.of(111), p1.persistentKeepalive());
        assertEquals(new InetSocketAddress(InetAddress.getByName("182.122.22.19"), 3233), p1.endpoint().orElseThrow());
        assertEquals(2, c.peers().get(2).allowedIps().size());
        PeerChange p3 = c.peers().get(3);
        assertTrue(p3.remove());
        assertFalse(p0.remove());
        assertFalse(c.toString().contains("e84b5a6d"), "toString hides keys");
    }

    @Test
    void replaceAllowedIpsDropsEarlierLinesOfThatPeerOnly() throws Exception {
        ConfigChange c = UapiProtocol.parseSet("public_key=" + PEER1 + "\nallowed_ip=10.0.0.0/8\n"
                + "replace_allowed_ips=true\nallowed_ip=-10.1.0.0/16\nallowed_ip=10.2.3.4/16\nupdate_only=true\n"
                + "public_key=" + PEER2 + "\nallowed_ip=::/0\n\n");
        PeerChange p = c.peers().get(0);
        assertTrue(p.updateOnly());
        assertEquals(List.of(new AllowedIpChange(IpPrefix.parse("10.1.0.0/16"), true),
                new AllowedIpChange(IpPrefix.parse("10.2.0.0/16"), false)), p.allowedIps());
        assertFalse(c.peers().get(1).replaceAllowedIps());
        assertEquals(List.of(new AllowedIpChange(IpPrefix.parse("::/0"), false)), c.peers().get(1).allowedIps());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no equals              | 71 | listen_port
            unknown device key     | 22 | foo=1
            port out of range      | 22 | listen_port=65536
            port signed            | 22 | listen_port=+1
            fwmark too big         | 22 | fwmark=4294967296
            replace_peers false    | 22 | replace_peers=false
            short private key      | 22 | private_key=abcd
            device key after peer  | 22 | public_key=PEER1\\nlisten_port=1
            peer key before peer   | 22 | endpoint=1.2.3.4:5
            protocol version 2     | 22 | public_key=PEER1\\nprotocol_version=2
            hostname endpoint      | 22 | public_key=PEER1\\nendpoint=example.com:51820
            unbracketed v6         | 22 | public_key=PEER1\\nendpoint=fd00::1:51820
            prefix without length  | 22 | public_key=PEER1\\nallowed_ip=10.0.0.1
            prefix leading zero    | 22 | public_key=PEER1\\nallowed_ip=10.0.0.0/08
            keepalive too big      | 22 | public_key=PEER1\\npersistent_keepalive_interval=65536
            remove not true        | 22 | public_key=PEER1\\nremove=1
            bad peer key           | 22 | public_key=zz
            unknown peer key       | 22 | public_key=PEER1\\nfoo=bar
            text after blank line  | 71 | listen_port=1\\n\\nlisten_port=2
            """)
    void errnoValuesMatchWireguardGo(String name, int errno, String body) {
        String text = body.replace("\\n", "\n").replace("PEER1", PEER1);
        UapiException e = assertThrows(UapiException.class, () -> UapiProtocol.parseSet(text));
        assertEquals(errno, e.errno(), e.getMessage());
    }

    @Test
    void privateKeyErrorsDoNotQuoteTheValue() {
        UapiException e = assertThrows(UapiException.class,
                () -> UapiProtocol.parseSet("private_key=" + PRIV.substring(0, 62) + "zz\n"));
        assertFalse(e.getMessage().contains(PRIV.substring(0, 16)), e.getMessage());
    }

    @Test
    void zeroKeysAreAccepted() throws Exception {
        ConfigChange c = UapiProtocol.parseSet("private_key=" + "0".repeat(64) + "\npublic_key=" + PEER1
                + "\npreshared_key=" + "0".repeat(64) + "\n");
        assertTrue(c.privateKey().orElseThrow().isZero());
        assertTrue(c.peers().get(0).presharedKey().orElseThrow().isZero());
    }
}
