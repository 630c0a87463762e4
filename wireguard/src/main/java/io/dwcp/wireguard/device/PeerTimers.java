package io.dwcp.wireguard.device;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A peer's five protocol timers (wireguard-go {@code device/timers.go}): deadlines in {@link System#nanoTime()},
 * armed by the data path's events and fired by the device's timer thread, which calls {@link #tick}. Arming is a
 * volatile write and only happens when the timer is idle, so the data path pays almost nothing for them.
 */
final class PeerTimers {
    /** What firing timers do: implemented by the peer's owner (the device). */
    interface Actions {
        void retransmitHandshake(Peer peer);

        void giveUpHandshake(Peer peer);

        void sendKeepalive(Peer peer);

        void newHandshake(Peer peer);

        void zeroKeyMaterial(Peer peer);
    }

    static final long IDLE = Long.MIN_VALUE;
    /** wireguard-go's jitter on handshake retries: up to a third of a second, so two peers do not collide forever. */
    private static final long MAX_JITTER_NANOS = 333_000_000L;

    private final Timings timings;
    private volatile long retransmitHandshake = IDLE;
    private volatile long sendKeepalive = IDLE;
    private volatile long newHandshake = IDLE;
    private volatile long zeroKeyMaterial = IDLE;
    private volatile long persistentKeepalive = IDLE;
    private volatile boolean needAnotherKeepalive;
    private volatile int handshakeAttempts;
    private volatile boolean stopped;

    PeerTimers(Timings timings) {
        this.timings = timings;
    }

    private long jitter() {
        return ThreadLocalRandom.current().nextLong(Math.max(1, Math.min(MAX_JITTER_NANOS, timings.rekeyTimeout() / 15)));
    }

    /** A data packet (not a keepalive) was sent: expect an answer, else start a new handshake. */
    void dataSent(long now) {
        if (newHandshake == IDLE && !stopped) {
            newHandshake = now + timings.keepaliveTimeout() + timings.rekeyTimeout() + jitter();
        }
    }

    /** A data packet was received: answer with a keepalive unless we send something first. */
    void dataReceived(long now) {
        if (stopped) {
            return;
        }
        if (sendKeepalive == IDLE) {
            sendKeepalive = now + timings.keepaliveTimeout();
        } else {
            needAnotherKeepalive = true;
        }
    }

    /** Anything authenticated was sent (data, keepalive, handshake): no keepalive owed. */
    void anyAuthenticatedSent() {
        sendKeepalive = IDLE;
    }

    /** Anything authenticated was received: the peer is alive. */
    void anyAuthenticatedReceived() {
        newHandshake = IDLE;
    }

    /** Any authenticated packet went either way: restart the persistent keepalive interval. */
    void anyAuthenticatedTraversal(long now, int persistentKeepaliveSeconds) {
        if (persistentKeepaliveSeconds > 0 && !stopped) {
            persistentKeepalive = now + persistentKeepaliveSeconds * 1_000_000_000L;
        }
    }

    void handshakeInitiated(long now) {
        if (!stopped) {
            retransmitHandshake = now + timings.rekeyTimeout() + jitter();
        }
    }

    void handshakeComplete() {
        retransmitHandshake = IDLE;
        handshakeAttempts = 0;
    }

    void sessionDerived(long now) {
        if (!stopped) {
            zeroKeyMaterial = now + timings.zeroKeysAfter();
        }
    }

    /** A new initiation not caused by a retry starts the attempt count again. */
    void resetAttempts() {
        handshakeAttempts = 0;
    }

    /** Stops every timer for good (peer removed, device closing). */
    void stop() {
        stopped = true;
        retransmitHandshake = sendKeepalive = newHandshake = zeroKeyMaterial = persistentKeepalive = IDLE;
    }

    /** Fires whatever is due at {@code now}; called by the timer thread only. */
    void tick(long now, Peer peer, Actions actions) {
        if (stopped) {
            return;
        }
        long t = retransmitHandshake;
        if (t != IDLE && now - t >= 0) {
            retransmitHandshake = IDLE;
            long maxAttempts = timings.rekeyAttemptTime() / timings.rekeyTimeout();
            if (handshakeAttempts > maxAttempts) {
                sendKeepalive = IDLE;
                if (zeroKeyMaterial == IDLE) {
                    zeroKeyMaterial = now + timings.zeroKeysAfter();
                }
                actions.giveUpHandshake(peer);
            } else {
                handshakeAttempts++;
                actions.retransmitHandshake(peer);
            }
        }
        t = sendKeepalive;
        if (t != IDLE && now - t >= 0) {
            sendKeepalive = IDLE;
            actions.sendKeepalive(peer);
            if (needAnotherKeepalive) {
                needAnotherKeepalive = false;
                sendKeepalive = now + timings.keepaliveTimeout();
            }
        }
        t = newHandshake;
        if (t != IDLE && now - t >= 0) {
            newHandshake = IDLE;
            actions.newHandshake(peer);
        }
        t = zeroKeyMaterial;
        if (t != IDLE && now - t >= 0) {
            zeroKeyMaterial = IDLE;
            actions.zeroKeyMaterial(peer);
        }
        t = persistentKeepalive;
        if (t != IDLE && now - t >= 0) {
            persistentKeepalive = IDLE;
            actions.sendKeepalive(peer);
        }
    }

    int handshakeAttempts() {
        return handshakeAttempts;
    }
}
