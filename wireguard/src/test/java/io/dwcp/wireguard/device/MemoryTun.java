package io.dwcp.wireguard.device;

import io.dwcp.wireguard.net.TunDevice;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TUN device in memory for device tests that need no root: packets the test injects are what the kernel would
 * route into the tunnel; packets the device writes are collected. The protocol under test is the real one, over
 * real UDP sockets; only the kernel's side of the interface is played by the test.
 */
final class MemoryTun implements TunDevice {
    private static final byte[] CLOSED = new byte[0];
    private final String name;
    private final BlockingQueue<byte[]> toDevice = new LinkedBlockingQueue<>();
    final BlockingQueue<byte[]> written = new LinkedBlockingQueue<>();
    private volatile boolean closed;

    MemoryTun(String name) {
        this.name = name;
    }

    void inject(byte[] packet) {
        toDevice.add(packet.clone());
    }

    byte[] takeWritten(long millis) throws InterruptedException {
        return written.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int read(MemorySegment buf) throws java.io.IOException {
        try {
            byte[] p = toDevice.take();
            if (p == CLOSED) {
                toDevice.add(CLOSED);
                return -1;
            }
            MemorySegment.copy(p, 0, buf, ValueLayout.JAVA_BYTE, 0, p.length);
            return p.length;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void write(MemorySegment buf, long offset, long len) {
        if (!closed) {
            written.add(buf.asSlice(offset, len).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Override
    public boolean vnetHdr() {
        return false;
    }

    @Override
    public void close() {
        closed = true;
        toDevice.add(CLOSED);
    }

    /** An IPv4/UDP packet of {@code total} bytes from 10.9.0.{src} to 10.9.0.{dst}, payload tagged with {@code seq}. */
    static byte[] packet(int src, int dst, int total, int seq) {
        byte[] p = new byte[total];
        p[0] = 0x45;
        p[2] = (byte) (total >>> 8);
        p[3] = (byte) total;
        p[8] = 64;
        p[9] = 17;
        p[12] = 10;
        p[13] = 9;
        p[15] = (byte) src;
        p[16] = 10;
        p[17] = 9;
        p[19] = (byte) dst;
        p[24] = (byte) (total - 20 >>> 8);
        p[25] = (byte) (total - 20);
        for (int i = 28; i < total; i++) {
            p[i] = (byte) (seq * 31 + i);
        }
        p[28] = (byte) (seq >>> 24);
        p[29] = (byte) (seq >>> 16);
        p[30] = (byte) (seq >>> 8);
        p[31] = (byte) seq;
        return p;
    }
}
