package io.dwcp.wireguard.interop;

import java.util.ArrayList;
import java.util.List;

/**
 * A network namespace joined to this one by a veth pair: {@code hostAddress} here, {@code nsAddress} there, on the
 * underlay subnet {@code 10.213.N.0/24}; the tunnels on top use {@code 10.214.N.0/24}. N comes from the pid so two
 * test JVMs do not collide. Removed (with everything in it) by {@link #close()}.
 */
final class VethNamespace implements AutoCloseable {
    final String ns;
    final String hostVeth;
    final int n;
    final String hostAddress;
    final String nsAddress;

    VethNamespace(String tag) throws Exception {
        long pid = ProcessHandle.current().pid();
        n = (int) (pid % 200) + 20;
        ns = "dwcp" + tag + pid;
        hostVeth = ("vh" + tag + pid).substring(0, Math.min(15, ("vh" + tag + pid).length()));
        String nsVeth = ("vn" + tag + pid).substring(0, Math.min(15, ("vn" + tag + pid).length()));
        hostAddress = "10.213." + n + ".1";
        nsAddress = "10.213." + n + ".2";
        NetTestEnv.quiet("ip", "netns", "del", ns);
        NetTestEnv.quiet("ip", "link", "del", hostVeth);
        NetTestEnv.run("ip", "netns", "add", ns);
        NetTestEnv.run("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", nsVeth);
        NetTestEnv.run("ip", "link", "set", nsVeth, "netns", ns);
        NetTestEnv.run("ip", "address", "add", hostAddress + "/24", "dev", hostVeth);
        NetTestEnv.run("ip", "link", "set", hostVeth, "up");
        inNs("ip", "address", "add", nsAddress + "/24", "dev", nsVeth);
        inNs("ip", "link", "set", nsVeth, "up");
        inNs("ip", "link", "set", "lo", "up");
    }

    /** A tunnel address on 10.214.N.0/24. */
    String tunnelAddress(int host) {
        return "10.214." + n + "." + host;
    }

    String inNs(String... cmd) throws Exception {
        return NetTestEnv.run(nsCommand(cmd));
    }

    NetTestEnv.Result execInNs(int timeoutSeconds, String... cmd) throws Exception {
        return NetTestEnv.exec(timeoutSeconds, nsCommand(cmd));
    }

    String[] nsCommand(String... cmd) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        return all.toArray(String[]::new);
    }

    @Override
    public void close() {
        NetTestEnv.quiet("ip", "netns", "del", ns);
        NetTestEnv.quiet("ip", "link", "del", hostVeth);
    }
}
