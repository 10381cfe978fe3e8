package dev.mapgate.server;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in the client pipeline: an error nobody above handled (a reset connection, a failed TLS
 * handshake) ends that connection. Clients cause these all day, so they are logged at DEBUG
 * instead of reaching Netty's tail handler, which would log each as a WARN.
 */
@Sharable
final class ClientErrors extends ChannelInboundHandlerAdapter {

    static final ClientErrors INSTANCE = new ClientErrors();

    private static final Logger LOG = LoggerFactory.getLogger(ClientErrors.class);

    private ClientErrors() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("event=client-error peer={} cause=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
