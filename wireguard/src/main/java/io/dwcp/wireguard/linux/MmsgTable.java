package io.dwcp.wireguard.linux;

import io.dwcp.wireguard.net.Endpoints;
import io.dwcp.wireguard.net.PacketBatch;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The {@code struct mmsghdr[]}, {@code iovec[]} and control buffers for one {@link PacketBatch}, built once in the
 * batch's own memory and attached to it. Each header points at its slot's endpoint (the kernel writes the source
 * there on receive and reads the destination from there on send), its slot's buffer, and a control area that holds
 * the UDP_GRO answer on receive and the UDP_SEGMENT request on send. A call rewrites only the lengths.
 */
final class MmsgTable {
    /** Room for the cmsgs of one slot: UDP_GRO needs {@link Sys#CMSG_SPACE_INT}; the rest is slack, never truncation. */
    static final long CONTROL_SPACE = 64;

    private final PacketBatch batch;
    private final MemorySegment hdrs;
    private final MemorySegment iovs;
    private final MemorySegment controls;

    private MmsgTable(PacketBatch batch) {
        this.batch = batch;
        int n = batch.slots();
        hdrs = batch.allocateNative(Sys.MMSGHDR_SIZE * n, 8);
        iovs = batch.allocateNative(Sys.IOVEC_SIZE * n, 8);
        controls = batch.allocateNative(CONTROL_SPACE * n, 8);
        for (int i = 0; i < n; i++) {
            long h = Sys.MMSGHDR_SIZE * i;
            long iov = Sys.IOVEC_SIZE * i;
            iovs.set(ValueLayout.JAVA_LONG, iov, batch.buffer(i).address());
            hdrs.set(ValueLayout.JAVA_LONG, h + Sys.MSG_NAME, batch.endpoint(i).address());
            hdrs.set(ValueLayout.JAVA_LONG, h + Sys.MSG_IOV, iovs.address() + iov);
            hdrs.set(ValueLayout.JAVA_LONG, h + Sys.MSG_IOVLEN, 1L);
            hdrs.set(ValueLayout.JAVA_LONG, h + Sys.MSG_CONTROL, controls.address() + CONTROL_SPACE * i);
        }
    }

    /** The batch's table, built on its first native call. */
    static MmsgTable of(PacketBatch batch) {
        if (batch.attachment() instanceof MmsgTable t) {
            return t;
        }
        MmsgTable t = new MmsgTable(batch);
        batch.attach(t);
        return t;
    }

    /** The address of slot {@code i}'s header, for a call that starts there. */
    long address(int i) {
        return hdrs.address() + Sys.MMSGHDR_SIZE * i;
    }

    /** Resets what the kernel overwrites on receive: name and control lengths, the flags. */
    void prepareReceive() {
        long cap = batch.capacity();
        for (int i = 0, n = batch.slots(); i < n; i++) {
            long h = Sys.MMSGHDR_SIZE * i;
            hdrs.set(ValueLayout.JAVA_INT, h + Sys.MSG_NAMELEN, Endpoints.BYTES);
            hdrs.set(ValueLayout.JAVA_LONG, h + Sys.MSG_CONTROLLEN, CONTROL_SPACE);
            hdrs.set(ValueLayout.JAVA_INT, h + Sys.MSG_FLAGS, 0);
            iovs.set(ValueLayout.JAVA_LONG, Sys.IOVEC_SIZE * i + 8, cap);
        }
    }

    /**
     * Copies what the kernel reported for slots {@code 0..n-1} into the batch: length (0 for a datagram cut short by
     * the slot's capacity, which no protocol can use), the source with v4-mapped addresses in the v4 form, and
     * the GRO segment size.
     */
    void collect(int n) {
        for (int i = 0; i < n; i++) {
            long h = Sys.MMSGHDR_SIZE * i;
            int len = hdrs.get(ValueLayout.JAVA_INT, h + Sys.MSG_LEN);
            if ((hdrs.get(ValueLayout.JAVA_INT, h + Sys.MSG_FLAGS) & Sys.MSG_TRUNC) != 0) {
                len = 0;
            }
            int seg = groSegment(i, hdrs.get(ValueLayout.JAVA_LONG, h + Sys.MSG_CONTROLLEN));
            Endpoints.unmapV4(batch.endpoint(i));
            batch.setLength(i, len);
            batch.setSegmentSize(i, seg > 0 && seg < len ? seg : 0);
        }
    }

    private int groSegment(int i, long controlLen) {
        long base = CONTROL_SPACE * i;
        long off = 0;
        while (off + Sys.CMSG_HDR <= controlLen) {
            long len = controls.get(ValueLayout.JAVA_LONG, base + off);
            if (len < Sys.CMSG_HDR || off + len > controlLen) {
                return 0;
            }
            if (controls.get(ValueLayout.JAVA_INT, base + off + 8) == Sys.SOL_UDP
                    && controls.get(ValueLayout.JAVA_INT, base + off + 12) == Sys.UDP_GRO) {
                return controls.get(ValueLayout.JAVA_INT, base + off + Sys.CMSG_HDR);
            }
            off += (len + 7) & ~7L;
        }
        return 0;
    }

    /**
     * Sets lengths for sending slots {@code 0..count-1}; a slot holding several datagrams gets a UDP_SEGMENT cmsg
     * when {@code gso} (without it the caller must not pass such a slot to sendmmsg).
     */
    void prepareSend(int count, boolean gso) {
        for (int i = 0; i < count; i++) {
            long h = Sys.MMSGHDR_SIZE * i;
            hdrs.set(ValueLayout.JAVA_INT, h + Sys.MSG_NAMELEN, Endpoints.length(batch.endpoint(i)));
            iovs.set(ValueLayout.JAVA_LONG, Sys.IOVEC_SIZE * i + 8, batch.length(i));
            long control = 0;
            if (gso && batch.segments(i) > 1) {
                long c = CONTROL_SPACE * i;
                controls.set(ValueLayout.JAVA_LONG, c, Sys.CMSG_LEN_U16);
                controls.set(ValueLayout.JAVA_INT, c + 8, Sys.SOL_UDP);
                controls.set(ValueLayout.JAVA_INT, c + 12, Sys.UDP_SEGMENT);
                controls.set(ValueLayout.JAVA_SHORT, c + Sys.CMSG_HDR, (short) batch.segmentSize(i));
                control = Sys.CMSG_SPACE_INT;
            }
            hdrs.set(ValueLayout.JAVA_LONG, h + Sys.MSG_CONTROLLEN, control);
        }
    }
}
