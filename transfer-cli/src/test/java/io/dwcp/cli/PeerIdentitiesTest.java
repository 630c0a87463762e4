package io.dwcp.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.Limits;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.message.Message;
import io.dwcp.server.DwcpServer;
import io.dwcp.server.PeerIdentities;
import io.dwcp.server.ServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server whose clients are identified by source address (what {@code serve --tunnel} does with WireGuard
 * peers): unknown sources are refused, each identity's files land in its own root, and a data stream must come
 * from the session's own peer. The identity here is switched by the test, as a second peer would appear.
 */
class PeerIdentitiesTest {
    @TempDir
    Path root;

    @Test
    void identitiesChooseTheRootAndGuardTheDataStreams() throws Exception {
        AtomicReference<String> who = new AtomicReference<>();
        PeerIdentities ids = new PeerIdentities() {
            @Override
            public Optional<String> identify(InetSocketAddress remote) {
                return Optional.ofNullable(who.get());
            }

            @Override
            public String describe() {
                return "test";
            }
        };
        ServerConfig cfg = new ServerConfig(root, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0, null,
                false, false, Limits.defaults());
        try (DwcpServer server = DwcpServer.start(cfg, ids)) {
            int port = server.controlAddress().getPort();
            try (RawClient c = RawClient.connect(port)) {
                c.send(new Message.Hello("raw-test", new byte[0], 1));
                Message.Error refused = c.errorThenClose();
                assertEquals(ErrorCode.AUTH, refused.code());
                assertTrue(refused.message().contains("unknown-peer"), refused.message());
            }
            who.set("alice");
            byte[] content = "for alice only".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(RawClient.transfer(port, "", "a.txt", content).verified());
            assertEquals("for alice only", Files.readString(root.resolve("alice/a.txt")));
            assertTrue(Files.notExists(root.resolve("a.txt")));
            // a session of alice's: a data stream from another peer is refused, even with the session id
            try (RawClient c = RawClient.connect(port)) {
                Message.Welcome w = c.hello();
                c.send(new Message.Offer("", RawClient.BLOCK, List.of(RawClient.file("b.txt", content))));
                c.read(Message.Plan.class);
                who.set("bob");
                try (RawClient d = RawClient.connect(w.dataPort())) {
                    d.send(new Message.Join(w.sessionId(), 0));
                    Message.Error e = d.errorThenClose();
                    assertEquals(ErrorCode.AUTH, e.code(), e.toString());
                }
            }
        }
    }
}
