package io.dwcp.wireguard.device;

import io.dwcp.core.Log;
import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;
import io.dwcp.wireguard.noise.CookieChecker;
import io.dwcp.wireguard.noise.Keypair;
import io.dwcp.wireguard.noise.LocalIdentity;
import io.dwcp.wireguard.noise.Noise;
import io.dwcp.wireguard.noise.PeerHandshake;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A WireGuard device: a TUN interface, a UDP socket, this side's private key, and its peers. Three threads run it:
 * {@code wg-out} reads the TUN device and sends sealed packets, {@code wg-in} receives datagrams, handles handshakes
 * and writes opened packets to the TUN device, and {@code wg-timers} fires the peers' protocol timers.
 */
public final class Device implements AutoCloseable {
    private static final Log LOG = Log.of("wireguard");
    /** Staged packets per peer while a handshake is in flight (wireguard-go: 128). */
    static final int STAGED_PACKETS = 128;

    private final TunDevice tun;
    private final UdpTransport udp;
    private final Timings timings;
    private final int mtu;
    private final DeviceCounters counters = new DeviceCounters();
    private final IndexTable<Object> indexes = new IndexTable<>();
    private final AllowedIps<Peer> allowedIps = new AllowedIps<>();
    private final ConcurrentHashMap<Key, Peer> peers = new ConcurrentHashMap<>();
    private final HandshakeService handshakes = new HandshakeService(this);
    private final Noise noise = new Noise();
    private final ControlSender control;
    private final Outbound outbound;
    private final Inbound inbound;
    private final DeviceTimers timers;
    private final Keyring keys;
    private final int cryptoWorkers;
    private volatile LocalIdentity identity;
    private volatile byte[] privateKey;
    private volatile int fwMark;
    private volatile CookieChecker cookieChecker;
    private volatile boolean closed;

    private record Key(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    /** Starts a device on {@code tun} and {@code udp} (both owned and closed by it) with no key and no peers. */
    public Device(TunDevice tun, UdpTransport udp, int mtu, Timings timings) {
        this(tun, udp, mtu, timings, true, true, CryptoWorkers.defaultWorkers());
    }

    /**
     * As {@link #Device(TunDevice, UdpTransport, int, Timings)}, with offload steps that can be turned off to measure
     * what each gives: {@code coalesce} false writes received packets to a TUN device with virtio-net headers one by
     * one; {@code udpGso} false sends every datagram on its own even where the socket has UDP GSO. {@code
     * cryptoWorkers} threads per direction help seal and open each batch (0: the path threads do it alone).
     */
    public Device(TunDevice tun, UdpTransport udp, int mtu, Timings timings, boolean coalesce, boolean udpGso,
                  int cryptoWorkers) {
        this.tun = tun;
        this.udp = udp;
        this.mtu = mtu;
        this.timings = timings;
        this.control = new ControlSender(udp, mtu);
        this.outbound = new Outbound(this, tun, udp, mtu, udpGso && udp.gso(), cryptoWorkers);
        this.inbound = new Inbound(this, tun, udp, mtu, coalesce, cryptoWorkers);
        this.cryptoWorkers = cryptoWorkers;
        this.keys = new Keyring(indexes, counters);
        this.timers = new DeviceTimers(this, tun.name());
    }

    /** Crypto workers per direction by default on this host. */
    public static int defaultCryptoWorkers() {
        return CryptoWorkers.defaultWorkers();
    }

    /** Starts the device's threads. */
    public void start() {
        outbound.start();
        inbound.start();
        timers.start();
        LOG.info("device=" + tun.name() + " started mtu=" + mtu + " listen_port=" + udp.localPort()
                + " tun_vnet_hdr=" + tun.vnetHdr() + " coalesce=" + inbound.coalescing() + " udp_gso=" + outbound.gso() + " crypto_workers=" + cryptoWorkers + " udp_gro=" + udp.gro());
    }

    // ---- configuration -------------------------------------------------------------------------------------------

    /** Sets (or with null removes) this device's private key; every peer's handshake state starts again. */
    public synchronized void privateKey(byte[] privateKey) {
        LocalIdentity local = privateKey == null ? null : new LocalIdentity(privateKey);
        this.privateKey = privateKey == null ? null : privateKey.clone();
        identity = local;
        cookieChecker = local == null ? null : new CookieChecker(local);
        for (Peer p : peers.values()) {
            p.lock.lock();
            try {
                keys.dropKeys(p);
                p.rebind(local);
            } finally {
                p.lock.unlock();
            }
        }
    }

    /** This device's private key (a copy), or null: for {@code wg showconf}, never for logs. */
    public byte[] privateKey() {
        byte[] k = privateKey;
        return k == null ? null : k.clone();
    }

    /** This device's public key, or null without a private key. */
    public byte[] publicKey() {
        LocalIdentity l = identity;
        return l == null ? null : l.publicKey();
    }

    /** The peer with this public key, created if absent. */
    public synchronized Peer peer(byte[] publicKey) {
        return peers.computeIfAbsent(new Key(publicKey.clone()), k -> new Peer(k.bytes, new byte[32], identity,
                timings, new StagedPackets(STAGED_PACKETS, mtu)));
    }

    /** The peer with this public key, or null. */
    public Peer findPeer(byte[] publicKey) {
        return peers.get(new Key(publicKey));
    }

    public List<Peer> peers() {
        return new ArrayList<>(peers.values());
    }

    /** The peer's preshared key (a copy; zeros for none). */
    public byte[] presharedKey(Peer peer) {
        return peer.presharedKey.clone();
    }

    /** The peer's persistent keepalive interval in seconds, 0 for off. */
    public int persistentKeepalive(Peer peer) {
        return peer.persistentKeepaliveSeconds;
    }

    public synchronized void presharedKey(Peer peer, byte[] psk) {
        peer.lock.lock();
        try {
            peer.presharedKey = psk == null ? new byte[32] : psk.clone();
            keys.forgetHandshake(peer);
            peer.rebind(identity);
        } finally {
            peer.lock.unlock();
        }
    }

    public void endpoint(Peer peer, InetSocketAddress endpoint) {
        peer.endpoint(endpoint);
    }

    /** Sets the persistent keepalive interval; a new non-zero interval sends a keepalive at once, as wg does. */
    public void persistentKeepalive(Peer peer, int seconds) {
        int old = peer.persistentKeepaliveSeconds;
        peer.persistentKeepaliveSeconds = seconds;
        if (seconds > 0 && old != seconds && identity != null) {
            sendKeepalive(peer);
        }
    }

    public void addAllowedIp(Peer peer, byte[] address, int prefixLength) {
        allowedIps.insert(address, prefixLength, peer);
    }

    public void removeAllowedIp(Peer peer, byte[] address, int prefixLength) {
        allowedIps.remove(address, prefixLength, peer);
    }

    public void clearAllowedIps(Peer peer) {
        allowedIps.removePeer(peer);
    }

    public List<AllowedIps.Entry<Peer>> allowedIps(Peer peer) {
        return allowedIps.entriesOf(peer);
    }

    /** Removes a peer: its keys, indexes, routes and timers go with it. */
    public synchronized void removePeer(Peer peer) {
        if (!peers.remove(new Key(peer.publicKey), peer)) {
            return;
        }
        peer.removed = true;
        peer.timers.stop();
        allowedIps.removePeer(peer);
        peer.lock.lock();
        try {
            keys.dropKeys(peer);
            peer.staged.clear();
        } finally {
            peer.lock.unlock();
        }
    }

    /** The peer whose allowed IPs cover this address (4 or 16 bytes), or null: the tunnel's identity lookup. */
    public Peer peerForAddress(byte[] address) {
        return allowedIps.lookup(address);
    }

    /** Marks the tunnel's outgoing datagrams ({@code fwmark}, 0 for none). */
    public synchronized void fwMark(int mark) throws java.io.IOException {
        udp.setMark(mark);
        fwMark = mark;
    }

    /** The fwmark set, 0 for none. */
    public int fwMark() {
        return fwMark;
    }

    public int listenPort() {
        return udp.localPort();
    }

    public String interfaceName() {
        return tun.name();
    }

    public DeviceCounters counters() {
        return counters;
    }

    /** Tests: behave as a flooded device does (demand cookies from every initiator). */
    public void forceUnderLoad(boolean on) {
        handshakes.forceUnderLoad(on);
    }

    // ---- used by the data path and the handshake service --------------------------------------------------------

    Noise noise() {
        return noise;
    }

    Timings timings() {
        return timings;
    }

    LocalIdentity identity() {
        return identity;
    }

    CookieChecker cookieChecker() {
        return cookieChecker;
    }

    IndexTable<Object> indexes() {
        return indexes;
    }

    AllowedIps<Peer> routes() {
        return allowedIps;
    }

    HandshakeService handshakes() {
        return handshakes;
    }

    /** The handshake of the peer with this static key (for a consumed initiation), or null. */
    PeerHandshake handshakeOf(byte[] remoteStatic) {
        Peer p = peers.get(new Key(remoteStatic));
        return p == null ? null : p.handshake;
    }

    /** The handshake pending under our index {@code index} (for a consumed response), or null. */
    PeerHandshake pendingHandshake(int index) {
        return indexes.lookup(index) instanceof Peer p ? p.handshake : null;
    }

    Peer peerOf(PeerHandshake hs) {
        Peer p = peers.get(new Key(hs.remoteStatic()));
        return p != null && p.handshake == hs ? p : null;
    }

    Keyring keys() {
        return keys;
    }

    /** All peers, live view: for the timer thread, which walks them every tick. */
    java.util.Collection<Peer> peerView() {
        return peers.values();
    }

    /** The responder saw the initiator use {@code next}: it becomes current and staged packets go. */
    void confirmNext(Peer peer, Keypair kp) {
        if (keys.confirmNext(peer, kp)) {
            sessionConfirmed(peer);
        }
    }

    /** Keys are usable: send what waited for them, or a keepalive so the responder learns the keys work. */
    void sessionConfirmed(Peer peer) {
        if (!control.flushStaged(this, peer)) {
            sendKeepalive(peer);
        }
    }

    /** The peer's current keypair if it may still send, else null (the caller stages and a handshake starts). */
    Keypair sendingKeypair(Peer peer, long now) {
        Keypair kp = peer.current;
        return kp == null || now - kp.createdNanos() >= timings.rejectAfterTime() ? null : kp;
    }

    /**
     * Bookkeeping after a packet was given a counter of {@code kp}: byte counts, timers, and the initiator's rekey
     * after time or messages. Runs on the thread that assigned the counter, in packet order.
     */
    void sent(Peer peer, Keypair kp, long counter, int datagramLength, int payloadLength, long now) {
        peer.txBytes.addAndGet(datagramLength);
        PeerTimers t = peer.timers;
        t.anyAuthenticatedTraversal(now, peer.persistentKeepaliveSeconds);
        t.anyAuthenticatedSent();
        if (payloadLength > 0) {
            t.dataSent(now);
        }
        if (kp.isInitiator() && (counter >= timings.rekeyAfterMessages() || now - kp.createdNanos() >= timings.rekeyAfterTime())
                && now - peer.lastInitiationSent >= timings.rekeyTimeout()) {
            handshakes.sendInitiation(peer, false);
        }
    }

    /** The datagram length of a payload of {@code payloadLength} bytes once sealed. */
    int sealedLength(int payloadLength) {
        return TransportCipher.HEADER + TransportCipher.paddedLength(payloadLength, mtu) + TransportCipher.TAG;
    }

    /**
     * Seals the payload at {@code base + 16} of slot {@code slot} (of the batch {@code cipher} is bound to) for
     * {@code peer} with its current keys, in one step (the control path). Returns the datagram length, or -1 when the
     * peer has no usable keys.
     */
    int seal(Peer peer, TransportCipher cipher, int slot, int base, int payloadLength, long now) {
        Keypair kp = sendingKeypair(peer, now);
        long counter = kp == null ? -1 : kp.nextSendCounter();
        if (counter < 0) {
            return -1;
        }
        int len = cipher.seal(kp.sendKey(), kp.remoteIndex(), counter, slot, base, payloadLength, mtu);
        sent(peer, kp, counter, len, payloadLength, now);
        return len;
    }

    /** Stages a packet for a peer without usable keys and starts a handshake. */
    void stage(Peer peer, MemorySegment packet, long offset, int length) {
        peer.lock.lock();
        try {
            peer.staged.offer(packet, offset, length);
        } finally {
            peer.lock.unlock();
        }
        counters.noKeysStaged.increment();
        handshakes.sendInitiation(peer, false);
    }

    /** Sends an empty transport packet (a keepalive) with the current keys, or stages one and starts a handshake. */
    void sendKeepalive(Peer peer) {
        control.sendKeepalive(this, peer);
    }

    /** Sends a handshake message to the peer's endpoint. */
    void sendControl(Peer peer, byte[] msg, int length) {
        MemorySegment to = peer.endpoint;
        if (to != null) {
            sendTo(to, msg, length);
            peer.txBytes.addAndGet(length);
        }
    }

    void sendTo(MemorySegment to, byte[] msg, int length) {
        control.sendRaw(to, msg, length);
    }

    /** Stops the threads, closes the TUN device and the socket; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        udp.close();
        tun.close();
        outbound.join();
        inbound.join();
        timers.join();
        for (Peer p : peers()) {
            removePeer(p);
            p.staged.close();
        }
        control.close();
        LOG.info("device=" + tun.name() + " closed " + counters);
    }

    boolean closed() {
        return closed;
    }

    int mtu() {
        return mtu;
    }
}
