package io.dwcp.zerocopy;

/**
 * A TCP_INFO sample of a data-plane stream, for metrics and for choosing the stream count.
 *
 * @param rttMicros smoothed round-trip time
 * @param rttVarMicros its variance
 * @param sendCongestionWindow snd_cwnd, in segments
 * @param sendMss segment size
 * @param totalRetransmits retransmitted segments over the connection's life
 * @param deliveryRate bytes per second, or -1 when the kernel does not report it
 */
public record TcpInfo(int state, long rttMicros, long rttVarMicros, long sendCongestionWindow, long sendMss,
        long totalRetransmits, long deliveryRate) {
}
