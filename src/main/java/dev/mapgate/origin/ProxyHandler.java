package dev.mapgate.origin;

import dev.mapgate.exchange.AdmittedRequest;
import dev.mapgate.exchange.ConnectionEvent;
import dev.mapgate.exchange.Responses;
import dev.mapgate.exchange.Verdict;
import dev.mapgate.gate.Authority;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.wire.MalformedResponseException;
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
 * Forwards an admitted request to the origin and streams the response back, one exchange at a
 * time per client connection.
 *
 * <p>Nothing is buffered: the request body is pulled from the client only after the previous
 * piece reached the origin, and the origin is read only while the client can take more. Both
 * channels run on the same event loop (see {@link OriginPool}), so this state needs no locks.
 *
 * <p>An exchange is two halves that overlap (an origin may answer before the body is all sent),
 * each with its own state: {@link Upstream} for the request on its way to the origin and
 * {@link Downstream} for the answer on its way back. {@link #start} sets both; nothing else
 * outlives an exchange but the response timer.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyHandler.class);

    /** How far the request has gone towards the origin. */
    enum Upstream {
        /** No request yet, or its exchange is over. */
        IDLE,
        /** The head waits for an origin connection; the client is not read meanwhile. */
        CONNECTING,
        /** The head went out; the body follows a part at a time, each read once the one before was written. */
        SENDING,
        /** All of the request went out. */
        SENT,
        /** All of it went out on a reused connection that closed unanswered: it waits for a new one, to go out again. */
        RECONNECTING,
        /** It will not reach the origin (mapgate answers instead, or it was abandoned); the rest of the body is read and dropped. */
        DROPPING,
        /** As {@link #DROPPING}, and its end has been read: nothing more of it will come. */
        DROPPED
    }

    /** How far the origin's answer has gone towards the client. */
    enum Downstream {
        /** No exchange, or its answer is complete. */
        IDLE,
        /** The answer's head is awaited; once the request is sent, within the response timeout. */
        AWAITING,
        /** A 1xx head arrived: it and the empty end the codec emits after it are dropped. */
        INTERIM,
        /** The head went to the client; the body follows as fast as the client takes it. */
        STREAMING,
        /** Nothing more of the origin's goes to the client: mapgate answered in its place, or the answer was cut off. */
        ABANDONED
    }

    /** Whether the request may go out once more, on a new connection, if its connection closes unanswered. */
    private enum Retry { NO, ALLOWED, USED }

    private final OriginConnector origins;
    private final boolean tlsListener;
    private final boolean forwardHost;
    private final Metrics metrics;
    private ChannelHandlerContext ctx;

    private Upstream upstream = Upstream.IDLE;
    private Downstream downstream = Downstream.IDLE;
    private Retry retry = Retry.NO;
    /** The request of the exchange in progress, or of the last one; {@code null} before the first. */
    private AdmittedRequest request;
    /** The connection in use; {@code null} while connecting and once it is let go. */
    private Channel origin;
    /**
     * The request has content. Its origin connection is closed after the response, never pooled:
     * an origin that left some of that content unread would take the rest for the next request,
     * whoever sends it.
     */
    private boolean requestHasContent;
    private boolean originKeepAlive;
    /** How long the origin connection may idle in the pool after this exchange. */
    private long originIdleNanos;
    /** When the request's end went to the origin; the origin's response time counts from here. */
    private long requestSentNanos;
    private Throwable originError;
    /** mapgate's answer, held until the request's end has been read so that the connection can be kept. */
    private FullHttpResponse pendingError;

    /** A read of the client is asked for and has not delivered yet. */
    private boolean clientReadPending;
    /** The origin has more, and is read again once the client can take it. */
    private boolean readOriginWhenWritable;
    /**
     * Checks {@link #responseDeadline}. It is left scheduled when a response arrives in time and
     * re-armed for what is left when it fires early, so that a busy connection schedules about
     * one timer per response timeout rather than one per request.
     */
    private ScheduledFuture<?> responseTimer;
    /** When the origin's response head is due, by the event loop's ticker; 0 while none is awaited. */
    private long responseDeadline;

    /** @param tlsListener whether clients reach mapgate over TLS (for X-Forwarded-Proto) */
    public ProxyHandler(OriginConnector origins, boolean tlsListener, Metrics metrics) {
        this(origins, tlsListener, false, metrics);
    }

    /**
     * @param tlsListener whether clients reach mapgate over TLS (for X-Forwarded-Proto)
     * @param forwardHost whether the origin gets the client's Host rather than its own ({@code origin.forward-host})
     */
    public ProxyHandler(OriginConnector origins, boolean tlsListener, boolean forwardHost, Metrics metrics) {
        this.origins = origins;
        this.tlsListener = tlsListener;
        this.forwardHost = forwardHost;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        clientReadPending = false;
        if (msg instanceof AdmittedRequest admitted) {
            start(admitted);
        } else if (msg instanceof HttpRequest unjudged) {
            // Only the gate makes an AdmittedRequest: this one was never judged, so it must not
            // reach the origin, whatever it asks for.
            ReferenceCountUtil.release(unjudged);
            LOG.error("event=unjudged-request path={}", withoutQuery(unjudged.uri()));
            ctx.close();
        } else if (msg instanceof HttpContent content) {
            onRequestContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(AdmittedRequest admitted) {
        if (inFlight()) {
            // A request before this exchange ended: its bytes and the origin's answers could only
            // be mixed up with this one's. No handler in front lets that happen; if one ever did,
            // the connection ends here rather than a response reaching the wrong request.
            LOG.error("event=request-mid-exchange upstream={} downstream={}", upstream, downstream);
            ctx.close();
            return;
        }
        request = admitted;
        upstream = Upstream.CONNECTING;
        downstream = Downstream.AWAITING;
        retry = Retry.NO;
        originError = null;
        requestHasContent = HttpUtil.isTransferEncodingChunked(admitted) || HttpUtil.getContentLength(admitted, 0L) > 0;
        prepareForOrigin(admitted);
        origins.acquire(ctx.channel().eventLoop()).addListener(this::connected);
    }

    private void prepareForOrigin(AdmittedRequest r) {
        HttpHeaders h = r.headers();
        String clientHost = h.get(HttpHeaderNames.HOST);
        HopByHop.strip(h);
        // These override the path at some origins; the origin must serve the path the gate checked.
        h.remove(ForwardedHeaders.X_ORIGINAL_URL).remove(ForwardedHeaders.X_REWRITE_URL);
        // The Host the gate chose the request's site by, for an origin that picks its files by it.
        h.set(HttpHeaderNames.HOST, forwardHost && clientHost != null ? normalisedHost(clientHost) : origins.authority());
        Verdict verdict = r.verdict();
        // The configured client-ip header is not passed on: the one named by the config this request was judged by.
        ForwardedHeaders.rewrite(h, verdict.client(), verdict.rules().clientIp().header(), tlsListener);
        if (clientHost != null) {
            // As the sites read it (lower case, no trailing dot): an origin that tells hosts apart
            // by this header must serve the host whose site judged the request, not a spelling of
            // it that its own rules might send elsewhere.
            h.set(ForwardedHeaders.X_FORWARDED_HOST, normalisedHost(clientHost));
        } else {
            h.remove(ForwardedHeaders.X_FORWARDED_HOST);
        }
        // The canonical path the gate classified, never the raw target: the origin must resolve
        // exactly what was checked.
        r.setUri(origins.basePath() + verdict.target().originForm());
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        if (requestHasContent) {
            // The origin learns the connection ends with this exchange, so it need not keep it for
            // anyone; mapgate closes it in any case (see giveBack).
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
    }

    /** The Host as {@link Authority} reads it; as received when it cannot be read (no site judged by it). */
    private static String normalisedHost(String host) {
        try {
            return Authority.parse(host).toString();
        } catch (IllegalArgumentException e) {
            return host;
        }
    }

    /** Whether the exchange still has a connection, or is about to, or may still send to the origin. */
    private boolean inFlight() {
        return origin != null || upstream == Upstream.CONNECTING || upstream == Upstream.SENDING
                || upstream == Upstream.RECONNECTING;
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
        if (!ctx.channel().isActive() || (upstream != Upstream.CONNECTING && upstream != Upstream.RECONNECTING)) {
            // The exchange was answered or abandoned meanwhile; the connection was never used.
            park(ch, origins.settings().poolIdleTimeout().toNanos());
            return;
        }
        origin = ch;
        ch.pipeline().get(OriginResponseHandler.class).bind(this);
        if (retry != Retry.USED) {
            retry = RetryRule.mayRetry(request.method().name(), requestHasContent, origins.isReused(ch), false)
                    ? Retry.ALLOWED : Retry.NO;
        }
        // A void promise: a failed write reaches OriginResponseHandler.exceptionCaught, which
        // closes the connection, and the close ends the exchange with a 502 (or a retry).
        ch.write(request, ch.voidPromise());
        ch.read();
        if (upstream == Upstream.RECONNECTING) {
            // The end went out with the first attempt and is not read from the client again.
            ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
            sent();
            return;
        }
        upstream = Upstream.SENDING;
        readClient();
        if (upstream == Upstream.SENDING) {
            // A request without a body has usually ended already, and its end went out with the
            // head in one flush; otherwise the head must not wait for the body.
            ch.flush();
        }
    }

    private void onRequestContent(HttpContent content) {
        switch (upstream) {
            case CONNECTING -> {
                // Nothing reads the client while connecting, and every handler in front hands on
                // a message per read: a part now was sent by no one's asking. Fail closed.
                ReferenceCountUtil.release(content);
                LOG.error("event=request-content-unasked state=connecting");
                ctx.close();
            }
            case SENDING -> relay(origin, content);
            case DROPPING -> {
                ReferenceCountUtil.release(content);
                if (content instanceof LastHttpContent) {
                    upstream = Upstream.DROPPED;
                    sendPendingError();
                } else {
                    readClient();
                }
            }
            default -> {
                // Nothing of this request is wanted any more (DROPPED), or there is no request.
                ReferenceCountUtil.release(content);
                LOG.debug("event=stray-request-content state={}", upstream);
            }
        }
    }

    /** Writes a part of the body to the origin; the next is read from the client once this one is written. */
    private void relay(Channel ch, HttpContent content) {
        if (content instanceof LastHttpContent) {
            ch.writeAndFlush(content, ch.voidPromise());
            sent();
            return;
        }
        ch.writeAndFlush(content).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                f.channel().close();
            } else if (ch == origin && upstream == Upstream.SENDING) {
                readClient();
            }
        });
    }

    private void sent() {
        upstream = Upstream.SENT;
        requestSentNanos = System.nanoTime();
        if (downstream == Downstream.AWAITING || downstream == Downstream.INTERIM) {
            awaitResponse();
        }
    }

    void onOriginMessage(Channel from, HttpObject msg) {
        if (from != origin) {
            // A connection this exchange no longer uses (it unbinds from those it lets go).
            ReferenceCountUtil.release(msg);
            from.close();
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                originBroken(response.decoderResult().cause());
                return;
            }
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                // Expect was answered by us and Upgrade is never forwarded, so a 1xx is dropped
                // together with the empty end the codec emits for it.
                downstream = Downstream.INTERIM;
                ReferenceCountUtil.release(msg);
                return;
            }
            responseDeadline = 0;
            if (upstream == Upstream.SENT) {
                metrics.originResponseTime(System.nanoTime() - requestSentNanos);
            }
            downstream = Downstream.STREAMING;
            originKeepAlive = HttpUtil.isKeepAlive(response);
            // Read before the hop-by-hop headers go: the origin's idle timeout is for mapgate, not the client.
            originIdleNanos = KeepAliveHint.idleAllowanceNanos(response.headers().contains(HttpHeaderNames.KEEP_ALIVE)
                    ? KeepAliveHint.timeoutSeconds(response.headers().getAll(HttpHeaderNames.KEEP_ALIVE))
                    : KeepAliveHint.NONE, origins.settings().poolIdleTimeout());
            HopByHop.strip(response.headers());
            response.setProtocolVersion(HttpVersion.HTTP_1_1);
            if (!(msg instanceof HttpContent)) {
                ctx.write(msg);
                return;
            }
        }
        if (!(msg instanceof HttpContent content)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (downstream == Downstream.INTERIM) {
            if (content instanceof LastHttpContent) {
                downstream = Downstream.AWAITING;
            }
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            originBroken(content.decoderResult().cause());
            return;
        }
        if (!(content instanceof LastHttpContent)) {
            ctx.write(content);
            return;
        }
        Channel ch = origin;
        // Decided before the write: writing the end may complete the exchange at once and hand
        // this handler the next pipelined request, whose start() sets the states anew.
        boolean reusable = originKeepAlive && upstream == Upstream.SENT && !requestHasContent;
        long idleNanos = originIdleNanos;
        detach();
        // An answer that came before the whole body: the rest is read and dropped.
        upstream = upstream == Upstream.SENDING ? Upstream.DROPPING : Upstream.IDLE;
        downstream = Downstream.IDLE;
        ctx.writeAndFlush(content);
        giveBack(ch, reusable, idleNanos);
    }

    /** Reads on from the origin only while the client keeps up: this is the backpressure. */
    void onOriginReadComplete(Channel from) {
        ctx.flush();
        if (origin == null || from != origin) {
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
        if (downstream != Downstream.STREAMING) {
            fail(HttpResponseStatus.BAD_GATEWAY, tls ? "tls-handshake" : "origin-closed-before-response");
        } else {
            // The response is cut short. Closing is the only honest signal left: the client sees
            // fewer bytes than Content-Length, or a chunked body without its last chunk.
            downstream = Downstream.ABANDONED;
            upstream = Upstream.DROPPED;
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
        // An end still to come from the client (not SENT) would arrive while no connection is
        // bound, and be lost; the rule refuses that case.
        boolean anyAnswer = downstream != Downstream.AWAITING || origins.responseBytesArrived(closed);
        if (!RetryRule.retryNow(retry == Retry.ALLOWED, upstream == Upstream.SENT, anyAnswer)) {
            return false;
        }
        retry = Retry.USED;
        originError = null;
        detach();
        upstream = Upstream.RECONNECTING;
        metrics.originRetry();
        LOG.debug("event=origin-retry reason=closed-before-response");
        origins.acquireNew(ctx.channel().eventLoop()).addListener(this::connected);
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
        if (downstream != Downstream.STREAMING) {
            fail(HttpResponseStatus.BAD_GATEWAY, "invalid-response");
        } else {
            // The client sees a cut response rather than mapgate's answer; the origin is as much at fault.
            downstream = Downstream.ABANDONED;
            upstream = Upstream.DROPPED;
            warn("cut", "invalid-response-body");
            ctx.close();
        }
    }

    private void awaitResponse() {
        long timeout = origins.settings().responseTimeout().toNanos();
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
     * Answers the client without the origin's response. If the request's end has not been read
     * yet and no body follows, it is read first so the connection can be kept; a request with a
     * body is answered at once and the connection closed.
     */
    private void fail(HttpResponseStatus status, String reason) {
        if (downstream == Downstream.ABANDONED || downstream == Downstream.IDLE || !ctx.channel().isActive()) {
            return;
        }
        boolean ended = upstream == Upstream.SENT || upstream == Upstream.RECONNECTING
                || upstream == Upstream.DROPPED;
        downstream = Downstream.ABANDONED;
        upstream = ended ? Upstream.DROPPED : Upstream.DROPPING;
        warn(Integer.toString(status.code()), reason);
        FullHttpResponse error = Responses.plain(ctx.alloc(), status, HttpMethod.HEAD.equals(request.method()));
        if (status == HttpResponseStatus.SERVICE_UNAVAILABLE) {
            // The wait is over within a second or so once the origin answers the requests ahead.
            error.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
        }
        if (ended) {
            ctx.writeAndFlush(error);
        } else if (requestHasContent) {
            error.headers().set(HttpHeaderNames.CONNECTION, "close");
            ctx.writeAndFlush(error);
        } else {
            pendingError = error;
            readClient();
        }
    }

    private void sendPendingError() {
        FullHttpResponse error = pendingError;
        if (error != null) {
            pendingError = null;
            ctx.writeAndFlush(error);
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
        long folded = origins.warnings().admit(reason);
        if (folded < 0) {
            return;
        }
        // A decoder's message can quote the origin's headers, but not one of ResponseHead's.
        String cause = originError == null ? "-"
                : reason.startsWith("invalid-response") && !(originError instanceof MalformedResponseException)
                        || originError.getMessage() == null
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
        origins.release(ch, idleNanos);
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
        if (upstream == Upstream.IDLE) {
            return;
        }
        downstream = Downstream.ABANDONED;
        upstream = Upstream.DROPPED;
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
        if (ch == null || downstream != Downstream.STREAMING) {
            return;
        }
        downstream = Downstream.ABANDONED;
        if (upstream == Upstream.SENDING) {
            upstream = Upstream.DROPPING;
        }
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
        upstream = Upstream.IDLE;
        downstream = Downstream.IDLE;
        ctx.fireChannelInactive();
    }
}
