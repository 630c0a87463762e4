package io.dwcp.wireguard.device;

import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.offload.PacketRefs;
import io.dwcp.wireguard.offload.TcpCoalescer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Writes opened packets to the TUN device. With virtio-net headers, the packets of one receive batch are first
 * coalesced (consecutive segments of a TCP flow become one GSO super-packet, as the kernel's GRO would), so a
 * stream costs one write per up to 64 KiB instead of one per packet.
 *
 * <p>Packets stay where they were opened, in the receive batch's slots, and a merged packet grows in place over
 * the datagrams it absorbs (each shrank by its transport header and tag, so the bytes it grows into have been read
 * already). That is only safe while the packets between a head and its growth belong to its own flow, so the
 * pending packets are handed to the coalescer in runs of one flow each.
 */
final class TunWriter {
    static final int MAX_PENDING = 256;

    private final TunDevice tun;
    private final TcpCoalescer coalescer = new TcpCoalescer(MAX_PENDING);
    private final PacketRefs pending = new PacketRefs(MAX_PENDING);
    private final PacketRefs run = new PacketRefs(MAX_PENDING);
    private final PacketRefs out = new PacketRefs(MAX_PENDING);

    private final boolean coalesce;

    TunWriter(TunDevice tun, boolean coalesce) {
        this.tun = tun;
        this.coalesce = coalesce && tun.vnetHdr();
    }

    boolean coalescing() {
        return coalesce;
    }

    /** Queues (or with no offloads writes) the packet of {@code length} bytes at {@code ip}, 16 bytes of headroom before it. */
    void write(MemorySegment slot, long ip, int length) throws IOException {
        if (!tun.vnetHdr()) {
            tun.write(slot, ip, length);
            return;
        }
        if (pending.count() == MAX_PENDING) {
            flush();
        }
        pending.add(slot, ip, length);
    }

    /** Writes everything queued: call at the end of each receive batch, before its slots are reused. */
    void flush() throws IOException {
        int n = pending.count();
        int start = 0;
        for (int i = 1; i <= n; i++) {
            if (i == n || !sameFlow(pending.buffer(i - 1), pending.offset(i - 1), pending.buffer(i), pending.offset(i))) {
                writeRun(start, i);
                start = i;
            }
        }
        pending.clear();
    }

    private void writeRun(int from, int to) throws IOException {
        run.clear();
        for (int i = from; i < to; i++) {
            run.add(pending.buffer(i), pending.offset(i), pending.length(i));
        }
        out.clear();
        int n = coalesce && to - from > 1 ? coalescer.coalesce(run, out) : -1;
        if (n < 0) {
            for (int i = 0; i < run.count(); i++) {
                long h = run.offset(i) - TunDevice.VNET_HDR_LEN;
                MemorySegment b = run.buffer(i);
                b.set(ValueLayout.JAVA_LONG_UNALIGNED, h, 0L);
                b.set(ValueLayout.JAVA_SHORT_UNALIGNED, h + 8, (short) 0);
                tun.write(b, h, TunDevice.VNET_HDR_LEN + run.length(i));
            }
            return;
        }
        for (int i = 0; i < out.count(); i++) {
            tun.write(out.buffer(i), out.offset(i), out.length(i));
        }
    }

    /**
     * Same IP version, protocol, addresses and (for TCP and UDP) ports: packets that may share a merge. Reads both
     * headers in place; the callers checked the version and lengths when the packets were opened.
     */
    static boolean sameFlow(MemorySegment a, long ia, MemorySegment b, long ib) {
        int va = (a.get(ValueLayout.JAVA_BYTE, ia) >>> 4) & 0xf;
        int vb = (b.get(ValueLayout.JAVA_BYTE, ib) >>> 4) & 0xf;
        if (va != vb) {
            return false;
        }
        int proto;
        long ports;
        if (va == 4) {
            proto = a.get(ValueLayout.JAVA_BYTE, ia + 9);
            if (proto != b.get(ValueLayout.JAVA_BYTE, ib + 9)
                    || MemorySegment.mismatch(a, ia + 12, ia + 20, b, ib + 12, ib + 20) >= 0) {
                return false;
            }
            ports = (a.get(ValueLayout.JAVA_BYTE, ia) & 0xf) * 4L;
            long portsB = (b.get(ValueLayout.JAVA_BYTE, ib) & 0xf) * 4L;
            return (proto != 6 && proto != 17)
                    || MemorySegment.mismatch(a, ia + ports, ia + ports + 4, b, ib + portsB, ib + portsB + 4) < 0;
        }
        proto = a.get(ValueLayout.JAVA_BYTE, ia + 6);
        if (proto != b.get(ValueLayout.JAVA_BYTE, ib + 6)
                || MemorySegment.mismatch(a, ia + 8, ia + 40, b, ib + 8, ib + 40) >= 0) {
            return false;
        }
        return (proto != 6 && proto != 17) || MemorySegment.mismatch(a, ia + 40, ia + 44, b, ib + 40, ib + 44) < 0;
    }
}
