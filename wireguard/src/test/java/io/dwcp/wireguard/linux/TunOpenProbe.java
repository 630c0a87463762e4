package io.dwcp.wireguard.linux;

import java.io.IOException;

/** Child-process entry of {@link LinuxTunTest}: tries to open a TUN device and prints the error line it got. */
public final class TunOpenProbe {
    private TunOpenProbe() {
    }

    public static void main(String[] args) {
        try {
            NetPaths.openTun(args[0], false).close();
            System.out.println("opened");
        } catch (IOException e) {
            System.out.println(e.getMessage());
        }
    }
}
