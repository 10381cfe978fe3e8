package dev.mapgate.origin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin side of a pooled connection: hands what the origin sends to the {@link ProxyHandler}
 * that currently borrows the connection. While the connection idles in the pool nothing may
 * arrive; anything that does means the connection is out of step, so it is closed.
 */
final class OriginResponseHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(OriginResponseHandler.class);

    // Not volatile: the borrowing client channel runs on this channel's event loop.
    private ProxyHandler borrower;

    // The pool's record of this connection, kept here because every connection has exactly one
    // of these handlers; only the pool reads and writes them, on this loop.
    /** Lent out to a borrower: released exactly once. */
    boolean lent;
    /** Has carried an exchange and gone back to the pool. */
    boolean reused;
    /** When a parked connection stops being lent out, on {@link System#nanoTime()}'s clock. */
    long lendUntil;

    void bind(ProxyHandler borrower) {
        this.borrower = borrower;
    }

    void unbind() {
        this.borrower = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ProxyHandler current = borrower;
        if (current == null || !(msg instanceof HttpObject)) {
            ReferenceCountUtil.release(msg);
            LOG.debug("event=origin-unexpected-data origin={}", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        current.onOriginMessage(ctx.channel(), (HttpObject) msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ProxyHandler current = borrower;
        if (current != null) {
            current.onOriginReadComplete(ctx.channel());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ProxyHandler current = borrower;
        borrower = null;
        if (current != null) {
            current.onOriginClosed(ctx.channel());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && borrower == null) {
            ctx.close();
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ProxyHandler current = borrower;
        if (current != null) {
            current.onOriginError(cause);
        }
        LOG.debug("event=origin-error origin={} cause={}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
