package io.dwcp.wireguard.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NioUdpTransportTest {
    private static final InetAddress LO = InetAddress.getLoopbackAddress();

    @Test
    void exchangesDatagramsWithSourceAddresses() throws Exception {
        try (NioUdpTransport a = NioUdpTransport.open(new InetSocketAddress(LO, 0), 1 << 20);
                NioUdpTransport b = NioUdpTransport.open(new InetSocketAddress(LO, 0), 1 << 20);
                PacketBatch out = new PacketBatch(4, 2048);
                PacketBatch in = new PacketBatch(4, 2048)) {
            for (int i = 0; i < 4; i++) {
                Datagrams.put(out, i, Datagrams.payload(i, 100 + i * 300), 0, new InetSocketAddress(LO, b.localPort()));
            }
            assertEquals(4, a.send(out, 4));
            List<Datagrams.Received> got = Datagrams.receive(b, in, 4);
            for (int i = 0; i < 4; i++) {
                assertArrayEquals(Datagrams.payload(i, 100 + i * 300), got.get(i).data());
                assertEquals(new InetSocketAddress(LO, a.localPort()), got.get(i).from());
            }
            // reply to the endpoint exactly as received
            out.setEndpoint(0, in.endpoint(0));
            out.setLength(0, 5);
            assertEquals(1, b.send(out, 1));
            List<Datagrams.Received> back = Datagrams.receive(a, in, 1);
            assertEquals(new InetSocketAddress(LO, b.localPort()), back.get(0).from());
            assertFalse(a.gso() || a.gro());
        }
    }

    @Test
    void splitsSuperDatagramsOnSend() throws Exception {
        try (NioUdpTransport a = NioUdpTransport.open(new InetSocketAddress(LO, 0), 1 << 20);
                NioUdpTransport b = NioUdpTransport.open(new InetSocketAddress(LO, 0), 1 << 20);
                PacketBatch out = new PacketBatch(1, 8192);
                PacketBatch in = new PacketBatch(1, 8192)) {
            byte[] whole = Datagrams.payload(7, 3 * 1000 + 400);
            Datagrams.put(out, 0, whole, 1000, new InetSocketAddress(LO, b.localPort()));
            assertEquals(1, a.send(out, 1));
            List<Datagrams.Received> got = Datagrams.receive(b, in, 4);
            int off = 0;
            for (Datagrams.Received r : got) {
                assertEquals(off < 3000 ? 1000 : 400, r.data().length);
                assertArrayEquals(java.util.Arrays.copyOfRange(whole, off, off + r.data().length), r.data());
                off += r.data().length;
            }
        }
    }

    @Test
    void closeUnblocksReceive() throws Exception {
        NioUdpTransport t = NioUdpTransport.open(new InetSocketAddress(LO, 0), 1 << 16);
        try (PacketBatch in = new PacketBatch(1, 2048)) {
            CompletableFuture<Integer> r = CompletableFuture.supplyAsync(() -> {
                try {
                    return t.receive(in);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(200);
            t.close();
            assertEquals(-1, r.get(1, TimeUnit.SECONDS));
            assertEquals(-1, t.receive(in));
            Datagrams.put(in, 0, new byte[] {1}, 0, new InetSocketAddress(LO, 9));
            assertEquals(-1, t.send(in, 1));
        }
    }
}
