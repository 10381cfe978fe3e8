package dev.mapgate.server;

import dev.mapgate.exchange.ConnectionEvent;
import dev.mapgate.exchange.Responses;
import dev.mapgate.gate.Decision;
import dev.mapgate.limits.ClientWaits;
import dev.mapgate.metrics.Metrics;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.Attribute;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the life of each request/response exchange on a client connection: it opens the
 * {@link Exchange}, decides whether the connection stays open, writes the access log line, and
 * pulls the next request only once both the request and its response are complete.
 *
 * <p>The channel runs with {@code AUTO_READ} off behind a {@link dev.mapgate.flow.DemandHandler}, so every
 * {@code read()} delivers one message. Handlers further in pull the rest of a request's body as
 * they can forward it; this handler alone pulls the next request. That one rule is what makes
 * pipelined requests safe: a second request is never seen while the first is in flight.
 *
 * <p>Because it knows what the connection is waiting for, it also drives the client timeouts
 * ({@link ClientWaits}); {@code listen.idle-timeout} applies only while an exchange is in progress.
 */
final class ExchangeHandler extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeHandler.class);

    /**
     * How long a shutting-down connection waits for its client to read the last response and
     * close. A client that reads slower than its send buffer drains in this time is cut off; the
     * server's shutdown.grace bounds the whole wait anyway.
     */
    static final Duration LINGER = Duration.ofSeconds(5);

    private final ClientWaits waits;
    private final Metrics metrics;
    private Exchange exchange;
    /** The channel's exchange attribute, for the handlers that read it. */
    private Attribute<Exchange> slot;
    private boolean draining;
    private boolean requestDone;
    private boolean keepAlive;
    /** Shutting down, the last response written: waiting for the client to close (see {@link #closeOnceRead}). */
    private ScheduledFuture<?> lingering;

    ExchangeHandler(ClientWaits waits, Metrics metrics) {
        this(waits, metrics, false);
    }

    /** @param draining whether shutdown had begun when the connection was accepted */
    ExchangeHandler(ClientWaits waits, Metrics metrics, boolean draining) {
        this.waits = waits;
        this.metrics = metrics;
        this.draining = draining;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        waits.awaitNextRequest(ctx);
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        // Only handlers further in ask for reads during an exchange, and only for its body.
        if (exchange != null && !requestDone) {
            waits.bodyRequested(ctx);
        }
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering != null) {
            // The client was told Connection: close; whatever else it sends goes unanswered.
            ReferenceCountUtil.release(msg);
            ctx.read();
            return;
        }
        // A failed request head is the gate's to answer; a failed body part is handled here.
        if (msg instanceof HttpContent content && !(msg instanceof HttpRequest) && content.decoderResult().isFailure()) {
            badBody(ctx, content);
            return;
        }
        if (msg instanceof HttpRequest request) {
            waits.requestArrived();
            exchange = new Exchange(request, System.nanoTime());
            slot.set(exchange);
            requestDone = false;
            keepAlive = exchange.keepAliveRequested();
        }
        if (msg instanceof HttpContent content) {
            waits.bodyArrived();
            if (exchange != null) {
                exchange.addBodyBytesIn(content.content().readableBytes());
            }
        }
        // Set before passing on: the handler that answers may complete the response in this call.
        if (msg instanceof LastHttpContent) {
            requestDone = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        slot = Exchange.slot(ctx.channel());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        Exchange current = exchange;
        if (current == null || isInformational(msg)) {
            // A "100 Continue" is a whole message of its own but ends nothing.
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse response) {
            current.status(response.status().code());
            prepareConnectionHeaders(response, current);
        }
        if (msg instanceof HttpContent content) {
            current.addBodyBytesOut(content.content().readableBytes());
        } else if (msg instanceof FileRegion region) {
            current.addBodyBytesOut(region.count());
        }
        if (msg instanceof LastHttpContent) {
            ctx.write(msg, promise);
            promise.addListener((ChannelFutureListener) f -> finish(ctx, current, f.isSuccess()));
            return;
        }
        ctx.write(msg, promise);
    }

    /**
     * Keep-alive only when the client asked for it, the responder did not refuse it, and the body
     * is self-delimiting for this client: an HTTP/1.0 client cannot read chunked framing, so such
     * a body is sent raw and ends with the connection.
     */
    private void prepareConnectionHeaders(HttpResponse response, Exchange current) {
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        if (current.version() == HttpVersion.HTTP_1_0 && chunked) {
            response.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
            keepAlive = false;
        }
        boolean framed = chunked || HttpUtil.isContentLengthSet(response) || !hasBody(response, current);
        if (!framed || draining || !HttpUtil.isKeepAlive(response)) {
            keepAlive = false;
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        response.headers().remove(HttpHeaderNames.CONNECTION);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
        } else if (current.version() == HttpVersion.HTTP_1_0) {
            response.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
        }
    }

    private static boolean isInformational(Object msg) {
        return msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }

    private static boolean hasBody(HttpResponse response, Exchange current) {
        int code = response.status().code();
        return !"HEAD".equals(current.method().name()) && code != 204 && code != 304;
    }

    private void finish(ChannelHandlerContext ctx, Exchange finished, boolean written) {
        if (exchange != finished) {
            return;
        }
        report(ctx, finished, written);
        exchange = null;
        slot.set(null);
        if (written && keepAlive && requestDone && !draining) {
            // Before the read: it may hand over a request that is already waiting, at once.
            waits.awaitNextRequest(ctx);
            ctx.read();
        } else if (written && draining) {
            closeOnceRead(ctx);
        } else {
            // Either the client or the responder wants the connection gone, or the request body
            // was not consumed and cannot be skipped reliably.
            ctx.close();
        }
    }

    /**
     * Ends a connection while mapgate shuts down without cutting off the response just written.
     * "Written" means handed to the kernel: much of a large response may still sit in the socket's
     * send buffer. mapgate's exit would leave the kernel to deliver it, but in a container the
     * network namespace goes with the process and the rest is lost, with no reset to tell the
     * client, which then waits for the tail forever. So only our side is closed (after TLS's
     * close_notify), and the connection stays in the server's group, which the shutdown waits on,
     * until the client has read everything and closed its side; {@link #LINGER} at most.
     */
    private void closeOnceRead(ChannelHandlerContext ctx) {
        if (!(ctx.channel() instanceof DuplexChannel duplex)) {
            ctx.close();
            return;
        }
        lingering = ctx.executor().schedule(() -> {
            ctx.close();
        }, LINGER.toNanos(), TimeUnit.NANOSECONDS);
        SslHandler tls = ctx.pipeline().get(SslHandler.class);
        if (tls != null) {
            tls.closeOutbound().addListener(f -> duplex.shutdownOutput());
        } else {
            duplex.shutdownOutput();
        }
        // The client's close arrives as a read.
        ctx.read();
    }

    /**
     * The body's framing broke (e.g. a bad chunk size) after the request was passed on. The body
     * must not look complete to the origin, so the connection is closed; a client still waiting
     * for its response is told why first.
     */
    private void badBody(ChannelHandlerContext ctx, HttpContent content) {
        // The class only: the decoder's message may quote what the client sent.
        LOG.debug("event=bad-body peer={} cause={}", ctx.channel().remoteAddress(),
                content.decoderResult().cause().getClass().getSimpleName());
        content.release();
        // Before answering: the responder drops the origin's side at once, so nothing more reaches
        // the origin, and no answer of the origin's can follow ours even if ours is slow to leave.
        ctx.fireUserEventTriggered(ConnectionEvent.REQUEST_BODY_BROKEN);
        Exchange current = exchange;
        if (current != null && current.status() == 0) {
            FullHttpResponse response = Responses.plain(ctx.alloc(), HttpResponseStatus.BAD_REQUEST,
                    HttpMethod.HEAD.equals(current.method()));
            response.headers().set(HttpHeaderNames.CONNECTION, "close");
            // Through the whole pipeline, so that it is logged and framed like any response.
            ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        waits.stop();
        if (lingering != null) {
            lingering.cancel(false);
        }
        Exchange current = exchange;
        if (current != null) {
            exchange = null;
            slot.set(null);
            report(ctx, current, false);
        }
        ctx.fireChannelInactive();
    }

    /** The access log line and the request meters, once per exchange. */
    private void report(ChannelHandlerContext ctx, Exchange finished, boolean completed) {
        AccessLog.log(ctx.channel(), finished, completed);
        Decision decision = finished.decision();
        if (decision == null) {
            // Refused before the gate could route it (a malformed request), or abandoned by the client.
            metrics.request(Metrics.NONE, "denied", finished.status() >= 400 ? "bad-request" : "aborted", Metrics.NONE);
        } else {
            metrics.request(decision.route().label(), decision.allowed() ? "allowed" : "denied",
                    decision.reason() == null ? Metrics.NONE : decision.reason().label(),
                    decision.credentialName() == null ? Metrics.NONE : decision.credentialName(),
                    decision.site() == null ? Metrics.NONE : decision.site());
        }
        metrics.bytesIn(finished.bodyBytesIn());
        metrics.bytesOut(finished.bodyBytesOut());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ConnectionEvent.REQUEST_STARTED) {
            waits.requestStarted(ctx);
            return;
        }
        if (evt instanceof IdleStateEvent) {
            // Between exchanges the keep-alive and header timeouts decide, not the idle timeout.
            if (exchange != null) {
                ctx.close();
            }
            return;
        }
        if (evt == ConnectionEvent.LAST_RESPONSE) {
            draining = true;
            return;
        }
        if (evt == ConnectionEvent.DRAIN) {
            draining = true;
            // A connection still handing its last response to a slow client is not idle.
            if (exchange == null && lingering == null) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }
}
