package io.dwcp.wireguard.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.wireguard.config.IpPrefix;
import io.dwcp.wireguard.config.WgKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;

/** One connection's request loop over in-memory streams. */
class UapiConnectionTest {
    static final String PEER = UapiProtocolTest.PEER1;

    final MemoryDevice device = new MemoryDevice();

    String serve(String requests) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new UapiConnection(device, new ReentrantReadWriteLock(), "t")
                .serve(new ByteArrayInputStream(requests.getBytes(StandardCharsets.ISO_8859_1)), out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void severalRequestsOnOneConnection() throws IOException {
        String out = serve("set=1\nlisten_port=7\npublic_key=" + PEER + "\nallowed_ip=10.0.0.9/24\n\n"
                + "get=1\n\n" + "get=1\n\n");
        String get = "listen_port=7\npublic_key=" + PEER + "\npreshared_key=" + "0".repeat(64)
                + "\nprotocol_version=1\nlast_handshake_time_sec=0\nlast_handshake_time_nsec=0\ntx_bytes=0\n"
                + "rx_bytes=0\npersistent_keepalive_interval=0\nallowed_ip=10.0.0.0/24\nerrno=0\n\n";
        assertEquals("errno=0\n\n" + get + get, out);
    }

    @Test
    void aBadSetIsReadToItsEndAndRejectedWhole() throws IOException {
        String out = serve("set=1\nlisten_port=7\nbogus\nlisten_port=8\n\nget=1\n\n");
        assertEquals("errno=-71\n\nerrno=0\n\n", out, "nothing applied, connection still in step");
        assertEquals(List.of(), device.applied);
    }

    @Test
    void deviceErrnoIsReported() throws IOException {
        device.failWith = UapiException.EADDRINUSE;
        assertEquals("errno=-98\n\n", serve("set=1\nlisten_port=7\n\n"));
        assertEquals(1, device.applied.size());
    }

    @Test
    void getWithTrailingCharacterIsEinval() throws IOException {
        // wireguard-go answers -22, then reads the rest of the line as an operation, which closes the connection.
        assertEquals("errno=-22\n\n", serve("get=1\nx\nget=1\n\n"));
    }

    @Test
    void unknownOperationClosesWithoutReply() throws IOException {
        assertEquals("", serve("put=1\n\nget=1\n\n"));
    }

    @Test
    void setCutShortIsNotApplied() throws IOException {
        assertEquals("", serve("set=1\nlisten_port=7\n"));
        assertEquals(List.of(), device.applied);
    }

    @Test
    void overlongLineGetsEioAndCloses() throws IOException {
        String out = serve("set=1\nallowed_ip=" + "1".repeat(UapiConnection.MAX_LINE_BYTES) + "\n\nget=1\n\n");
        assertEquals("errno=-5\n\n", out);
        assertEquals(List.of(), device.applied);
    }

    @Test
    void removeAndUpdateOnlyReachTheDevice() throws IOException {
        WgKey other = WgKey.parseHex(UapiProtocolTest.PEER2);
        serve("set=1\npublic_key=" + PEER + "\nallowed_ip=10.0.0.0/8\n\n"
                + "set=1\npublic_key=" + other.toHex() + "\nupdate_only=true\nallowed_ip=10.1.0.0/16\n"
                + "public_key=" + PEER + "\nremove=true\n\n");
        assertTrue(device.peers.isEmpty(), "update_only did not create, remove removed");
        PeerChange removed = device.applied.get(1).peers().get(1);
        assertTrue(removed.remove());
        assertEquals(List.of(new AllowedIpChange(IpPrefix.parse("10.0.0.0/8"), false)),
                device.applied.get(0).peers().get(0).allowedIps());
    }
}
