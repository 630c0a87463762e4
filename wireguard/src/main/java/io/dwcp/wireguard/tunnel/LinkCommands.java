package io.dwcp.wireguard.tunnel;

import io.dwcp.core.Log;
import io.dwcp.wireguard.config.IpPrefix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Configures the tunnel interface the way wg-quick does, with iproute2's {@code ip}: addresses, MTU, link up, and a
 * route for every allowed IP that an interface address's own network does not already cover. A missing {@code ip}
 * is reported with the command that installs it.
 */
final class LinkCommands {
    private LinkCommands() {
    }

    static void addAddress(String dev, IpPrefix address) throws IOException {
        ip("address", "add", address.toString(), "dev", dev);
    }

    static void up(String dev, int mtu) throws IOException {
        ip("link", "set", "dev", dev, "mtu", Integer.toString(mtu), "up");
    }

    /** Adds routes for the peers' allowed IPs that no interface address covers; returns those it added. */
    static List<IpPrefix> routes(String dev, List<IpPrefix> addresses, List<IpPrefix> allowed) throws IOException {
        List<IpPrefix> added = new ArrayList<>();
        for (IpPrefix p : allowed) {
            if (p.bits() == 0) {
                // wg-quick routes a default route through a separate table and fwmark; we do not take over the
                // host's default route behind the user's back
                Log.of("wireguard").warn(
                        "route=" + p + " dev=" + dev + " skipped reason=default-route-not-installed");
                continue;
            }
            boolean covered = false;
            for (IpPrefix a : addresses) {
                if (a.isIpv4() == p.isIpv4() && a.bits() <= p.bits() && a.masked().contains(p.address())) {
                    covered = true;
                    break;
                }
            }
            if (!covered && !added.contains(p)) {
                ip(p.isIpv4() ? "-4" : "-6", "route", "replace", p.toString(), "dev", dev);
                added.add(p);
            }
        }
        return added;
    }

    private static void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("command=ip reason=not-found: install iproute2 (scripts/install-tools.sh ip)", e);
        }
        try {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("command=\"" + String.join(" ", cmd) + "\" failed: " + output);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("command=\"" + String.join(" ", cmd) + "\" interrupted", e);
        }
    }
}
