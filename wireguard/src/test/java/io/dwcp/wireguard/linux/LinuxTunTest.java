package io.dwcp.wireguard.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.linux.LinuxNative;
import io.dwcp.wireguard.net.Datagrams;
import io.dwcp.wireguard.net.PacketBatch;
import io.dwcp.wireguard.net.TunDevice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real TUN devices in the current network namespace, configured with {@code ip}: needs CAP_NET_ADMIN (root).
 * Each device gets a pid-derived name and a /24 from the benchmarking range 198.18.0.0/15 (never routed on real
 * networks); closing the fd removes the device and its routes.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LinuxTunTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final byte[] NET = {(byte) 198, (byte) (18 + ((PID >> 8) & 1)), (byte) (PID & 0xff)};
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tun-test-watchdog");
        t.setDaemon(true);
        return t;
    });
    /** CAP_NET_ADMIN in the effective set: what TUNSETIFF and {@code ip addr add} check, not the uid. */
    private static boolean netAdmin;
    private static int devices;
    private static final int CAP_NET_ADMIN = 12;

    @BeforeAll
    static void environment() throws Exception {
        assumeTrue(LinuxNative.available() && Sys.SUPPORTED_ARCH, "reason=tun-needs-linux-x86_64-or-arm64");
        netAdmin = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("CapEff:"))
                .anyMatch(l -> (Long.parseUnsignedLong(l.substring(7).trim(), 16) & (1L << CAP_NET_ADMIN)) != 0);
    }

    @AfterAll
    static void stopWatchdog() {
        WATCHDOG.shutdownNow();
    }

    private static void assumeRootWithTun() throws Exception {
        assumeTrue(netAdmin, "reason=tun-tests-need-CAP_NET_ADMIN");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "reason=no-dev-net-tun");
        assumeTrue(run("ip", "-V") == 0, "reason=no-iproute2");
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            System.err.println(String.join(" ", cmd) + " -> rc=" + rc + " " + out);
        }
        return rc;
    }

    private static String uniqueName() {
        return "wgt" + PID + "x" + devices++;
    }

    private static InetAddress host(int last) throws IOException {
        return InetAddress.getByAddress(new byte[] {NET[0], NET[1], NET[2], (byte) last});
    }

    /** Address .1/24 on the device, link up; no IPv6 on it, so no router solicitations among the packets read. */
    private static void configure(TunDevice tun) throws Exception {
        Path v6 = Path.of("/proc/sys/net/ipv6/conf", tun.name(), "disable_ipv6");
        if (Files.exists(v6)) {
            Files.writeString(v6, "1");
        }
        assertEquals(0, run("ip", "addr", "add", host(1).getHostAddress() + "/24", "dev", tun.name()));
        assertEquals(0, run("ip", "link", "set", tun.name(), "up"));
    }

    /** Reads until an IPv4 UDP packet to {@code dst}:{@code port} shows up; the watchdog closes the device after 5 s. */
    private static byte[] readUdp(TunDevice tun, int skip, InetAddress dst, int port) throws IOException {
        ScheduledFuture<?> dog = WATCHDOG.schedule(tun::close, 5, TimeUnit.SECONDS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(65536);
            for (;;) {
                int n = tun.read(buf);
                if (n < 0) {
                    fail("no udp packet to " + dst + ":" + port + " read from " + tun.name());
                }
                byte[] all = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                byte[] ip = Arrays.copyOfRange(all, skip, n);
                if (ip.length >= 28 && (ip[0] >> 4) == 4 && ip[9] == 17
                        && Arrays.equals(Arrays.copyOfRange(ip, 16, 20), dst.getAddress())
                        && ((ip[22] & 0xff) << 8 | (ip[23] & 0xff)) == port) {
                    return all;
                }
            }
        } finally {
            dog.cancel(false);
        }
    }

    /** An IPv4/UDP packet with a correct header checksum and no UDP checksum (allowed for IPv4). */
    private static byte[] udp4(InetAddress src, InetAddress dst, int sport, int dport, byte[] payload) {
        int total = 28 + payload.length;
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) 0x1234).putShort((short) 0x4000)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(src.getAddress()).put(dst.getAddress());
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += b.getShort(i) & 0xffff;
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        b.putShort(10, (short) ~sum);
        b.putShort((short) sport).putShort((short) dport).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    private static void assertUdp(byte[] ip, InetAddress dst, int dport, byte[] payload) {
        assertEquals(4, ip[0] >> 4, "ip version");
        assertEquals(17, ip[9], "protocol");
        assertArrayEquals(dst.getAddress(), Arrays.copyOfRange(ip, 16, 20));
        int ihl = (ip[0] & 0xf) * 4;
        assertEquals(dport, (ip[ihl + 2] & 0xff) << 8 | (ip[ihl + 3] & 0xff));
        assertEquals(ip.length, (ip[2] & 0xff) << 8 | (ip[3] & 0xff), "total length");
        assertArrayEquals(payload, Arrays.copyOfRange(ip, ihl + 8, ip.length));
    }

    @Test
    void readsADatagramRoutedIntoTheDevice() throws Exception {
        assumeRootWithTun();
        try (TunDevice tun = LinuxTun.open(uniqueName(), false); DatagramChannel ch = DatagramChannel.open()) {
            configure(tun);
            byte[] payload = "hello through tun".getBytes(StandardCharsets.US_ASCII);
            ch.send(ByteBuffer.wrap(payload), new InetSocketAddress(host(2), 9999));
            byte[] ip = readUdp(tun, 0, host(2), 9999);
            assertUdp(ip, host(2), 9999, payload);
        }
    }

    @Test
    void writtenPacketReachesASocketOnTheDeviceAddress() throws Exception {
        assumeRootWithTun();
        try (TunDevice tun = LinuxTun.open(uniqueName(), false)) {
            configure(tun);
            try (LinuxUdp udp = LinuxUdp.bind(new InetSocketAddress(host(1), 0), false, 1 << 16);
                    PacketBatch in = new PacketBatch(2, 2048);
                    Arena arena = Arena.ofConfined()) {
                byte[] payload = Datagrams.payload(5, 333);
                byte[] pkt = udp4(host(2), host(1), 5555, udp.localPort(), payload);
                MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, pkt);
                tun.write(buf, 0, pkt.length);
                assertTrue(udp.awaitReadable(3000), "the written packet never reached the socket");
                List<Datagrams.Received> got = Datagrams.receive(udp, in, 1);
                assertArrayEquals(payload, got.get(0).data());
                assertEquals(new InetSocketAddress(host(2), 5555), got.get(0).from());
            }
        }
    }

    @Test
    void vnetHeaderPrecedesEachPacketBothWays() throws Exception {
        assumeRootWithTun();
        try (TunDevice tun = LinuxTun.open(uniqueName(), true); DatagramChannel ch = DatagramChannel.open()) {
            assertTrue(tun.vnetHdr());
            configure(tun);
            byte[] payload = Datagrams.payload(8, 200);
            ch.send(ByteBuffer.wrap(payload), new InetSocketAddress(host(2), 7777));
            byte[] all = readUdp(tun, TunDevice.VNET_HDR_LEN, host(2), 7777);
            // gso_type VIRTIO_NET_HDR_GSO_NONE: a lone datagram is never a segmentation offload
            assertEquals(0, all[1]);
            assertUdp(Arrays.copyOfRange(all, TunDevice.VNET_HDR_LEN, all.length), host(2), 7777, payload);

            try (LinuxUdp udp = LinuxUdp.bind(new InetSocketAddress(host(1), 0), false, 1 << 16);
                    PacketBatch in = new PacketBatch(1, 2048);
                    Arena arena = Arena.ofConfined()) {
                byte[] pkt = udp4(host(2), host(1), 6666, udp.localPort(), payload);
                MemorySegment buf = arena.allocate(TunDevice.VNET_HDR_LEN + pkt.length);
                MemorySegment.copy(pkt, 0, buf, ValueLayout.JAVA_BYTE, TunDevice.VNET_HDR_LEN, pkt.length);
                tun.write(buf, 0, buf.byteSize());
                assertTrue(udp.awaitReadable(3000), "the written packet never reached the socket");
                assertArrayEquals(payload, Datagrams.receive(udp, in, 1).get(0).data());
            }
        }
    }

    @Test
    void closeUnblocksARead() throws Exception {
        assumeRootWithTun();
        TunDevice tun = LinuxTun.open(uniqueName(), false);
        String name = tun.name();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buf = arena.allocate(2048);
            CompletableFuture<Integer> r = CompletableFuture.supplyAsync(() -> {
                try {
                    return tun.read(buf);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Thread.sleep(300);
            assertTrue(!r.isDone(), "read returned from a device that is down");
            tun.close();
            assertEquals(-1, r.get(1, TimeUnit.SECONDS));
            assertEquals(-1, tun.read(buf));
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> tun.write(buf, 0, 20));
        }
        assertTrue(run("ip", "link", "show", name) != 0, "closing the fd must remove " + name);
    }

    @Test
    void nameInUseGivesOneLineError() throws Exception {
        assumeRootWithTun();
        try (TunDevice tun = LinuxTun.open(uniqueName(), false)) {
            IOException e = assertThrows(IOException.class, () -> NetPaths.openTun(tun.name(), false).close());
            // EBUSY: core's Errno has no name for 16, so only the op is pinned here
            assertTrue(e.getMessage().startsWith("tun=unavailable reason=name-in-use op=ioctl TUNSETIFF errno="),
                    e.getMessage());
        }
    }

    @Test
    void withoutPrivilegeTheErrorSaysWhy() throws Exception {
        String message;
        if (!netAdmin) {
            IOException e = assertThrows(IOException.class, () -> NetPaths.openTun(uniqueName(), false).close());
            message = e.getMessage();
        } else {
            // with the capability (CI runs as root), ask a child JVM that has it dropped
            assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                    "reason=no-setpriv (util-linux) to drop CAP_NET_ADMIN for a child");
            Process p = new ProcessBuilder("/usr/bin/setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin",
                    ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), TunOpenProbe.class.getName(), uniqueName())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            message = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(message.matches("tun=unavailable reason=(needs-CAP_NET_ADMIN|no-dev-net-tun) op=.*"), message);
    }
}
