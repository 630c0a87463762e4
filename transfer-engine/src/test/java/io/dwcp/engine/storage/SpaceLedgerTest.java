package io.dwcp.engine.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SpaceLedgerTest {
    /** A file store of 100 bytes whose usable space drops as the test "writes". */
    private final AtomicLong usable = new AtomicLong(100);
    private final SpaceLedger ledger = new SpaceLedger(usable::get);

    @Test
    void twoOffersNeverCountTheSameFreeBytes() throws DwcpException {
        ledger.claim(60);
        DwcpException e = assertThrows(DwcpException.class, () -> ledger.claim(60));
        assertEquals(ErrorCode.LIMIT, e.code());
        assertTrue(e.getMessage().contains("reason=insufficient-space need=60 free=100 promised=60"), e.getMessage());
        ledger.claim(40);
    }

    @Test
    void whatAClaimHasWrittenIsNotCountedTwice() throws DwcpException {
        SpaceLedger.Claim first = ledger.claim(60);
        first.wrote(50);
        usable.addAndGet(-50); // the file system saw those 50 bytes too
        ledger.claim(40); // 50 free, 10 still promised
        assertThrows(DwcpException.class, () -> ledger.claim(1));
    }

    @Test
    void writingMoreThanClaimedPromisesNothingNegative() throws DwcpException {
        SpaceLedger.Claim first = ledger.claim(10);
        first.wrote(30);
        usable.addAndGet(-30);
        ledger.claim(70);
    }

    @Test
    void anEndedTransferGivesBackWhatItDidNotWrite() throws DwcpException {
        SpaceLedger.Claim first = ledger.claim(100);
        assertThrows(DwcpException.class, () -> ledger.claim(1));
        ledger.release(first);
        ledger.claim(100);
    }

    @Test
    void aTransferThatWritesNothingNewIsAlwaysAdmitted() throws DwcpException {
        usable.set(0);
        ledger.claim(0);
    }

    @Test
    void anUnreadableFileStoreIsAnIoErrorNotAGuess() {
        SpaceLedger broken = new SpaceLedger(() -> {
            throw new IOException("store gone");
        });
        DwcpException e = assertThrows(DwcpException.class, () -> broken.claim(1));
        assertEquals(ErrorCode.IO, e.code());
        assertTrue(e.getMessage().contains("reason=free-space-unknown"), e.getMessage());
    }

    @Test
    void aRootRemovedUnderTheServerIsNamedAsSuch() {
        SpaceLedger gone = new SpaceLedger(() -> {
            throw new java.nio.file.NoSuchFileException("/srv/dwcp");
        });
        DwcpException e = assertThrows(DwcpException.class, () -> gone.claim(1));
        assertEquals("reason=root-missing root=\"/srv/dwcp\"", e.getMessage());
    }
}
