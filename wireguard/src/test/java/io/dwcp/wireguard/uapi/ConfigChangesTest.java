package io.dwcp.wireguard.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.wireguard.config.ConfigFile;
import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.InterfaceConfig;
import io.dwcp.wireguard.config.WgKey;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ConfigChangesTest {
    static final String PRIV = "QGBT5j1eJyJUje58svF3yZMHptzB7GAtfoY6cKU79HA=";
    static final String PUB = "71u4TGNfJZ5pbvjsw1Q1a1SiqXi9mLCG2c5dR/Lo200=";

    static InterfaceConfig config(String peerLines) throws Exception {
        return ConfigFile.parse(new StringReader("[Interface]\nPrivateKey=" + PRIV + "\nAddress=10.0.0.1/24\n"
                + "[Peer]\nPublicKey=" + PUB + "\n" + peerLines), "t.conf");
    }

    @Test
    void likeWgSetconf() throws Exception {
        ConfigChange c = ConfigChanges.fromConfig(config("AllowedIPs=10.0.0.2/32\nEndpoint=vpn.test:51820\n"),
                host -> InetAddress.getByAddress(host, new byte[] {192 - 256, 0, 2, 1}));
        assertEquals(Optional.of(WgKey.parseBase64(PRIV)), c.privateKey());
        assertEquals(OptionalInt.of(0), c.listenPort(), "setconf sends 0 when the file has no ListenPort");
        assertEquals(OptionalLong.of(0), c.fwMark());
        assertTrue(c.replacePeers());
        PeerChange p = c.peers().get(0);
        assertTrue(p.replaceAllowedIps());
        assertEquals(List.of(new AllowedIpChange(IpPrefix.parse("10.0.0.2/32"), false)), p.allowedIps());
        InetSocketAddress e = p.endpoint().orElseThrow();
        assertEquals("192.0.2.1", e.getAddress().getHostAddress());
        assertEquals(51820, e.getPort());
        assertEquals(Optional.empty(), p.presharedKey());
        assertEquals(OptionalInt.empty(), p.persistentKeepalive());
    }

    @Test
    void unresolvableEndpointNamesThePeer() throws Exception {
        InterfaceConfig c = config("Endpoint=nowhere.test:1\n");
        UnknownHostException e = assertThrows(UnknownHostException.class, () -> ConfigChanges.fromConfig(c, host -> {
            throw new UnknownHostException(host);
        }));
        assertEquals("peer=" + PUB + " endpoint=nowhere.test:1 error=cannot resolve", e.getMessage());
    }
}
