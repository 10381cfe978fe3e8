package dev.mapgate.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Turns an {@link AdminReply} into the one response the admin listener writes per request. */
final class AdminResponses {

    private AdminResponses() {
    }

    /**
     * Writes {@code reply} and then either asks for the next request or closes. Reads are driven
     * by hand on admin connections, so the read after a response is what keeps a pipelined
     * request from being answered before the one in front of it.
     *
     * @param version   the request's protocol version; HTTP/1.0 keep-alive needs it echoed
     * @param head      the request was HEAD: same headers, no body
     * @param keepAlive whether the connection may carry another request
     */
    static void send(ChannelHandlerContext ctx, HttpVersion version, AdminReply reply, boolean head,
                     boolean keepAlive) {
        FullHttpResponse response = toResponse(ctx, version, reply, head);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response).addListener((ChannelFutureListener) written -> {
            if (keepAlive && written.isSuccess()) {
                ctx.read();
            } else {
                ctx.close();
            }
        });
    }

    private static FullHttpResponse toResponse(ChannelHandlerContext ctx, HttpVersion version, AdminReply reply,
                                               boolean head) {
        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : ByteBufUtil.writeUtf8(ctx.alloc(), reply.body());
        FullHttpResponse response = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(reply.status()),
                body);
        HttpHeaders headers = response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, reply.contentType())
                // What a GET would carry, also for HEAD.
                .setInt(HttpHeaderNames.CONTENT_LENGTH, ByteBufUtil.utf8Bytes(reply.body()))
                // Health and metrics are only true right now; a cached copy would mislead.
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (reply.allow() != null) {
            headers.set(HttpHeaderNames.ALLOW, reply.allow());
        }
        return response;
    }
}
