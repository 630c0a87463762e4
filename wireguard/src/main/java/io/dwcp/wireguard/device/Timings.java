package io.dwcp.wireguard.device;

import java.time.Duration;

/**
 * The protocol's clock constants (WireGuard paper section 6, wireguard-go {@code device/constants.go}), in
 * nanoseconds. {@link #STANDARD} is what every implementation uses; tests shorten them to watch rekeying happen.
 *
 * @param rekeyAfterTime     the initiator starts a new handshake once its current keys are this old (120 s)
 * @param rejectAfterTime    keys are never used once this old (180 s)
 * @param rekeyAttemptTime   a handshake is retried for this long before the staged packets are dropped (90 s)
 * @param rekeyTimeout       wait this long for a response before retrying an initiation (5 s)
 * @param keepaliveTimeout   answer received data with a keepalive if nothing was sent for this long (10 s)
 * @param rekeyAfterMessages the initiator rekeys after sending this many messages with one keypair (2^60)
 */
public record Timings(long rekeyAfterTime, long rejectAfterTime, long rekeyAttemptTime, long rekeyTimeout,
                      long keepaliveTimeout, long rekeyAfterMessages) {

    /** The constants every WireGuard implementation uses. */
    public static final Timings STANDARD = new Timings(secs(120), secs(180), secs(90), secs(5), secs(10), 1L << 60);

    /** Counters at or above this are never accepted (2^64 - 2^13 - 1, compared unsigned). */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;

    public Timings {
        if (rekeyAfterTime <= 0 || rejectAfterTime <= rekeyAfterTime || rekeyTimeout <= 0 || keepaliveTimeout <= 0
                || rekeyAttemptTime < rekeyTimeout || rekeyAfterMessages <= 0) {
            throw new IllegalArgumentException("timings=inconsistent " + this);
        }
    }

    /**
     * The standard constants with every duration scaled so that rekey-after-time becomes {@code rekeyAfter}: keeps
     * their ratios, which the timers' logic depends on.
     */
    public static Timings scaledTo(Duration rekeyAfter) {
        double f = (double) rekeyAfter.toNanos() / STANDARD.rekeyAfterTime;
        return new Timings(rekeyAfter.toNanos(), (long) (STANDARD.rejectAfterTime * f),
                (long) (STANDARD.rekeyAttemptTime * f), (long) (STANDARD.rekeyTimeout * f),
                (long) (STANDARD.keepaliveTimeout * f), STANDARD.rekeyAfterMessages);
    }

    /** Receiving with keys older than this makes the initiator rekey (reject - keepalive - rekey timeout). */
    public long rekeyOnReceiveAge() {
        return rejectAfterTime - keepaliveTimeout - rekeyTimeout;
    }

    /** Key material of a silent peer is erased after this (3 x reject-after-time). */
    public long zeroKeysAfter() {
        return 3 * rejectAfterTime;
    }

    private static long secs(long s) {
        return Duration.ofSeconds(s).toNanos();
    }
}
