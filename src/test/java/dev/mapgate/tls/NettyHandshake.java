package dev.mapgate.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A handshake from a Netty client over a real socket, so that the client can be BoringSSL: it
 * still speaks TLS 1.1 when asked to, which the JDK refuses to (jdk.tls.disabledAlgorithms).
 */
final class NettyHandshake {

    /** @param protocol what was agreed, or {@code null} when the handshake failed */
    record Outcome(String protocol, Throwable failure) {
    }

    private NettyHandshake() {
    }

    static Outcome with(InetSocketAddress server, SslContext client) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SslHandler tls = client.newHandler(ByteBufAllocator.DEFAULT, "localhost", server.getPort());
            tls.setHandshakeTimeoutMillis(5000);
            Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(tls, new ChannelInboundHandlerAdapter() {
                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    // The handshake future holds the failure; unhandled, Netty would log it as a WARN.
                                    ctx.close();
                                }
                            });
                        }
                    })
                    .connect(server).syncUninterruptibly().channel();
            Future<Channel> handshake = tls.handshakeFuture().awaitUninterruptibly();
            String protocol = handshake.isSuccess() ? tls.engine().getSession().getProtocol() : null;
            channel.close().syncUninterruptibly();
            return new Outcome(protocol, handshake.cause());
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
