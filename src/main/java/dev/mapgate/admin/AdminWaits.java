package dev.mapgate.admin;

import dev.mapgate.limits.ClientWaits;
import dev.mapgate.limits.ConnectionSlots;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Follows where an admin connection stands, a request head awaited or an answer owed, and tells
 * the two that need to know: the connection's timer ({@link ClientWaits}: admin.header-timeout
 * for a head, admin.idle-timeout between requests) and the listener's {@link ConnectionSlots},
 * which pick the connection to close when admin.max-connections are open.
 *
 * <p>Sits right behind the codec, so that it sees each head as soon as it is decoded, also one
 * that the demand handler further in holds back behind the answer in progress.
 */
final class AdminWaits extends ChannelDuplexHandler {

    private final ClientWaits waits;
    private final ConnectionSlots<Channel> slots;
    /** Heads decoded and not yet answered: more than one when requests come pipelined. */
    private int headsOwed;
    /** Bytes of a request arrived since the last complete head. */
    private boolean headStarted;
    /** Whether the last response let the connection stay open. */
    private boolean keepAlive;

    AdminWaits(ClientWaits waits, ConnectionSlots<Channel> slots) {
        this.waits = waits;
        this.slots = slots;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // A probe or a scraper connects in order to send a request: its head clock starts now.
        waits.awaitRequestHeadNow(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            headStarted = false;
            headsOwed++;
            waits.requestArrived();
            slots.headArrived(ctx.channel());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == RequestBytes.Event.ARRIVED) {
            if (!headStarted) {
                headStarted = true;
                waits.requestStarted(ctx);
                slots.requestStarted(ctx.channel());
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            // Between requests the timer above decides; this is a client that stopped taking
            // its answer.
            if (headsOwed > 0) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response) {
            keepAlive = HttpUtil.isKeepAlive(response);
        }
        if (msg instanceof LastHttpContent) {
            boolean staysOpen = keepAlive;
            // Before the responder's own listener, which may read the next request at once.
            promise.addListener((ChannelFutureListener) f -> answered(ctx, f.isSuccess() && staysOpen));
        }
        ctx.write(msg, promise);
    }

    private void answered(ChannelHandlerContext ctx, boolean staysOpen) {
        headsOwed = Math.max(0, headsOwed - 1);
        if (staysOpen && headsOwed == 0) {
            slots.answered(ctx.channel());
            if (headStarted) {
                // The next request began to arrive while this answer was being written.
                slots.requestStarted(ctx.channel());
            }
            waits.awaitNextRequest(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        waits.stop();
        ctx.fireChannelInactive();
    }
}
