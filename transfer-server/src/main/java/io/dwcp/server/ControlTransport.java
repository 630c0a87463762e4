package io.dwcp.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.Locale;

/**
 * The control plane's Netty transport, chosen once at start: io_uring, else epoll, else NIO. The property
 * {@code dwcp.transport} (or env {@code DWCP_TRANSPORT}) forces one, for tests and for kernels where a
 * native transport misbehaves.
 */
public record ControlTransport(String name, IoHandlerFactory factory, Class<? extends ServerChannel> channel,
                               String why) {

    public static ControlTransport choose() {
        String forced = System.getProperty("dwcp.transport", System.getenv().getOrDefault("DWCP_TRANSPORT", ""))
                .toLowerCase(Locale.ROOT);
        if ((forced.isEmpty() || forced.equals("io_uring")) && IoUring.isAvailable()) {
            return new ControlTransport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                    forced.isEmpty() ? "available" : "forced");
        }
        String uringWhy = forced.isEmpty() || forced.equals("io_uring")
                ? "io_uring unavailable: " + IoUring.unavailabilityCause() : "forced " + forced;
        if ((forced.isEmpty() || forced.equals("io_uring") || forced.equals("epoll")) && Epoll.isAvailable()) {
            return new ControlTransport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, uringWhy);
        }
        return new ControlTransport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
                uringWhy + (Epoll.isAvailable() ? "" : "; epoll unavailable: " + Epoll.unavailabilityCause()));
    }
}
