package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Senders with nothing left to send wait for retries; stopping the transfer must release them at once. */
class IdleSenderTest {
    private static BlockSchedule schedule() throws Exception {
        return new BlockSchedule(1 << 20);
    }

    @Test
    void aSenderWaitingForARetryIsReleasedWhenTheTransferStops() throws Exception {
        BlockSchedule s = schedule();
        CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> {
            try {
                return s.idle();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100); // let it block in the poll
        assertFalse(idle.isDone(), "an idle sender waits while the transfer runs");
        s.stop();
        // The poll itself lasts a second; being released well before shows the wake-up, not the timeout.
        assertFalse(idle.get(500, TimeUnit.MILLISECONDS), "a stopped transfer tells the sender to stop");
    }

    @Test
    void theWakeUpIsNeverTakenForABlockAndReachesEverySender() throws Exception {
        BlockSchedule s = schedule();
        s.stop();
        for (int i = 0; i < 3; i++) {
            assertEquals(BlockSchedule.NONE, s.next(), "nothing to send after the stop, however often asked");
        }
        assertTrue(s.stopped());
        assertFalse(s.idle());
    }
}
