package io.dwcp.wireguard.device;

import io.dwcp.wireguard.noise.CookieChecker;
import io.dwcp.wireguard.noise.CookieReplyMessage;
import io.dwcp.wireguard.noise.InitiationMessage;
import io.dwcp.wireguard.noise.Keypair;
import io.dwcp.wireguard.noise.LocalIdentity;

import io.dwcp.wireguard.noise.PeerHandshake;
import io.dwcp.wireguard.noise.ResponseMessage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The handshake side of the device: sends initiations (rate-limited, retried by the timers), answers initiations,
 * completes sessions from responses, and consumes cookie replies; demands cookies (mac2) from initiators while the
 * device is under load. Handshake messages are rare and small, so they travel as heap arrays.
 */
final class HandshakeService {
    /** Handshake messages per second above which initiators must prove their address with a cookie. */
    static final int LOAD_THRESHOLD = 128;


    private final Device device;
    private long loadWindowStart = System.nanoTime();
    private int loadCount;
    private volatile boolean forcedLoad;

    HandshakeService(Device device) {
        this.device = device;
    }

    /** Tests force the under-load path, as a flood would. */
    void forceUnderLoad(boolean on) {
        forcedLoad = on;
    }

    private synchronized boolean underLoad() {
        long now = System.nanoTime();
        if (now - loadWindowStart > 1_000_000_000L) {
            loadWindowStart = now;
            loadCount = 0;
        }
        return ++loadCount > LOAD_THRESHOLD || forcedLoad;
    }

    /**
     * Sends an initiation to {@code peer} unless one went out less than rekey-timeout ago (a retry from the timers
     * always goes).
     */
    void sendInitiation(Peer peer, boolean retry) {
        LocalIdentity local = device.identity();
        if (local == null || peer.endpoint == null || peer.removed) {
            return;
        }
        byte[] msg = new byte[InitiationMessage.LENGTH];
        long now = System.nanoTime();
        peer.lock.lock();
        try {
            if (!retry) {
                if (peer.lastInitiationSent != Long.MIN_VALUE
                        && now - peer.lastInitiationSent < device.timings().rekeyTimeout()) {
                    return;
                }
                peer.timers.resetAttempts();
            }
            if (peer.handshakeIndex != 0) {
                device.indexes().remove(peer.handshakeIndex, peer);
            }
            peer.handshakeIndex = device.indexes().register(peer);
            if (!device.noise().createInitiation(local, peer.handshake, peer.handshakeIndex, msg)) {
                return;
            }
            peer.cookies.addMacs(msg);
            peer.lastInitiationSent = now;
        } finally {
            peer.lock.unlock();
        }
        device.sendControl(peer, msg, msg.length);
        peer.timers.anyAuthenticatedTraversal(now, peer.persistentKeepaliveSeconds);
        peer.timers.anyAuthenticatedSent();
        peer.timers.handshakeInitiated(now);
    }

    /** Handles a handshake-type datagram ({@code type} 1, 2 or 3) from {@code source}. */
    void receive(int type, byte[] msg, MemorySegment source) {
        switch (type) {
            case InitiationMessage.TYPE -> onInitiation(msg, source);
            case ResponseMessage.TYPE -> onResponse(msg, source);
            case CookieReplyMessage.TYPE -> onCookieReply(msg);
            default -> device.counters().malformed.increment();
        }
    }

    private boolean macsAcceptable(byte[] msg, MemorySegment source, int senderIndex) {
        CookieChecker checker = device.cookieChecker();
        if (checker == null || !checker.checkMac1(msg)) {
            device.counters().handshakeRejected.increment();
            return false;
        }
        if (underLoad() && !checker.checkMac2(msg, source.toArray(ValueLayout.JAVA_BYTE))) {
            byte[] reply = new byte[CookieReplyMessage.LENGTH];
            checker.createReply(msg, senderIndex, source.toArray(ValueLayout.JAVA_BYTE), reply);
            device.sendTo(source, reply, reply.length);
            device.counters().cookiesSent.increment();
            return false;
        }
        return true;
    }

    private void onInitiation(byte[] msg, MemorySegment source) {
        if (msg.length != InitiationMessage.LENGTH || !macsAcceptable(msg, source, InitiationMessage.sender(msg))) {
            return;
        }
        LocalIdentity local = device.identity();
        PeerHandshake hs = device.noise().consumeInitiation(local, msg, device::handshakeOf);
        Peer peer = hs == null ? null : device.peerOf(hs);
        if (peer == null) {
            device.counters().handshakeRejected.increment();
            return;
        }
        byte[] response = new byte[ResponseMessage.LENGTH];
        long now = System.nanoTime();
        peer.lock.lock();
        try {
            peer.roam(source);
            int index = device.indexes().register(peer);
            if (!device.noise().createResponse(hs, index, response)) {
                device.indexes().remove(index, peer);
                device.counters().handshakeRejected.increment();
                return;
            }
            peer.cookies.addMacs(response);
            Keypair kp = device.noise().beginSymmetricSession(hs);
            device.keys().install(peer, kp, now);
        } finally {
            peer.lock.unlock();
        }
        device.sendControl(peer, response, response.length);
        peer.timers.anyAuthenticatedTraversal(now, peer.persistentKeepaliveSeconds);
        peer.timers.anyAuthenticatedSent();
    }

    private void onResponse(byte[] msg, MemorySegment source) {
        if (msg.length != ResponseMessage.LENGTH || !macsAcceptable(msg, source, ResponseMessage.sender(msg))) {
            return;
        }
        PeerHandshake hs = device.noise().consumeResponse(device.identity(), msg, device::pendingHandshake);
        Peer peer = hs == null ? null : device.peerOf(hs);
        if (peer == null) {
            device.counters().handshakeRejected.increment();
            return;
        }
        long now = System.nanoTime();
        peer.lock.lock();
        try {
            peer.roam(source);
            Keypair kp = device.noise().beginSymmetricSession(hs);
            peer.handshakeIndex = 0;
            device.keys().install(peer, kp, now);
        } finally {
            peer.lock.unlock();
        }
        peer.timers.anyAuthenticatedTraversal(now, peer.persistentKeepaliveSeconds);
        peer.timers.anyAuthenticatedReceived();
        device.sessionConfirmed(peer);
    }

    private void onCookieReply(byte[] msg) {
        if (msg.length != CookieReplyMessage.LENGTH) {
            device.counters().malformed.increment();
            return;
        }
        Object entry = device.indexes().lookup(CookieReplyMessage.receiver(msg));
        Peer peer = entry instanceof Peer p ? p : entry instanceof Session s ? s.peer() : null;
        if (peer == null || !peer.cookies.consumeReply(msg)) {
            device.counters().handshakeRejected.increment();
        }
    }
}
