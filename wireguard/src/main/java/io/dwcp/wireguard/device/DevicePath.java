package io.dwcp.wireguard.device;

import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;

/** What the send and the receive path share: their device, its two interfaces, and the one thread each runs on. */
abstract class DevicePath {
    final Device device;
    final TunDevice tun;
    final UdpTransport udp;
    final int mtu;
    /** Crypto workers this path fans its batches out to. */
    final int workers;
    private final Thread thread;

    DevicePath(String name, Device device, TunDevice tun, UdpTransport udp, int mtu, int workers) {
        this.device = device;
        this.tun = tun;
        this.udp = udp;
        this.mtu = mtu;
        this.workers = workers;
        this.thread = Thread.ofPlatform().daemon().name(name + "-" + tun.name()).unstarted(this::run);
    }

    /** The path's loop, until the device closes. */
    abstract void run();

    final void start() {
        thread.start();
    }

    /** Waits (a bounded time: the device closed the interfaces, which wakes the path) for the thread to end. */
    final void join() {
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
