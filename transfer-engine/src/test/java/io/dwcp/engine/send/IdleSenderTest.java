package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.Limits;
import io.dwcp.core.codec.CompressMode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Senders with nothing left to send wait for retries; stopping the transfer must release them at once. */
class IdleSenderTest {
    private static TransferClient client() {
        return new TransferClient(new TransferClient.Options(1, CompressMode.OFF, 1 << 20, new byte[0], Limits.defaults()));
    }

    @Test
    void aSenderWaitingForARetryIsReleasedWhenTheTransferStops() throws Exception {
        TransferClient c = client();
        CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> {
            try {
                return c.idle();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100); // let it block in the poll
        assertFalse(idle.isDone(), "an idle sender waits while the transfer runs");
        c.fail("reason=test", TransferResult.EXIT_FAILED);
        // The poll itself lasts a second; being released well before shows the wake-up, not the timeout.
        assertFalse(idle.get(500, TimeUnit.MILLISECONDS), "a stopped transfer tells the sender to stop");
    }

    @Test
    void theWakeUpIsNeverTakenForABlockAndReachesEverySender() throws Exception {
        TransferClient c = client();
        c.fail("reason=test", TransferResult.EXIT_FAILED);
        for (int i = 0; i < 3; i++) {
            assertEquals(-1, c.nextBlock(), "nothing to send after the stop, however often asked");
        }
        assertTrue(c.stopped());
        assertFalse(c.idle());
    }
}
