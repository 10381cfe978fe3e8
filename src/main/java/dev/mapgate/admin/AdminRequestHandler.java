package dev.mapgate.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code /metrics}, {@code /healthz} and {@code /readyz} as {@link AdminRoute} decides.
 * One request at a time: a request is answered once its end has arrived, and the next one is
 * read only after that answer is written (see {@link AdminResponses#send}), so answers leave in
 * request order even when {@code /healthz} answers later than a request behind it would.
 */
final class AdminRequestHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(AdminRequestHandler.class);

    private final Probes probes;
    private final PrometheusMeterRegistry registry;
    private final Duration healthTimeout;
    /** The request whose end has not arrived yet. */
    private HttpRequest started;

    /**
     * @param healthTimeout how long {@code /healthz} waits for the probe before it answers 503
     *                      itself, in case the probe never completes
     */
    AdminRequestHandler(Probes probes, PrometheusMeterRegistry registry, Duration healthTimeout) {
        this.probes = probes;
        this.registry = registry;
        this.healthTimeout = healthTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                if (request.decoderResult().isFailure()) {
                    refuseUndecodable(ctx, request);
                    return;
                }
                started = request;
            }
            if (started != null && msg instanceof LastHttpContent) {
                HttpRequest request = started;
                started = null;
                answer(ctx, request);
            } else if (started != null) {
                ctx.read();
            }
        } finally {
            // Only the request's headers are used; nothing here keeps a buffer.
            ReferenceCountUtil.release(msg);
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest request) {
        AdminRoute route = AdminRoute.of(request.method().name(), request.uri());
        if (route.refusal() != null) {
            send(ctx, request, route.refusal(), route.head());
            return;
        }
        switch (route.endpoint()) {
            case METRICS -> send(ctx, request, metrics(request), route.head());
            case READYZ -> send(ctx, request, AdminReply.readiness(probes.ready()), route.head());
            case HEALTHZ -> answerHealth(ctx, request, route.head());
        }
    }

    private AdminReply metrics(HttpRequest request) {
        MetricsFormat format = MetricsFormat.forAccept(
                String.join(",", request.headers().getAll(HttpHeaderNames.ACCEPT)));
        try {
            return AdminReply.metrics(format, registry.scrape(format.contentType()));
        } catch (RuntimeException e) {
            // A meter's own callback (a gauge function) can throw; the scraper should see a 500.
            LOG.warn("event=metrics-scrape-failed cause=\"{}\"", e.toString());
            return AdminReply.SCRAPE_FAILED;
        }
    }

    /**
     * Answers once the probe completes or {@code healthTimeout} passes, whichever is first,
     * without holding up this event loop meanwhile. The answer is written from this channel's
     * event loop whatever thread completes the probe.
     */
    private void answerHealth(ChannelHandlerContext ctx, HttpRequest request, boolean head) {
        CompletableFuture<Boolean> answered = new CompletableFuture<>();
        ScheduledFuture<?> guard = ctx.executor().schedule(() -> answered.complete(false),
                healthTimeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            probes.eventLoopsAnswer().whenComplete((ok, failure) ->
                    answered.complete(failure == null && Boolean.TRUE.equals(ok)));
        } catch (RuntimeException e) {
            answered.complete(false);
        }
        answered.thenAccept(ok -> ctx.executor().execute(() -> {
            guard.cancel(false);
            if (!ok) {
                LOG.warn("event=health-probe-failed detail=\"event loops not answering\"");
            }
            send(ctx, request, AdminReply.health(ok), head);
        }));
    }

    /** The decoder gave up on this request; its connection cannot be trusted for another. */
    private static void refuseUndecodable(ChannelHandlerContext ctx, HttpRequest request) {
        Throwable cause = request.decoderResult().cause();
        LOG.debug("event=admin-bad-request peer={} cause=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        int status = cause instanceof TooLongHttpLineException ? 414
                : cause instanceof TooLongHttpHeaderException ? 431
                : 400;
        // The request's own version is not to be trusted when its line could not be read.
        AdminResponses.send(ctx, HttpVersion.HTTP_1_1, AdminReply.text(status, "request could not be read\n"),
                false, false);
    }

    private static void send(ChannelHandlerContext ctx, HttpRequest request, AdminReply reply, boolean head) {
        AdminResponses.send(ctx, request.protocolVersion(), reply, head, HttpUtil.isKeepAlive(request));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and the like; a scraper gone away is no reason to warn.
        LOG.debug("event=admin-connection-error peer={} cause=\"{}\"", ctx.channel().remoteAddress(),
                cause.toString());
        ctx.close();
    }
}
