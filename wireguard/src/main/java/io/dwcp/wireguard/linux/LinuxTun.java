package io.dwcp.wireguard.linux;

import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.FdHolder;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.wireguard.net.TunDevice;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;

/**
 * A TUN interface from {@code /dev/net/tun} ({@code IFF_TUN | IFF_NO_PI}, optionally {@code IFF_VNET_HDR} with
 * checksum and TSO offloads). The fd is non-blocking and a waiting call polls it together with an eventfd, so
 * {@link #close()} wakes a blocked {@link #read} by signalling the eventfd: a TUN fd has no shutdown.
 */
public final class LinuxTun implements TunDevice {
    /** What a vnet-hdr device asks the kernel to hand over unsegmented and without checksums. */
    public static final int OFFLOADS = Sys.TUN_F_CSUM | Sys.TUN_F_TSO4 | Sys.TUN_F_TSO6 | Sys.TUN_F_TSO_ECN;

    private final FdHolder holder;
    private final int fd;
    private final int eventFd;
    private final String name;
    private final boolean vnetHdr;
    private final Arena arena = Arena.ofShared();
    /** Two {@code pollfd[2]}: {tun, eventfd} for the reader (POLLIN) and the writer (POLLOUT), which may run at once. */
    private final MemorySegment readPoll;
    private final MemorySegment writePoll;

    private LinuxTun(int fd, int eventFd, String name, boolean vnetHdr) {
        this.fd = fd;
        this.eventFd = eventFd;
        this.name = name;
        this.vnetHdr = vnetHdr;
        readPoll = pollSet(Sys.POLLIN);
        writePoll = pollSet(Sys.POLLOUT);
        MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        holder = new FdHolder(fd, () -> FdCalls.write(eventFd, one.address(), 8), () -> {
            FdCalls.close(fd);
            FdCalls.close(eventFd);
            arena.close();
        });
    }

    private MemorySegment pollSet(short events) {
        MemorySegment p = arena.allocate(Sys.POLLFD_SIZE * 2, 8);
        p.set(ValueLayout.JAVA_INT, 0, fd);
        p.set(ValueLayout.JAVA_SHORT, 4, events);
        p.set(ValueLayout.JAVA_INT, Sys.POLLFD_SIZE, eventFd);
        p.set(ValueLayout.JAVA_SHORT, Sys.POLLFD_SIZE + 4, Sys.POLLIN);
        return p;
    }

    /**
     * Creates (or attaches to a persistent) TUN interface. With {@code vnetHdr} the header size is set to
     * {@value TunDevice#VNET_HDR_LEN} ({@code struct virtio_net_hdr}, no {@code num_buffers}) and {@link #OFFLOADS}
     * are enabled.
     *
     * @param name the interface name, at most 15 bytes; a {@code %d} in it lets the kernel number it
     * @throws NativeIoException op {@code open /dev/net/tun} or {@code ioctl TUNSETIFF} with EPERM/EACCES when the
     *                           process lacks CAP_NET_ADMIN
     */
    public static LinuxTun open(String name, boolean vnetHdr) throws IOException {
        byte[] raw = name.getBytes(StandardCharsets.US_ASCII);
        if (raw.length == 0 || raw.length >= Sys.IFNAMSIZ) {
            throw new IllegalArgumentException("tun=" + name + " reason=name-must-be-1-to-15-bytes");
        }
        if (!FdCalls.linked()) {
            throw new IOException("tun=unavailable reason=" + (Sys.nativeUsable() ? "libc-symbols-missing" : "not-linux"));
        }
        try (Arena call = Arena.ofConfined()) {
            int fd = FdCalls.open(call.allocateFrom("/dev/net/tun"), Sys.O_RDWR | Sys.O_CLOEXEC | Sys.O_NONBLOCK);
            if (fd < 0) {
                throw new NativeIoException("open /dev/net/tun", -fd);
            }
            int efd = -1;
            try {
                MemorySegment ifr = call.allocate(Sys.IFREQ_SIZE, 8);
                MemorySegment.copy(raw, 0, ifr, ValueLayout.JAVA_BYTE, 0, raw.length);
                short flags = (short) (Sys.IFF_TUN | Sys.IFF_NO_PI | (vnetHdr ? Sys.IFF_VNET_HDR : 0));
                ifr.set(ValueLayout.JAVA_SHORT, Sys.IFREQ_FLAGS, flags);
                check(FdCalls.ioctl(fd, Sys.TUNSETIFF, ifr.address()), "ioctl TUNSETIFF", name);
                String given = ifr.getString(0, StandardCharsets.US_ASCII);
                if (vnetHdr) {
                    MemorySegment size = call.allocate(ValueLayout.JAVA_INT);
                    size.set(ValueLayout.JAVA_INT, 0, VNET_HDR_LEN);
                    check(FdCalls.ioctl(fd, Sys.TUNSETVNETHDRSZ, size.address()), "ioctl TUNSETVNETHDRSZ", given);
                    check(FdCalls.ioctl(fd, Sys.TUNSETOFFLOAD, OFFLOADS), "ioctl TUNSETOFFLOAD", given);
                }
                efd = FdCalls.eventfd(0, Sys.EFD_CLOEXEC | Sys.EFD_NONBLOCK);
                check(efd, "eventfd", given);
                return new LinuxTun(fd, efd, given, vnetHdr);
            } catch (IOException | RuntimeException e) {
                FdCalls.close(fd);
                if (efd >= 0) {
                    FdCalls.close(efd);
                }
                throw e;
            }
        }
    }

    private static void check(int rc, String op, String name) throws NativeIoException {
        if (rc < 0) {
            throw new NativeIoException(op, -rc, "tun=" + name);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean vnetHdr() {
        return vnetHdr;
    }

    @Override
    public int read(MemorySegment buf) throws IOException {
        requireNative(buf);
        long cap = Math.min(buf.byteSize(), Integer.MAX_VALUE);
        if (!holder.enter()) {
            return -1;
        }
        try {
            for (;;) {
                long n = FdCalls.read(fd, buf.address(), cap);
                if (n >= 0) {
                    return (int) n;
                }
                if (holder.isClosed()) {
                    return -1;
                }
                if (n == -Errno.EAGAIN) {
                    await(readPoll);
                } else if (n != -Errno.EINTR) {
                    throw new NativeIoException("read", (int) -n, "tun=" + name);
                }
            }
        } finally {
            holder.exit();
        }
    }

    @Override
    public void write(MemorySegment buf, long offset, long len) throws IOException {
        requireNative(buf);
        if (offset < 0 || len < 0 || offset + len > buf.byteSize()) {
            throw new IllegalArgumentException("offset=" + offset + " len=" + len + " size=" + buf.byteSize());
        }
        if (!holder.enter()) {
            throw new ClosedChannelException();
        }
        try {
            for (;;) {
                long n = FdCalls.write(fd, buf.address() + offset, len);
                if (n >= 0) {
                    return;
                }
                if (holder.isClosed()) {
                    throw new AsynchronousCloseException();
                }
                if (n == -Errno.EAGAIN) {
                    await(writePoll);
                } else if (n != -Errno.EINTR) {
                    throw new NativeIoException("write", (int) -n, "tun=" + name);
                }
            }
        } finally {
            holder.exit();
        }
    }

    private static void requireNative(MemorySegment buf) {
        if (!buf.isNative()) {
            throw new IllegalArgumentException("buffer=heap reason=tun-needs-native-memory");
        }
    }

    /** Blocks until the tun fd is ready or the eventfd says closed; the caller's loop checks which. */
    private void await(MemorySegment set) throws NativeIoException {
        int rc = FdCalls.poll(set, 2, -1);
        if (rc < 0 && rc != -Errno.EINTR) {
            throw new NativeIoException("poll", -rc, "tun=" + name);
        }
    }

    @Override
    public void close() {
        holder.close();
    }
}
