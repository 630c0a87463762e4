package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.Limits;
import io.dwcp.core.codec.CompressMode;
import io.dwcp.core.manifest.Entry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An offer bigger than a server accepts is refused by the sender itself, before it connects anywhere. */
class OfferLimitsTest {
    private static Manifest dirs(int n) {
        List<Entry> entries = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(Entry.dir("directory-with-a-longish-name-" + i, 0755, 0));
            sources.add(null);
        }
        return new Manifest(entries, sources, List.of());
    }

    /** Sends to a port nothing listens on: any attempt to connect would say connect-failed instead. */
    private static TransferResult send(Limits limits, Manifest m) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        TransferClient c = new TransferClient(new TransferClient.Options(1, CompressMode.OFF, 1 << 20, new byte[0], limits));
        return c.send(m, Target.parse("127.0.0.1:" + closed, limits.maxPathBytes()));
    }

    @Test
    void tooManyEntries() throws Exception {
        TransferResult r = send(Limits.defaults().withMaxEntries(3), dirs(4));
        assertEquals(TransferResult.EXIT_FAILED, r.exitCode());
        assertTrue(r.transportError().contains("reason=offer-too-large entries=4 max_entries=3"), r.transportError());
        assertEquals(0, r.wireBytes());
    }

    @Test
    void tooManyBytes() throws Exception {
        TransferResult r = send(Limits.defaults().withMaxControlBody(1000), dirs(30));
        assertEquals(TransferResult.EXIT_FAILED, r.exitCode());
        assertTrue(r.transportError().contains("reason=offer-too-large bytes="), r.transportError());
        assertTrue(r.transportError().contains("max_bytes=1000 entries=30"), r.transportError());
    }

    @Test
    void anOfferJustInsideTheLimitsGoesOnToConnect() throws Exception {
        TransferResult r = send(Limits.defaults().withMaxEntries(4), dirs(4));
        assertTrue(r.transportError().contains("reason=connect-failed"), r.transportError());
    }
}
