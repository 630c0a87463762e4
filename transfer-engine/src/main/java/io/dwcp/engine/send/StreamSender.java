package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.frame.PageMapDescriptor;
import io.dwcp.zerocopy.DataFile;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * One data stream: pulls blocks from the shared cursor, reads each into its slab, digests it, skips blocks the
 * receiver's basis already has, and hands the rest to its {@link FrameSender}. Buffers are taken once per
 * stream; nothing is allocated per block.
 */
final class StreamSender implements Runnable {
    private final TransferClient client;
    private final FrameSender frames;
    private final MemorySegment memory;
    private final byte[] scratchDigest = new byte[BlockDigests.DIGEST_LENGTH];
    /** The page digests of the block being deferred to the refiner. */
    private final byte[] ownPages;
    /** {@link #awaitRefinerRoom} sent refined blocks through the block slab: the block read before is gone. */
    private boolean clobbered;

    StreamSender(TransferClient client, FrameSender frames) {
        this.client = client;
        this.frames = frames;
        this.memory = frames.blockMemory();
        this.ownPages = new byte[io.dwcp.core.digest.PageDigests.length(frames.blockSize())];
    }

    @Override
    public void run() {
        try (frames) {
            while (!client.stopped()) {
                Refiner.RefinedBlock refined = client.nextRefined();
                if (refined != null) {
                    refined(refined);
                    client.controlTick();
                    continue;
                }
                long task = client.nextBlock();
                if (task == -1) {
                    if (!client.idle()) {
                        return;
                    }
                    continue;
                }
                OutgoingFile f = client.file((int) ((task & Long.MAX_VALUE) >>> 32));
                int index = (int) task;
                if (f == null || f.abandoned()) {
                    continue; // given up: its other blocks are not sent
                }
                DataFile file;
                try {
                    file = f.acquire();
                } catch (IOException e) {
                    // It vanished or changed size since it was offered: the file alone fails.
                    client.abandon(f, e);
                    continue;
                }
                try {
                    if (task < 0) {
                        resend(f, file, index);
                    } else {
                        handle(f, file, index);
                    }
                } catch (SourceChangedException e) {
                    client.abandon(f, e); // found before the block's frame began: the file alone fails
                } finally {
                    f.release();
                }
                client.controlTick();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (DwcpException e) {
            client.fail(e.getMessage(), TransferResult.EXIT_FAILED);
        } catch (IOException e) {
            if (!client.stopped()) {
                client.fail("reason=data-stream-failed detail=\"" + e.getMessage() + "\"", TransferResult.EXIT_FAILED);
            }
        } catch (RuntimeException | Error e) {
            // A defect: the transfer fails now, saying so, instead of waiting out the idle timeout for this stream.
            client.fail("reason=internal-error stream=" + Thread.currentThread().getName() + " detail=\"" + e + "\"",
                    TransferResult.EXIT_FAILED);
            throw e;
        } finally {
            client.streamDone(frames.stats());
        }
    }

    /**
     * Reads block {@code index} into this stream's memory and returns its length; or -1 when the file shrank or
     * could not be read while it was sent: it alone fails (the receiver drops its blocks still on the way), and the
     * other files go on.
     */
    private int readOrAbandon(OutgoingFile f, DataFile file, int index) throws IOException {
        try {
            return f.read(file, index, memory, FrameSender.BLOCK_AT);
        } catch (IOException e) {
            client.abandon(f, e);
            return -1;
        }
    }

    private void handle(OutgoingFile f, DataFile file, int index) throws IOException, InterruptedException {
        if (f.digestedAhead(index) && judgedAhead(f, index)) {
            return;
        }
        int length = readOrAbandon(f, file, index);
        if (length < 0) {
            return;
        }
        // The page digests come with the block digest, kept where the receiver has a basis to refine against: a
        // changed block refined below needs no second pass.
        BlockDigests.digest(memory, FrameSender.BLOCK_AT, length, f.digests, index,
                f.basisDigests() != null ? ownPages : null, 0);
        boolean sent = !f.unchanged(index);
        SenderBasis base = sent ? f.xorBase(index, length) : null;
        if (base != null) {
            long wire = frames.sendXor(f, index, length, base);
            if (wire != FrameSender.BASE_MISMATCH) {
                boolean delta = wire >= 0;
                int pages = delta ? frames.lastPages() : PageMapDescriptor.pages(length);
                if (!delta) {
                    wire = frames.send(f, file, f.offset(index), length);
                }
                client.deltaSent(f, length, wire, delta, pages);
                return;
            }
            if (f.baseMismatch()) {
                client.baseMismatch(f); // then refined against the receiver's copy, as without --base
            }
        }
        if (sent && f.refinable(index)) {
            // Its CRC is taken now, while its bytes are here (its page digests came with its block digest): the
            // answer then needs only the changed pages read again. The slab may take refined blocks meanwhile (the
            // block is read again if it goes whole after all). A file on probation waits for its verdict: a file
            // rewritten throughout would otherwise have every block asked for before the first answer.
            int crc = frames.blockCrc(length);
            if (deferToRefiner(f, index, ownPages, 0, crc) != NOT_REFINABLE) {
                return;
            }
            if (clobbered) {
                f.read(file, index, memory, FrameSender.BLOCK_AT);
            }
        }
        long wire = sent ? frames.send(f, file, f.offset(index), length) : 0;
        client.blockDone(f, sent, length, wire);
    }

    /**
     * A block {@link DigestAhead} digested (from the OFFER on, ahead of the streams): an unchanged one is done, and a
     * changed one that may be refined goes to the refiner with the page digests and CRC taken there, neither read
     * again. False when the block must be read after all (it goes whole, or as an XOR delta against {@code --base}).
     */
    private boolean judgedAhead(OutgoingFile f, int index) throws IOException, InterruptedException {
        int length = f.length(index);
        if (f.unchanged(index)) {
            client.blockDone(f, false, length, 0);
            return true;
        }
        if (f.xorBase(index, length) != null || !f.refinable(index)) {
            return false;
        }
        return deferToRefiner(f, index, f.aheadPages(), f.aheadPagesAt(index), f.aheadCrc(index)) != NOT_REFINABLE;
    }

    /** What {@link #deferToRefiner} came to. */
    private static final int ASKED = 0;
    private static final int NOT_REFINABLE = 1;
    private static final int STOPPED = 2;

    /**
     * Hands changed block {@code index} of {@code f} to the refiner, with its page digests ({@code pages} from
     * {@code at}) and CRC, once there is room; another stream may take the room first, and then more is made.
     * {@link #clobbered} says afterwards whether refined blocks went through the block slab meanwhile.
     */
    private int deferToRefiner(OutgoingFile f, int index, byte[] pages, int at, int crc)
            throws IOException, InterruptedException {
        clobbered = false;
        while (true) {
            if (!awaitRefinerRoom(f)) {
                return STOPPED;
            }
            if (!f.refinable(index)) {
                return NOT_REFINABLE;
            }
            if (client.refine(f, index, pages, at, crc)) {
                return ASKED;
            }
        }
    }

    /**
     * Sends refined blocks until the refiner has room and {@code f} is not waiting for its verdict; false once the
     * streams stop. Sets {@link #clobbered} when the block slab was used meanwhile.
     */
    private boolean awaitRefinerRoom(OutgoingFile f) throws IOException, InterruptedException {
        while (client.refinerFull() || f.awaitingVerdict()) {
            Refiner.RefinedBlock r = client.nextRefined();
            if (r != null) {
                refined(r);
                clobbered = true;
            } else if (!client.awaitRefined()) {
                return false;
            }
        }
        return true;
    }

    /**
     * A changed block whose receiver page digests arrived: read again (the digest proves the source still has the
     * bytes first read) and sent as the pages that differ, or whole when every page does.
     */
    private void refined(Refiner.RefinedBlock r) throws IOException {
        OutgoingFile f = r.file();
        int index = r.block();
        if (f.abandoned() || f.isEnded()) {
            client.refinedDropped(r.slot()); // the receiver has given its verdict, or will not take the file
            return;
        }
        DataFile file;
        try {
            file = f.acquire();
        } catch (IOException e) {
            client.abandon(f, e);
            client.refinedDropped(r.slot());
            return;
        }
        try {
            int length = f.length(index);
            int pages = PageMapDescriptor.pages(length);
            Refiner refiner = client.refiner();
            long wire = frames.sendPages(f, file, index, length, r.digests(), r.at(), refiner.mine(),
                    refiner.mineAt(r.slot()), refiner.crc(r.slot()));
            boolean delta = wire >= 0;
            int sentPages = delta ? frames.lastPages() : pages;
            if (!delta) {
                // Every page differs: the block goes whole, read again and checked against its first digest.
                f.read(file, index, memory, FrameSender.BLOCK_AT);
                BlockDigests.digest(memory, FrameSender.BLOCK_AT, length, scratchDigest, 0);
                if (!BlockDigests.equalAt(scratchDigest, 0, f.digests, index)) {
                    throw f.changed(f.offset(index));
                }
                wire = frames.send(f, file, f.offset(index), length);
            }
            f.refined(sentPages, pages);
            client.refinedDone(f, r.slot(), length, wire, delta, sentPages);
        } catch (SourceChangedException e) {
            client.abandon(f, e); // found before the block's frame began: the file alone fails
            client.refinedDropped(r.slot());
        } finally {
            f.release();
        }
    }

    /** A block the receiver refused: read again, and send only when the source still has the bytes offered. */
    private void resend(OutgoingFile f, DataFile file, int index) throws IOException {
        int length = readOrAbandon(f, file, index);
        if (length < 0) {
            return;
        }
        BlockDigests.digest(memory, FrameSender.BLOCK_AT, length, scratchDigest, 0);
        if (!BlockDigests.equalAt(scratchDigest, 0, f.digests, index)) {
            throw f.changed(f.offset(index)); // the caller gives the file up
        }
        client.resent(frames.send(f, file, f.offset(index), length));
    }
}
