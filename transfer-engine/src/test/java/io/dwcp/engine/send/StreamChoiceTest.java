package io.dwcp.engine.send;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class StreamChoiceTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private static InetAddress network() throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 10});
    }

    @Test
    void anExplicitCountIsKeptWhateverThePath() throws Exception {
        assertEquals(7, TransferClient.streamsFor(7, LOOPBACK, 2, true));
        assertEquals(1, TransferClient.streamsFor(1, network(), 64, true));
    }

    @Test
    void autoOverLoopbackIsOneStreamPerFourCoresAtLeastOneAtMostFour() {
        assertEquals(1, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, LOOPBACK, 1, false));
        assertEquals(1, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, LOOPBACK, 2, false));
        assertEquals(2, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, LOOPBACK, 8, false));
        assertEquals(4, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, LOOPBACK, 64, false));
    }

    @Test
    void aTreeOverLoopbackGetsTwoStreamsWhereThereAreTwoCores() {
        assertEquals(1, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, LOOPBACK, 1, true));
        assertEquals(2, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, LOOPBACK, 2, true));
        assertEquals(2, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, LOOPBACK, 8, true));
        assertEquals(4, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, LOOPBACK, 64, true));
    }

    @Test
    void autoOverANetworkUsesTheNetworkCountOnAnyMachine() throws Exception {
        assertEquals(TransferClient.NETWORK_STREAMS, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, network(), 2, true));
        assertEquals(TransferClient.NETWORK_STREAMS, TransferClient.streamsFor(TransferClient.AUTO_STREAMS, network(), 64, false));
    }

    @Test
    void sendfileOnlyTowardsAnotherMachineAndOnlyWhereItWorks() throws Exception {
        assertEquals(true, TransferClient.sendfileFor(true, network()));
        assertEquals(false, TransferClient.sendfileFor(true, LOOPBACK), "over loopback blocks leave from the slab");
        assertEquals(false, TransferClient.sendfileFor(true, InetAddress.getByName("127.0.0.2")));
        assertEquals(false, TransferClient.sendfileFor(false, network()));
    }
}
