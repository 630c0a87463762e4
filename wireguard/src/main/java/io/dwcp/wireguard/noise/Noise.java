package io.dwcp.wireguard.noise;

import io.dwcp.wireguard.crypto.X25519;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;

/**
 * WireGuard's handshake, Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s with prologue "WireGuard v1 zx2c4 Jason@zx2c4.com",
 * following wireguard-go's {@code noise-protocol.go} step for step. Messages are exact-length arrays; index
 * allocation and the peer tables belong to the caller. mac1/mac2 are not touched here (see {@link CookieGenerator}
 * and {@link CookieChecker}). Every refusal of a received message is a null return.
 */
public final class Noise {

    /** Noise protocol name. */
    public static final String CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    /** Noise prologue. */
    public static final String IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com";
    /** Initiations from one peer arriving closer together than this are dropped (wireguard-go: 1 s / 50). */
    public static final long HANDSHAKE_INITIATION_RATE_NANOS = 1_000_000_000L / 50;

    private static final SymmetricState INITIAL =
            SymmetricState.initialize(CONSTRUCTION, IDENTIFIER.getBytes(StandardCharsets.US_ASCII));
    private static final byte[] EMPTY = new byte[0];

    private final InstantSource wallClock;
    private final LongSupplier nanoClock;

    /** With the system clocks. */
    public Noise() {
        this(InstantSource.system(), System::nanoTime);
    }

    /** With the given wall clock (for TAI64N timestamps) and monotonic clock (flood limit, keypair age). */
    public Noise(InstantSource wallClock, LongSupplier nanoClock) {
        this.wallClock = wallClock;
        this.nanoClock = nanoClock;
    }

    /**
     * Fills {@code out} (148 bytes) with a new initiation from {@code localIndex}, mac1 and mac2 zeroed. Returns false
     * if the peer's static key is unusable (low-order point).
     */
    public boolean createInitiation(LocalIdentity local, PeerHandshake peer, int localIndex, byte[] out) {
        checkLength(out, InitiationMessage.LENGTH);
        byte[] ephemeral = X25519.generatePrivateKey();
        peer.lock.lock();
        try {
            SymmetricState st = INITIAL.copy();
            st.mixHash(peer.remoteStatic);
            Arrays.fill(out, (byte) 0);
            if (!HandshakeCore.writeInitiation(st, ephemeral, peer.remoteStatic, local.publicKey, peer.staticStatic,
                    Tai64n.stamp(wallClock.instant()), out, InitiationMessage.EPHEMERAL)) {
                Arrays.fill(out, (byte) 0);
                return false;
            }
            Le.putInt(out, 0, InitiationMessage.TYPE);
            Le.putInt(out, InitiationMessage.SENDER, localIndex);
            peer.symmetric.set(st);
            System.arraycopy(ephemeral, 0, peer.localEphemeral, 0, ephemeral.length);
            peer.localIndex = localIndex;
            peer.state = HandshakeState.INITIATION_CREATED;
            st.clear();
            return true;
        } finally {
            peer.lock.unlock();
            Arrays.fill(ephemeral, (byte) 0);
        }
    }

    /**
     * Consumes an initiation (mac1 already checked by the caller). {@code peerByStatic} maps a decrypted static
     * public key to its peer or null. Returns the peer, now {@link HandshakeState#INITIATION_CONSUMED}, or null if the
     * message is malformed, forged, from an unknown key, a replay (timestamp not after the last one) or a flood.
     */
    public PeerHandshake consumeInitiation(LocalIdentity local, byte[] msg,
            Function<byte[], PeerHandshake> peerByStatic) {
        if (!InitiationMessage.is(msg)) {
            return null;
        }
        SymmetricState st = INITIAL.copy();
        st.mixHash(local.publicKey);
        byte[] remoteStatic = HandshakeCore.readInitiationStatic(st, local.privateKey, msg,
                InitiationMessage.EPHEMERAL);
        if (remoteStatic == null) {
            return null;
        }
        PeerHandshake peer = peerByStatic.apply(remoteStatic);
        if (peer == null || !peer.hasRemoteStatic(remoteStatic)) {
            return null;
        }
        peer.lock.lock();
        try {
            byte[] timestamp = HandshakeCore.readInitiationPayload(st, peer.staticStatic, msg,
                    InitiationMessage.EPHEMERAL, Tai64n.LENGTH);
            if (timestamp == null || !Tai64n.after(timestamp, peer.lastTimestamp)) {
                return null;
            }
            long now = nanoClock.getAsLong();
            if (peer.consumedInitiation && now - peer.lastInitiationConsumedNanos <= HANDSHAKE_INITIATION_RATE_NANOS) {
                return null;
            }
            peer.symmetric.set(st);
            System.arraycopy(msg, InitiationMessage.EPHEMERAL, peer.remoteEphemeral, 0, HandshakeCore.KEY);
            peer.remoteIndex = InitiationMessage.sender(msg);
            System.arraycopy(timestamp, 0, peer.lastTimestamp, 0, Tai64n.LENGTH);
            peer.lastInitiationConsumedNanos = now;
            peer.consumedInitiation = true;
            peer.state = HandshakeState.INITIATION_CONSUMED;
            return peer;
        } finally {
            peer.lock.unlock();
            st.clear();
        }
    }

    /**
     * Fills {@code out} (92 bytes) with the response to the consumed initiation, sent from {@code localIndex}, mac1
     * and mac2 zeroed. Returns false if no initiation is consumed or the peer's ephemeral is unusable.
     */
    public boolean createResponse(PeerHandshake peer, int localIndex, byte[] out) {
        checkLength(out, ResponseMessage.LENGTH);
        byte[] ephemeral = X25519.generatePrivateKey();
        peer.lock.lock();
        try {
            if (peer.state != HandshakeState.INITIATION_CONSUMED) {
                return false;
            }
            SymmetricState st = peer.symmetric.copy();
            Arrays.fill(out, (byte) 0);
            if (!HandshakeCore.writeResponse(st, ephemeral, peer.remoteEphemeral, peer.remoteStatic,
                    peer.presharedKey, EMPTY, out, ResponseMessage.EPHEMERAL)) {
                Arrays.fill(out, (byte) 0);
                return false;
            }
            Le.putInt(out, 0, ResponseMessage.TYPE);
            Le.putInt(out, ResponseMessage.SENDER, localIndex);
            Le.putInt(out, ResponseMessage.RECEIVER, peer.remoteIndex);
            peer.symmetric.set(st);
            st.clear();
            System.arraycopy(ephemeral, 0, peer.localEphemeral, 0, ephemeral.length);
            peer.localIndex = localIndex;
            peer.state = HandshakeState.RESPONSE_CREATED;
            return true;
        } finally {
            peer.lock.unlock();
            Arrays.fill(ephemeral, (byte) 0);
        }
    }

    /**
     * Consumes a response (mac1 already checked by the caller). {@code handshakeByLocalIndex} maps the receiver field
     * to the handshake that sent the initiation, or null. Returns that handshake, now
     * {@link HandshakeState#RESPONSE_CONSUMED}, or null if unknown, not awaiting a response, forged or keyed with a
     * different preshared key.
     */
    public PeerHandshake consumeResponse(LocalIdentity local, byte[] msg,
            IntFunction<PeerHandshake> handshakeByLocalIndex) {
        if (!ResponseMessage.is(msg)) {
            return null;
        }
        int receiver = ResponseMessage.receiver(msg);
        PeerHandshake peer = handshakeByLocalIndex.apply(receiver);
        if (peer == null) {
            return null;
        }
        peer.lock.lock();
        try {
            if (peer.state != HandshakeState.INITIATION_CREATED || peer.localIndex != receiver) {
                return null;
            }
            SymmetricState st = peer.symmetric.copy();
            byte[] payload = HandshakeCore.readResponse(st, peer.localEphemeral, local.privateKey, peer.presharedKey,
                    msg, ResponseMessage.EPHEMERAL, 0);
            if (payload == null) {
                st.clear();
                return null;
            }
            peer.symmetric.set(st);
            st.clear();
            peer.remoteIndex = ResponseMessage.sender(msg);
            peer.state = HandshakeState.RESPONSE_CONSUMED;
            return peer;
        } finally {
            peer.lock.unlock();
        }
    }

    /**
     * Derives the session from a finished handshake (initiator after consuming the response, responder after
     * creating it) and wipes the handshake's secrets. Returns null in any other state.
     */
    public Keypair beginSymmetricSession(PeerHandshake peer) {
        peer.lock.lock();
        try {
            boolean initiator;
            if (peer.state == HandshakeState.RESPONSE_CONSUMED) {
                initiator = true;
            } else if (peer.state == HandshakeState.RESPONSE_CREATED) {
                initiator = false;
            } else {
                return null;
            }
            byte[][] keys = peer.symmetric.split();
            byte[] send = initiator ? keys[0] : keys[1];
            byte[] receive = initiator ? keys[1] : keys[0];
            Keypair keypair = new Keypair(send, receive, peer.localIndex, peer.remoteIndex, initiator,
                    nanoClock.getAsLong());
            Arrays.fill(keys[0], (byte) 0);
            Arrays.fill(keys[1], (byte) 0);
            peer.clearLocked();
            return keypair;
        } finally {
            peer.lock.unlock();
        }
    }

    private static void checkLength(byte[] out, int length) {
        if (out.length != length) {
            throw new IllegalArgumentException("length=" + out.length + " expected " + length);
        }
    }
}
