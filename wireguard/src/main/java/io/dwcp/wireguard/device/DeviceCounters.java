package io.dwcp.wireguard.device;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the device dropped and why: counters instead of exceptions on the data path, so a flood of forged or
 * replayed packets costs a counter increment each and is visible in {@code dwcp tunnel} logs and tests.
 */
public final class DeviceCounters {
    final LongAdder noRoute = new LongAdder();
    final LongAdder noKeysStaged = new LongAdder();
    final LongAdder unknownIndex = new LongAdder();
    final LongAdder forged = new LongAdder();
    final LongAdder replayed = new LongAdder();
    final LongAdder expiredKeys = new LongAdder();
    final LongAdder badSource = new LongAdder();
    final LongAdder malformed = new LongAdder();
    final LongAdder handshakeRejected = new LongAdder();
    final LongAdder cookiesSent = new LongAdder();
    final LongAdder handshakes = new LongAdder();

    /** Outgoing packets whose destination no peer's allowed IPs cover. */
    public long noRoute() {
        return noRoute.sum();
    }

    /** Transport packets naming an index we never gave out, or one already retired. */
    public long unknownIndex() {
        return unknownIndex.sum();
    }

    /** Transport packets whose authentication tag did not verify. */
    public long forged() {
        return forged.sum();
    }

    /** Transport packets with a counter seen before or older than the replay window. */
    public long replayed() {
        return replayed.sum();
    }

    /** Transport packets for keys past their reject-after time or message count. */
    public long expiredKeys() {
        return expiredKeys.sum();
    }

    /** Decrypted packets whose source address the sending peer may not use. */
    public long badSource() {
        return badSource.sum();
    }

    /** Datagrams of no known type or length, and inner packets that are not IP. */
    public long malformed() {
        return malformed.sum();
    }

    /** Handshake messages dropped: bad mac1, unknown key, replayed timestamp, failed decryption, flood. */
    public long handshakeRejected() {
        return handshakeRejected.sum();
    }

    /** Cookie replies sent because the device was under load. */
    public long cookiesSent() {
        return cookiesSent.sum();
    }

    /** Completed handshakes (either side). */
    public long handshakes() {
        return handshakes.sum();
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "handshakes=%d no_route=%d unknown_index=%d forged=%d replayed=%d expired=%d bad_source=%d "
                        + "malformed=%d handshake_rejected=%d cookies_sent=%d",
                handshakes(), noRoute(), unknownIndex(), forged(), replayed(), expiredKeys(), badSource(),
                malformed(), handshakeRejected(), cookiesSent());
    }
}
