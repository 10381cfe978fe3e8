package dev.mapgate.server;

import dev.mapgate.config.ListenSettings;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The socket implementation behind the event loops ({@code listen.transport}): Linux's epoll
 * through Netty's native library, or Java's NIO. Client and origin channels share the loops, so
 * both sides use the same one, and so do the DNS queries for the origin's host name.
 */
record Transport(String name, IoHandlerFactory ioHandlers, Class<? extends ServerChannel> serverChannel,
                 Class<? extends SocketChannel> socketChannel, Class<? extends DatagramChannel> datagramChannel) {

    static final Transport NIO = new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class,
            NioSocketChannel.class, NioDatagramChannel.class);

    /** @throws IllegalStateException for {@code epoll} where the native library does not load */
    static Transport choose(ListenSettings.Transport wanted) {
        return switch (wanted) {
            case NIO -> NIO;
            case AUTO -> Epoll.isAvailable() ? epoll() : NIO;
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("mapgate.listen.transport = epoll, but Netty's epoll library "
                            + "does not load here (" + Epoll.unavailabilityCause() + "); use auto or nio");
                }
                yield epoll();
            }
        };
    }

    private static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class, EpollDatagramChannel.class);
    }
}
