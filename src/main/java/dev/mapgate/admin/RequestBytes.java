package dev.mapgate.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Announces bytes from the client before the codec reads them, so that {@link AdminWaits} knows
 * when a request has begun to arrive: the codec says nothing until a whole head is in. The bytes
 * themselves are passed on untouched.
 */
@Sharable
final class RequestBytes extends ChannelInboundHandlerAdapter {

    static final RequestBytes INSTANCE = new RequestBytes();

    /** The user event it fires. */
    enum Event {
        /** Bytes from the client arrived. */
        ARRIVED
    }

    private RequestBytes() {
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            // First, so that a head complete in this read is seen to start before it ends.
            ctx.fireUserEventTriggered(Event.ARRIVED);
        }
        ctx.fireChannelRead(msg);
    }
}
