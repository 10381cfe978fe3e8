package dev.mapgate.origin;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.server.ConnectionEvent;
import dev.mapgate.server.Exchange;
import dev.mapgate.server.Responses;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards an allowed request to the origin and streams the response back, one exchange at a
 * time per client connection.
 *
 * <p>Nothing is buffered: the request body is pulled from the client only after the previous
 * piece reached the origin, and the origin is read only while the client can take more. Both
 * channels run on the same event loop (see {@link OriginPool}), so this state needs no locks.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);

    private final OriginPool pool;
    private final boolean tlsListener;
    private final Metrics metrics;
    private ChannelHandlerContext ctx;
    /** When the request's end went to the origin; the origin's response time counts from here. */
    private long requestSentNanos;

    private HttpRequest request;
    private Channel origin;
    /**
     * Checks {@link #responseDeadline}. It is left scheduled when a response arrives in time and
     * re-armed for what is left when it fires early, so that a busy connection schedules about
     * one timer per response timeout rather than one per request.
     */
    private ScheduledFuture<?> responseTimer;
    /** When the origin's response head is due, by the event loop's ticker; 0 while none is awaited. */
    private long responseDeadline;
    private Throwable originError;
    private FullHttpResponse pendingError;
    private boolean clientReadPending;
    private boolean requestEnded;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean failed;
    private boolean skippingInformational;
    private boolean originKeepAlive;
    /**
     * The request has content. Its origin connection is closed after the response, never pooled:
     * an origin that left some of that content unread would take the rest for the next request,
     * whoever sends it.
     */
    private boolean requestHasContent;
    private boolean readOriginWhenWritable;
    /**
     * The request may go out once more, on a new connection, if this one closes before answering:
     * it went out on a reused connection, is a GET or HEAD without content, and was not retried yet.
     */
    private boolean mayRetry;
    private boolean retried;
    /** How long the origin connection may idle in the pool after this exchange. */
    private long originIdleNanos;

    /** @param tlsListener whether clients reach mapgate over TLS (for X-Forwarded-Proto) */
    public ProxyHandler(OriginPool pool, boolean tlsListener, Metrics metrics) {
        this.pool = pool;
        this.tlsListener = tlsListener;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        clientReadPending = false;
        if (msg instanceof HttpRequest httpRequest) {
            start(httpRequest);
        } else if (msg instanceof HttpContent content) {
            onRequestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(HttpRequest httpRequest) {
        request = httpRequest;
        originError = null;
        requestEnded = requestSent = responseStarted = failed = skippingInformational = false;
        mayRetry = retried = false;
        requestHasContent = HttpUtil.isTransferEncodingChunked(httpRequest) || HttpUtil.getContentLength(httpRequest, 0L) > 0;
        prepareForOrigin(httpRequest);
        pool.acquire(ctx.channel().eventLoop()).addListener(this::connected);
    }

    private void prepareForOrigin(HttpRequest r) {
        HttpHeaders h = r.headers();
        String clientHost = h.get(HttpHeaderNames.HOST);
        HopByHop.strip(h);
        // These override the path at some origins; the origin must serve the path the gate checked.
        h.remove(ForwardedHeaders.X_ORIGINAL_URL).remove(ForwardedHeaders.X_REWRITE_URL);
        h.set(HttpHeaderNames.HOST, pool.authority());
        Exchange exchange = Exchange.current(ctx.channel());
        // The configured client-ip header is not passed on: the one named by the config this request was judged by.
        ForwardedHeaders.rewrite(h, exchange.client(), exchange.rules().clientIp().header(), tlsListener);
        if (clientHost != null) {
            h.set(ForwardedHeaders.X_FORWARDED_HOST, clientHost);
        } else {
            h.remove(ForwardedHeaders.X_FORWARDED_HOST);
        }
        // The canonical path the gate classified, never the raw target: the origin must resolve
        // exactly what was checked.
        r.setUri(pool.basePath() + Exchange.current(ctx.channel()).target().originForm());
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (requestHasContent) {
            // The origin learns the connection ends with this exchange, so it need not keep it for
            // anyone; mapgate closes it in any case (see giveBack).
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
    }

    private void connected(Future<? super Channel> future) {
        if (!future.isSuccess()) {
            originError = future.cause();
            if (future.cause() instanceof TimeoutException) {
                // Waited connect-timeout for one of this loop's origin connections to come free.
                metrics.originError("pool-full");
                fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "pool-full");
                return;
            }
            metrics.originError("connect");
            if (future.cause() instanceof ConnectTimeoutException) {
                fail(HttpResponseStatus.GATEWAY_TIMEOUT, "connect-timeout");
            } else {
                fail(HttpResponseStatus.BAD_GATEWAY, connectFailure(future.cause()));
            }
            return;
        }
        Channel ch = (Channel) future.getNow();
        if (!ctx.channel().isActive() || request == null) {
            park(ch, pool.settings().poolIdleTimeout().toNanos());
            return;
        }
        origin = ch;
        OriginPool.lend(ch);
        ch.pipeline().get(OriginResponseHandler.class).bind(this);
        // A FullHttpRequest's content went out with the first write, so it could not be sent again.
        mayRetry = !(request instanceof HttpContent)
                && RetryRule.mayRetry(request.method().name(), requestHasContent, OriginPool.isReused(ch), retried);
        // A void promise: a failed write reaches OriginResponseHandler.exceptionCaught, which
        // closes the connection, and the close ends the exchange with a 502 (or a retry).
        ch.write(request, ch.voidPromise());
        ch.read();
        if (requestSent) {
            // A retry: the end went out with the first attempt and is not read from the client again.
            ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
            requestSentNanos = System.nanoTime();
            awaitResponse();
            return;
        }
        readClient();
        if (!requestSent) {
            // A request without a body has usually ended already, and readClient() wrote its end
            // with the head in one flush; otherwise the head must not wait for the body.
            ch.flush();
        }
    }

    private void onRequestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        requestEnded |= last;
        Channel ch = origin;
        if (ch == null || failed) {
            ReferenceCountUtil.release(content);
            if (!last) {
                readClient();
            } else if (pendingError != null) {
                FullHttpResponse error = pendingError;
                pendingError = null;
                ctx.writeAndFlush(error);
            }
            return;
        }
        if (last) {
            ch.writeAndFlush(content, ch.voidPromise());
        } else {
            ch.writeAndFlush(content).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    f.channel().close();
                } else if (ch == origin) {
                    readClient();
                }
            });
        }
        if (last) {
            requestSent = true;
            requestSentNanos = System.nanoTime();
            if (!responseStarted) {
                awaitResponse();
            }
        }
    }

    void onOriginMessage(HttpObject msg) {
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                originBroken(response.decoderResult().cause());
                return;
            }
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // Expect was answered by us and Upgrade is never forwarded, so a 1xx is dropped
                // together with the empty end the codec emits for it.
                skippingInformational = true;
                ReferenceCountUtil.release(msg);
                return;
            }
            responseDeadline = 0;
            if (requestSent && !responseStarted) {
                metrics.originResponseTime(System.nanoTime() - requestSentNanos);
            }
            responseStarted = true;
            originKeepAlive = HttpUtil.isKeepAlive(response);
            // Read before the hop-by-hop headers go: the origin's idle timeout is for mapgate, not the client.
            originIdleNanos = KeepAliveHint.idleAllowanceNanos(response.headers().contains(HttpHeaderNames.KEEP_ALIVE)
                    ? KeepAliveHint.timeoutSeconds(response.headers().getAll(HttpHeaderNames.KEEP_ALIVE))
                    : KeepAliveHint.NONE, pool.settings().poolIdleTimeout());
            HopByHop.strip(response.headers());
            response.setProtocolVersion(HttpVersion.HTTP_1_1);
            if (!(msg instanceof HttpContent)) {
                ctx.write(msg);
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            if (skippingInformational) {
                skippingInformational = !(content instanceof LastHttpContent);
                content.release();
                return;
            }
            if (content.decoderResult().isFailure()) {
                content.release();
                originBroken(content.decoderResult().cause());
                return;
            }
            if (content instanceof LastHttpContent) {
                Channel ch = origin;
                // Decided before the write: writing the end may complete the exchange at once and
                // hand this handler the next pipelined request, whose start() resets these fields.
                boolean reusable = originKeepAlive && requestSent && !requestHasContent;
                long idleNanos = originIdleNanos;
                detach();
                ctx.writeAndFlush(content);
                giveBack(ch, reusable, idleNanos);
            } else {
                ctx.write(content);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Reads on from the origin only while the client keeps up: this is the backpressure. */
    void onOriginReadComplete() {
        ctx.flush();
        if (origin == null) {
            return;
        }
        if (ctx.channel().isWritable()) {
            origin.read();
        } else {
            readOriginWhenWritable = true;
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && readOriginWhenWritable && origin != null) {
            readOriginWhenWritable = false;
            origin.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    void onOriginError(Throwable cause) {
        originError = cause;
    }

    void onOriginClosed(Channel ch) {
        if (ch != origin) {
            return;
        }
        if (retryOnNewConnection(ch)) {
            return;
        }
        detach();
        boolean tls = originError != null && isTls(originError);
        metrics.originError(tls ? "tls" : "reset");
        if (!responseStarted) {
            fail(HttpResponseStatus.BAD_GATEWAY, tls ? "tls-handshake" : "origin-closed-before-response");
        } else {
            // The response is cut short. Closing is the only honest signal left: the client sees
            // fewer bytes than Content-Length, or a chunked body without its last chunk.
            LOG.debug("event=origin-closed-mid-response client={}", ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    /**
     * A reused connection that closes, or resets, before a single byte of the answer is the race
     * every keep-alive client meets: the origin timed the idle connection out just as the request
     * went out. The origin cannot have acted on the request, so it goes out once more, on a new
     * connection rather than another idle one, which is likely just as stale.
     */
    private boolean retryOnNewConnection(Channel closed) {
        // The state checks besides the rule: a response under way, an exchange already answered
        // or abandoned. An end still to come from the client (requestSent false) would arrive
        // while no connection is bound, and be lost; the rule refuses that case.
        if (failed || request == null || !RetryRule.retryNow(mayRetry, requestSent,
                responseStarted || skippingInformational || OriginPool.responseBytesArrived(closed))) {
            return false;
        }
        mayRetry = false;
        retried = true;
        originError = null;
        detach();
        metrics.originRetry();
        LOG.debug("event=origin-retry reason=closed-before-response");
        pool.acquireNew(ctx.channel().eventLoop()).addListener(this::connected);
        return true;
    }

    private void originBroken(Throwable cause) {
        Channel ch = origin;
        detach();
        if (ch != null) {
            ch.close();
        }
        originError = cause;
        metrics.originError("protocol");
        if (!responseStarted) {
            fail(HttpResponseStatus.BAD_GATEWAY, "invalid-response");
        } else {
            // The client sees a cut response rather than mapgate's answer; the origin is as much at fault.
            warn("cut", "invalid-response-body");
            ctx.close();
        }
    }

    private void awaitResponse() {
        long timeout = pool.settings().responseTimeout().toNanos();
        responseDeadline = ctx.executor().ticker().nanoTime() + timeout;
        if (responseTimer == null) {
            // A timer still pending fires no later than this deadline: every deadline before it
            // was set with the same timeout, earlier.
            scheduleResponseCheck(timeout);
        }
    }

    private void scheduleResponseCheck(long nanos) {
        responseTimer = ctx.executor().schedule(this::checkResponseDeadline, nanos, TimeUnit.NANOSECONDS);
    }

    private void checkResponseDeadline() {
        responseTimer = null;
        if (responseDeadline == 0 || !ctx.channel().isActive()) {
            return;
        }
        long left = responseDeadline - ctx.executor().ticker().nanoTime();
        if (left > 0) {
            scheduleResponseCheck(left);
            return;
        }
        // A deadline is only ever set for the connection in use, and cleared when it is let go.
        Channel ch = origin;
        detach();
        ch.close();
        metrics.originError("timeout");
        fail(HttpResponseStatus.GATEWAY_TIMEOUT, "response-timeout");
    }

    /**
     * Answers the client without the origin's response. If the request's end has not been pulled
     * yet and no body follows, pull it first so the connection can be kept; a request with a
     * body is answered at once and the connection closed.
     */
    private void fail(HttpResponseStatus status, String reason) {
        if (failed || !ctx.channel().isActive()) {
            return;
        }
        failed = true;
        warn(Integer.toString(status.code()), reason);
        FullHttpResponse error = Responses.plain(ctx.alloc(), status, HttpMethod.HEAD.equals(request.method()));
        if (status == HttpResponseStatus.SERVICE_UNAVAILABLE) {
            // The wait is over within a second or so once the origin answers the requests ahead.
            error.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
        }
        if (requestEnded) {
            ctx.writeAndFlush(error);
        } else if (requestHasContent) {
            error.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(error);
        } else {
            pendingError = error;
            readClient();
        }
    }

    /**
     * Says why mapgate answered in the origin's place, in words an operator can act on, at most
     * once a second per reason (a dead origin fails every request at once); {@code folded} counts
     * the answers for the same reason that were not logged since. The path goes without its query,
     * where clients put tokens; a decoding error is named by its class only, since its message can
     * quote what the origin sent, headers included.
     */
    private void warn(String status, String reason) {
        long folded = pool.warnings().admit(reason);
        if (folded < 0) {
            return;
        }
        String cause = originError == null ? "-"
                : reason.startsWith("invalid-response") || originError.getMessage() == null
                ? originError.getClass().getSimpleName()
                : originError.getClass().getSimpleName() + ": " + originError.getMessage();
        LOG.warn("event=origin-failure status={} reason={} folded={} path={} cause=\"{}\"", status, reason, folded,
                withoutQuery(request.uri()), cause);
    }

    /** Why a connection could not be opened; a TLS handshake counts as part of opening it. */
    private static String connectFailure(Throwable cause) {
        if (isTls(cause)) {
            return "tls-handshake";
        }
        return cause instanceof ConnectException ? "connect-refused" : "connect-failed";
    }

    /** Logs leave the query out: clients that cannot set a header put their token there. */
    private static String withoutQuery(String uri) {
        int question = uri.indexOf('?');
        return question < 0 ? uri : uri.substring(0, question);
    }

    private static boolean isTls(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    private void readClient() {
        if (!clientReadPending) {
            clientReadPending = true;
            ctx.read();
        }
    }

    private void detach() {
        if (origin != null) {
            origin.pipeline().get(OriginResponseHandler.class).unbind();
            origin = null;
        }
        readOriginWhenWritable = false;
        responseDeadline = 0;
    }

    private void giveBack(Channel ch, boolean reusable, long idleNanos) {
        if (reusable && ch.isActive()) {
            park(ch, idleNanos);
        } else {
            ch.close();
        }
    }

    /**
     * Returns a connection to the pool, to be lent again within {@code idleNanos}, reading so that
     * a close by the origin is noticed while it idles.
     */
    private void park(Channel ch, long idleNanos) {
        ch.read();
        pool.release(ch, idleNanos);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ConnectionEvent.REQUEST_BODY_BROKEN) {
            abandonRequest();
            return;
        }
        if (evt == ConnectionEvent.RESPONSE_REFUSED) {
            abandonResponse();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The client's body broke off, so this request can never be completed. The origin, which has
     * its head and perhaps some chunks, is still waiting for the rest: it is cut off now, before
     * mapgate answers, rather than when the client connection finally closes, and it is never
     * returned to the pool. A connection still being acquired is parked unused when it arrives.
     */
    private void abandonRequest() {
        failed = true;
        request = null;
        Channel ch = origin;
        detach();
        if (ch != null) {
            ch.close();
        }
    }

    /**
     * The content guard found that the response being streamed is a source map. The rest of it is
     * not read: the origin connection, now mid-body, is closed rather than pooled, and the
     * response is ended here with an empty last content, for which the guard sends the denial.
     */
    private void abandonResponse() {
        Channel ch = origin;
        if (ch == null || !responseStarted) {
            return;
        }
        failed = true;
        detach();
        ch.close();
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Channel ch = origin;
        detach();
        if (responseTimer != null) {
            responseTimer.cancel(false);
            responseTimer = null;
        }
        if (ch != null) {
            // Mid-exchange: the connection's state is unknown, so it cannot go back to the pool.
            ch.close();
        }
        ReferenceCountUtil.release(pendingError);
        pendingError = null;
        request = null;
        ctx.fireChannelInactive();
    }
}
