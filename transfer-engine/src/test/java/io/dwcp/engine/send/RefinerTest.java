package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.digest.PageDigests;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.message.Message;
import io.dwcp.zerocopy.IoMode;
import io.dwcp.zerocopy.select.IoPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** REFINE requests and their PAGE_DIGESTS answers, matched by the blocks they name. */
class RefinerTest {
    private static final int BLOCK = 4096;

    private static OutgoingFile file(int blocks) {
        byte[] digests = new byte[blocks * 16];
        java.util.Arrays.fill(digests, (byte) 1);
        return new OutgoingFile(7, Entry.file("f.bin", (long) blocks * BLOCK, 0644, 0), Path.of("f.bin"), BLOCK,
                new Message.FilePlan(7, Message.FilePlan.BASIS, 0, (long) blocks * BLOCK, digests, ""),
                IoPaths.select(IoMode.AUTO)::openSource, true);
    }

    private static Message.PageDigests answer(int... blocks) {
        return new Message.PageDigests(7, blocks, new byte[blocks.length * PageDigests.length(BLOCK)]);
    }

    @Test
    void answersMayComeInAnotherOrderThanTheRequestsWereMade() throws Exception {
        List<Message> sent = new ArrayList<>();
        BlockSchedule schedule = new BlockSchedule(BLOCK);
        // A control body of 16 bytes holds the pages of one 4 KiB block: one block per REFINE.
        Refiner r = new Refiner(sent::add, schedule, BLOCK, 16);
        OutgoingFile f = file(4);
        byte[] pages = new byte[PageDigests.length(BLOCK)];
        r.want(f, 0, pages, 0, 11);
        r.want(f, 1, pages, 0, 12);
        assertEquals(2, sent.size(), "one REFINE per block");
        assertArrayEquals(new int[] {0}, ((Message.Refine) sent.get(0)).blocks());
        // Two streams made them in this order but sent them the other way round: the receiver answers 1 first.
        r.answered(answer(1));
        r.answered(answer(0));
        Refiner.RefinedBlock a = schedule.pollRefined();
        Refiner.RefinedBlock b = schedule.pollRefined();
        assertNotNull(a);
        assertNotNull(b);
        assertEquals(1, a.block());
        assertEquals(0, b.block());
        assertNull(schedule.pollRefined());
    }

    @Test
    void anAnswerToNothingAskedIsAProtocolError() throws Exception {
        Refiner r = new Refiner(m -> { }, new BlockSchedule(BLOCK), BLOCK, 16);
        OutgoingFile f = file(4);
        r.want(f, 2, new byte[PageDigests.length(BLOCK)], 0, 1);
        DwcpException e = assertThrows(DwcpException.class, () -> r.answered(answer(3)));
        assertTrue(e.getMessage().contains("reason=not-asked"), e.getMessage());
        r.answered(answer(2)); // the request that was made is still answerable
        assertThrows(DwcpException.class, () -> r.answered(answer(2)), "and only once");
    }

    @Test
    void aFullRefinerRefusesABlockInsteadOfOverrunningItsSlots() throws Exception {
        List<Message> sent = new ArrayList<>();
        BlockSchedule schedule = new BlockSchedule(BLOCK);
        Refiner r = new Refiner(sent::add, schedule, BLOCK, 16);
        int max = Refiner.MAX_OUTSTANDING;
        OutgoingFile f = file(max + 8);
        byte[] pages = new byte[PageDigests.length(BLOCK)];
        for (int b = 0; b < max; b++) {
            assertTrue(r.want(f, b, pages, 0, b));
        }
        assertTrue(r.full());
        assertFalse(r.want(f, max, pages, 0, 0), "no slot left: the block is refused, nothing asked");
        assertEquals(max, sent.size());
        r.answered(answer(0));
        Refiner.RefinedBlock a = schedule.pollRefined();
        assertNotNull(a);
        assertEquals(0, r.crc(a.slot()));
        r.sent(a.slot());
        assertTrue(r.want(f, max, pages, 0, 77), "a sent block frees its slot for the next");
        assertEquals(max + 1, sent.size());
    }
}
