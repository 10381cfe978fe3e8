package dev.mapgate.origin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Notes whether any byte came from the origin since the connection was last lent out. The HTTP
 * decoder swallows half a status line silently when the connection then closes, so only a look
 * before the decoder tells "closed before answering", which may be retried, from "closed while
 * answering", which may not.
 */
final class ResponseBytesWatch extends ChannelInboundHandlerAdapter {

    // Not volatile: read and written on the connection's event loop only.
    private boolean arrived;

    void reset() {
        arrived = false;
    }

    boolean arrived() {
        return arrived;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        arrived = true;
        ctx.fireChannelRead(msg);
    }
}
