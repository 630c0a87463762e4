package io.dwcp.server;

import io.dwcp.core.Limits;
import io.dwcp.numa.NumaOptions;
import io.dwcp.zerocopy.IoMode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What a server is told at start.
 *
 * @param root        every received path resolves below this directory
 * @param control     control-plane listen address
 * @param dataPort    data-plane port on the same host (0: ephemeral, announced in WELCOME)
 * @param token       shared secret clients must present, or null for none
 * @param plainRemote the operator explicitly allowed plain TCP on a non-loopback address
 * @param oneShot     serve exactly one transfer, then stop ({@code dwcp recv})
 * @param limits      every bound the server enforces
 * @param io          the data plane's I/O path: the best this machine offers, or the portable one
 * @param numa        workers, pinning, huge pages and the slab budget of the data plane
 * @param partMaxAge  part files below the root nobody resumed are removed once their mtime is this old (swept at
 *                    start, then every quarter of it, at least hourly); zero: never
 */
public record ServerConfig(Path root, InetSocketAddress control, int dataPort, byte[] token, boolean plainRemote,
                           boolean oneShot, Limits limits, IoMode io, NumaOptions numa, Duration partMaxAge) {

    public ServerConfig {
        if (partMaxAge == null || partMaxAge.isNegative()) {
            throw new IllegalArgumentException("part-max-age=" + partMaxAge + " reason=must-be-zero-or-positive");
        }
    }

    /** A server that never sweeps part files (embedded receivers, tests). */
    public ServerConfig(Path root, InetSocketAddress control, int dataPort, byte[] token, boolean plainRemote,
                        boolean oneShot, Limits limits, IoMode io, NumaOptions numa) {
        this(root, control, dataPort, token, plainRemote, oneShot, limits, io, numa, Duration.ZERO);
    }

    /** A server on the default data plane (the best I/O path here, pinned workers, huge pages when reserved). */
    public ServerConfig(Path root, InetSocketAddress control, int dataPort, byte[] token, boolean plainRemote,
                        boolean oneShot, Limits limits) {
        this(root, control, dataPort, token, plainRemote, oneShot, limits, IoMode.AUTO, NumaOptions.defaults());
    }
}
