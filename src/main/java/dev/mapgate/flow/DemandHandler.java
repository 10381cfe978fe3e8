package dev.mapgate.flow;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;

/**
 * Applies {@link Demand} to a channel whose {@code AUTO_READ} is off: sits right after the
 * decoder, and hands on one decoded message for each {@code read()} from the handlers behind it.
 * Messages the decoder produced beyond that wait here, in order, until they are asked for; a
 * {@code read()} with nothing waiting goes on to the socket.
 *
 * <p>It is mapgate's own rather than Netty's {@code FlowControlHandler}, whose rewrite in 4.2.15
 * could leave a decoded request waiting in its queue (netty#17050). The rules live in {@link
 * Demand}, tested on their own.
 *
 * <p>Waiting messages are released when the connection ends or this handler is removed. Used on
 * the channel's event loop only, so nothing is synchronised.
 */
public final class DemandHandler extends ChannelDuplexHandler {

    private final Demand<Object> demand = new Demand<>();
    /** The connection ended: a late message (from the decoder's last decode) is released at once. */
    private boolean ended;

    @Override
    public void read(ChannelHandlerContext ctx) {
        Object next = demand.ask();
        if (next != null) {
            // May re-enter read() from the handler behind: each ask takes the next waiting message.
            ctx.fireChannelRead(next);
        } else {
            ctx.read();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ended) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (demand.arrived(msg)) {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // The read is over and no message met the ask (e.g. half a request head arrived): read on.
        // Netty's decoders usually ask for that read themselves; this does not rely on it.
        if (demand.isOpen()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ended = true;
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ended = true;
        releaseWaiting();
    }

    private void releaseWaiting() {
        for (Object msg : demand.clear()) {
            ReferenceCountUtil.release(msg);
        }
    }
}
