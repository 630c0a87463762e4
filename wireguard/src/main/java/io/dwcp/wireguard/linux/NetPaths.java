package io.dwcp.wireguard.linux;

import io.dwcp.core.linux.FdCalls;
import io.dwcp.core.linux.Errno;
import io.dwcp.core.linux.LinuxNative;
import io.dwcp.core.linux.NativeIoException;
import io.dwcp.wireguard.net.NioUdpTransport;
import io.dwcp.wireguard.net.PacketBatch;
import io.dwcp.wireguard.net.TunDevice;
import io.dwcp.wireguard.net.UdpTransport;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Chooses the UDP path once: the native one when a probe datagram (a GSO super-datagram to itself over loopback)
 * comes back intact, else {@link NioUdpTransport}. A libc symbol proves nothing about a seccomp filter or an old
 * kernel, hence the round trip. Also opens TUN devices with errors a user can act on.
 *
 * @param nativeUdp whether {@link #openUdp} gives a {@link LinuxUdp}
 * @param gso       whether the probe socket sent its super-datagram with UDP GSO
 * @param gro       whether the probe socket could enable UDP GRO
 * @param reason    why the native path is not used ({@code key=value}), empty when it is
 */
public record NetPaths(boolean nativeUdp, boolean gso, boolean gro, String reason) {
    private static final int PROBE_SEGMENT = 100;
    private static final int PROBE_LENGTH = 250;

    private static final class Once {
        static final NetPaths PATHS = probe();
    }

    /** The paths of this process, probed on first use. */
    public static NetPaths get() {
        return Once.PATHS;
    }

    /** One line for the start-up log: {@code udp=native gso=on gro=on} or {@code udp=nio reason=...}. */
    public String describe() {
        return nativeUdp ? "udp=native gso=" + (gso ? "on" : "off") + " gro=" + (gro ? "on" : "off")
                : "udp=nio reason=" + reason;
    }

    /**
     * A UDP transport on {@code port} (0: any) of the chosen kind; the native one asks for GSO and GRO, so check
     * {@link UdpTransport#gro()} before sizing receive batches.
     */
    public UdpTransport openUdp(int port, int bufferBytes) throws IOException {
        return nativeUdp ? LinuxUdp.open(port, true, bufferBytes) : NioUdpTransport.open(port, bufferBytes);
    }

    /**
     * Opens a TUN device, or fails with one line: {@code tun=unavailable reason=needs-CAP_NET_ADMIN op=... errno=EPERM}
     * (reasons: {@code not-linux}, {@code needs-CAP_NET_ADMIN}, {@code no-dev-net-tun}, {@code name-in-use},
     * {@code error}). TUN has no portable fallback.
     */
    public static TunDevice openTun(String name, boolean vnetHdr) throws IOException {
        if (!Sys.nativeUsable()) {
            String why = LinuxNative.available() ? "unsupported-arch" : "not-linux";
            throw new IOException("tun=unavailable reason=" + why);
        }
        try {
            return LinuxTun.open(name, vnetHdr);
        } catch (NativeIoException e) {
            throw new IOException("tun=unavailable reason=" + tunReason(e.errno()) + " " + e.getMessage(), e);
        }
    }

    private static String tunReason(int errno) {
        return switch (errno) {
            case Errno.EPERM, Errno.EACCES -> "needs-CAP_NET_ADMIN";
            // ENODEV: the tun module is missing although the node exists
            case Errno.ENOENT, Sys.ENODEV -> "no-dev-net-tun";
            // EBUSY: a persistent device of that name belongs to another user or is attached
            case Sys.EBUSY -> "name-in-use";
            default -> "error";
        };
    }

    /** Runs the probe now (tests; {@link #get()} caches one run). */
    public static NetPaths probe() {
        if (!LinuxNative.available()) {
            return nio("not-linux");
        }
        if (!Sys.SUPPORTED_ARCH) {
            return nio("unsupported-arch");
        }
        if (!LinuxUdpCalls.linked() || !FdCalls.linked()) {
            return nio("libc-symbols-missing");
        }
        try (LinuxUdp udp = LinuxUdp.open(0, true, 1 << 20);
                PacketBatch out = new PacketBatch(1, PROBE_LENGTH);
                PacketBatch in = new PacketBatch(4, PacketBatch.MAX_DATAGRAM)) {
            MemorySegment sent = out.buffer(0);
            for (int k = 0; k < PROBE_LENGTH; k++) {
                sent.set(ValueLayout.JAVA_BYTE, k, (byte) k);
            }
            out.setLength(0, PROBE_LENGTH);
            out.setSegmentSize(0, PROBE_SEGMENT);
            out.setAddress(0, new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), udp.localPort()));
            if (udp.send(out, 1) != 1) {
                return nio("udp-probe-send-failed");
            }
            int got = 0;
            while (got < PROBE_LENGTH) {
                if (!udp.awaitReadable(1000)) {
                    return nio("udp-probe-timeout");
                }
                int n = udp.receive(in);
                for (int i = 0; i < n; i++) {
                    int len = in.length(i);
                    if (got + len > PROBE_LENGTH
                            || MemorySegment.mismatch(in.buffer(i), 0, len, sent, got, got + len) >= 0) {
                        return nio("udp-probe-wrong-bytes");
                    }
                    got += len;
                }
            }
            return new NetPaths(true, udp.gso(), udp.gro(), "");
        } catch (IOException | RuntimeException e) {
            String m = e.getMessage();
            return nio("udp-probe-failed " + (m != null && m.contains("=") ? m : "error=" + e.getClass().getSimpleName()));
        }
    }

    private static NetPaths nio(String reason) {
        return new NetPaths(false, false, false, reason);
    }
}
