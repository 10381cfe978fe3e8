package dev.mapgate.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * No admin endpoint takes a body, so a request that announces one is answered 413 and its
 * connection closed, instead of reading (or skipping) bytes that nobody wants. Closing is what
 * makes skipping unnecessary: a body left unread cannot be mistaken for the next request.
 */
final class RequestBodyRefusal extends ChannelInboundHandlerAdapter {

    /** Set once the 413 is on its way; whatever else arrives before the close is dropped. */
    private boolean refused;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess() && carriesBody(request, msg)) {
            refused = true;
            boolean head = HttpMethod.HEAD.equals(request.method());
            ReferenceCountUtil.release(msg);
            AdminResponses.send(ctx, request.protocolVersion(), AdminReply.BODY_REFUSED, head, false);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private static boolean carriesBody(HttpRequest request, Object msg) {
        if (request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return true;
        }
        if (msg instanceof HttpContent content && content.content().isReadable()) {
            return true;
        }
        try {
            return HttpUtil.getContentLength(request, 0L) > 0;
        } catch (NumberFormatException unreadable) {
            // The decoder rejects these first; if one got here, it cannot be framed either.
            return true;
        }
    }
}
