package io.dwcp.wireguard.device;

import java.util.concurrent.locks.LockSupport;

/**
 * The device's timer thread: ticks every peer's {@link PeerTimers} (at a fiftieth of rekey-timeout, 1 to 100 ms) and
 * carries out what fires.
 */
final class DeviceTimers implements PeerTimers.Actions {
    private final Device device;
    private final Thread thread;

    DeviceTimers(Device device, String name) {
        this.device = device;
        this.thread = Thread.ofPlatform().daemon().name("wg-timers-" + name).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    void join() {
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        long tick = Math.max(1_000_000L, Math.min(100_000_000L, device.timings().rekeyTimeout() / 50));
        while (!device.closed()) {
            long now = System.nanoTime();
            for (Peer p : device.peerView()) {
                p.timers.tick(now, p, this);
            }
            LockSupport.parkNanos(tick);
        }
    }

    @Override
    public void retransmitHandshake(Peer peer) {
        device.handshakes().sendInitiation(peer, true);
    }

    @Override
    public void giveUpHandshake(Peer peer) {
        peer.lock.lock();
        try {
            peer.staged.clear();
        } finally {
            peer.lock.unlock();
        }
    }

    @Override
    public void sendKeepalive(Peer peer) {
        device.sendKeepalive(peer);
    }

    @Override
    public void newHandshake(Peer peer) {
        device.handshakes().sendInitiation(peer, false);
    }

    @Override
    public void zeroKeyMaterial(Peer peer) {
        peer.lock.lock();
        try {
            device.keys().dropKeys(peer);
            peer.rebind(device.identity());
        } finally {
            peer.lock.unlock();
        }
    }
}
