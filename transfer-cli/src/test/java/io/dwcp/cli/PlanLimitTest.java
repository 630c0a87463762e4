package io.dwcp.cli;

import static io.dwcp.cli.RawClient.BLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.message.Message;
import io.dwcp.server.DwcpServer;
import io.dwcp.server.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What bounds a PLAN since protocol version 2, where the file list is streamed: a PLAN answers one OFFER batch,
 * one line per entry, so it is bounded by the entries of a batch ({@link Limits#MAX_ENTRIES}, checked when the
 * OFFER is decoded, before anything is planned), and a transfer's state at either end by the window of entries in
 * flight ({@link Limits#WINDOW_ENTRIES}), not by the size of the tree. (Version 1 refused an offer whose single
 * PLAN would not fit in a control frame, {@code reason=plan-too-large}; that refusal is gone.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PlanLimitTest {
    private static DwcpServer start(Path root) throws IOException {
        ServerConfig config = new ServerConfig(root, new InetSocketAddress("127.0.0.1", 0), 0, null, false, false,
                Limits.defaults());
        return DwcpServer.start(config);
    }

    private static List<Entry> files(String prefix, int n) {
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(Entry.file(prefix + i, i, 0644, RawClient.MTIME_BASE_NANOS + i));
        }
        return entries;
    }

    /** Entries that finish as soon as they are planned and touch nothing: LISTED without DELETE. */
    private static List<Entry> listed(String prefix, int n) {
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            entries.add(new Entry(EntryKind.LISTED, prefix + i, 0, 0, 0, "", Entry.NO_ID, Entry.NO_ID, 0));
        }
        return entries;
    }

    @Test
    void aFullBatchIsPlannedLineByLineAndOneEntryMoreIsRefusedBeforeAnythingIsPlanned(@TempDir Path root)
            throws Exception {
        try (DwcpServer server = start(root)) {
            int port = server.controlAddress().getPort();
            // A dry run: every entry is planned (one line each, in order) and nothing is written.
            try (RawClient c = RawClient.connect(port)) {
                c.hello();
                c.send(new Message.Offer("full", BLOCK, Message.Offer.DRY_RUN, 0, files("f", Limits.MAX_ENTRIES)));
                Message.Plan plan = c.read(Message.Plan.class);
                assertEquals(Limits.MAX_ENTRIES, plan.files().size());
                for (int i = 0; i < Limits.MAX_ENTRIES; i++) {
                    Message.FilePlan line = plan.files().get(i);
                    assertEquals(i, line.fileId());
                    assertEquals(Message.FilePlan.SKIP, line.action(), line::toString);
                    assertEquals(Message.FilePlan.CREATED, line.changes(), line::toString);
                }
                c.send(new Message.Commit());
                c.readDone();
            }
            assertEquals(List.of(), Harness.listTree(root), "a dry run changes nothing");

            try (RawClient c = RawClient.connect(port)) {
                c.hello();
                c.send(new Message.Offer("over", BLOCK, files("f", Limits.MAX_ENTRIES + 1)));
                Message.Error e = c.errorThenClose();
                assertEquals(ErrorCode.PROTOCOL, e.code(), e::toString);
                assertTrue(e.message().contains("frame=offer reason=limit field=entries count=" + (Limits.MAX_ENTRIES + 1)
                        + " max=" + Limits.MAX_ENTRIES), e.message());
            }
            assertEquals(List.of(), Harness.listTree(root), "nothing planned for a refused batch");
        }
    }

    /**
     * With entry 0 unfinished, batches may run up to id {@code WINDOW_ENTRIES - 1}; once entry 0 is finished the
     * window moves and the transfer goes on past it (no limit per transfer). A batch reaching beyond the window is a
     * protocol error.
     */
    @Test
    void theWindowBoundsEntriesInFlightNotTheTransfer(@TempDir Path root) throws Exception {
        byte[] content = Harness.random(84, 3 * BLOCK);
        int w = Limits.WINDOW_ENTRIES;
        int b = Limits.MAX_ENTRIES;
        try (DwcpServer server = start(root)) {
            int port = server.controlAddress().getPort();
            try (RawClient c = RawClient.connect(port)) {
                Message.Welcome welcome = c.hello();
                c.send(new Message.Offer("win", BLOCK, List.of(RawClient.file("held.bin", content))));
                assertEquals(Message.FilePlan.NEW, c.read(Message.Plan.class).files().get(0).action());
                int next = 1;
                while (next < w) {
                    int n = Math.min(b, w - next);
                    c.send(new Message.Offer("win", BLOCK, 0, next, listed("l" + next + "-", n)));
                    assertEquals(n, c.read(Message.Plan.class).files().size());
                    next += n;
                }
                assertEquals(w, next, "the window is full: ids 0.." + (w - 1) + " offered, 0 unfinished");
                try (RawClient d = RawClient.join(welcome.dataPort(), welcome.sessionId(), 0)) {
                    for (int i = 0; i < RawClient.blocks(content); i++) {
                        d.sendBlock(0, content, i);
                    }
                    c.send(new Message.FileEnd(0, RawClient.blocks(content), RawClient.fileDigest(content)));
                    assertEquals(Message.FileDone.OK, c.read(Message.FileDone.class).status());
                }
                // Entry 0 finished: the window has moved a whole window on.
                c.send(new Message.Offer("win", BLOCK, 0, next, listed("after-", b)));
                assertEquals(b, c.read(Message.Plan.class).files().size());
                c.send(new Message.Commit());
                Message.Done done = c.readDone();
                assertTrue(done.verified(), done::toString);
                assertEquals(1, done.files(), done::toString);
            }
            assertTrue(java.util.Arrays.equals(content, Files.readAllBytes(root.resolve("win/held.bin"))));

            try (RawClient c = RawClient.connect(port)) {
                c.hello();
                c.send(new Message.Offer("win2", BLOCK, List.of(RawClient.file("held.bin", content))));
                c.read(Message.Plan.class);
                int next = 1;
                while (next < w) {
                    int n = Math.min(b, w - next);
                    c.send(new Message.Offer("win2", BLOCK, 0, next, listed("l" + next + "-", n)));
                    c.read(Message.Plan.class);
                    next += n;
                }
                c.send(new Message.Offer("win2", BLOCK, 0, next, listed("one-too-many-", 1)));
                Message.Error e = c.errorThenClose();
                assertEquals(ErrorCode.PROTOCOL, e.code(), e::toString);
                assertTrue(e.message().contains("frame=offer reason=window-exceeded end=" + (w + 1) + " low=0 window=" + w),
                        e.message());
            }
            assertFalse(Files.exists(root.resolve("win2/held.bin")), "the aborted session's file must not land");
            assertEquals(List.of(), Harness.partFiles(root), "the aborted session's part file must be gone");
        }
    }

    /**
     * Whatever else changed, a PLAN is one control frame, and a peer refuses a frame longer than its limit. A server
     * whose control frames are limited to 4 KiB, asked to plan a 256-block file it already has (4 KiB of basis
     * digests plus the line), must not send a PLAN it would itself refuse: how it answers that entry (a FAILED line
     * naming it, no basis, an ERROR) is its choice, but every frame it sends fits the limit, and a file whose
     * digests fit still gets its BASIS. (Version 1 refused such an offer with {@code reason=plan-too-large}. Version
     * 2 relies on the sender ending a batch at 16 GiB of files, which does not bound the digests of one file, nor of
     * 16 GiB at 4 KiB blocks: 64 MiB of digests, over the default 64 MiB frame limit.)
     */
    @Test
    void aPlanNeverExceedsTheControlFrameLimit(@TempDir Path root) throws Exception {
        Harness.randomFile(root.resolve("big.bin"), 256L * BLOCK, 81);
        Harness.randomFile(root.resolve("half.bin"), 128L * BLOCK, 82);
        Limits limits = Limits.defaults().withMaxControlBody(4096);
        ServerConfig config = new ServerConfig(root, new InetSocketAddress("127.0.0.1", 0), 0, null, false, false, limits);
        try (DwcpServer server = DwcpServer.start(config)) {
            int port = server.controlAddress().getPort();
            try (RawClient c = RawClient.connect(port)) {
                c.hello();
                c.send(new Message.Offer("", BLOCK, List.of(Entry.file("big.bin", 256L * BLOCK, 0644, 0))));
                Message m = c.read(limits); // fails on a frame over the server's own limit
                if (m instanceof Message.Plan plan) {
                    assertEquals(1, plan.files().size(), plan::toString);
                }
            }
            try (RawClient c = RawClient.connect(port)) {
                c.hello();
                c.send(new Message.Offer("", BLOCK, List.of(Entry.file("half.bin", 128L * BLOCK, 0644, 0))));
                Message.Plan plan = (Message.Plan) c.read(limits);
                assertEquals(Message.FilePlan.BASIS, plan.files().get(0).action(), plan::toString);
                assertEquals(128 * 16, plan.files().get(0).blockDigests().length);
            }
        }
    }
}
