package dev.mapgate.limits;

import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timer of one client connection, on either listener. At any moment the connection waits for
 * at most one thing from the client: the first byte of its next request (listen.keep-alive-timeout,
 * admin.idle-timeout), the rest of a request's header section (listen.header-timeout,
 * admin.header-timeout), or more of a request body that mapgate asked for (listen.body-timeout).
 * When that wait runs out the connection is closed.
 *
 * <p>The handler that follows the exchanges on the connection tells it where the exchange stands
 * (the traffic listener's {@code ExchangeHandler}, the admin's {@code AdminWaits}). One timer is
 * scheduled at a time, and a change of wait only records when the new wait began: the timer stays
 * in place as long as it fires no later than the new wait's deadline, and when it fires it checks
 * the wait of that moment and re-arms for whatever is left. A keep-alive connection thus
 * schedules a timer about once per header timeout rather than several per request.
 *
 * <p>Only used on the connection's event loop, so nothing here is synchronised.
 */
public final class ClientWaits {

    private static final Logger LOG = LoggerFactory.getLogger(ClientWaits.class);

    private enum Wait { NONE, NEXT_REQUEST, HEADER, BODY }

    private final long keepAliveNanos;
    private final long headerNanos;
    private final long bodyNanos;

    private Wait wait = Wait.NONE;
    private long waitingSince;
    private ScheduledFuture<?> timer;
    /** When {@link #timer} fires, by the event loop's ticker. */
    private long timerAt;
    /** Requests whose first byte has arrived but whose head has not reached the exchange handler. */
    private int requestsAhead;

    /** @param keepAliveTimeout the wait for the first byte of a request, between requests */
    public ClientWaits(Duration keepAliveTimeout, Duration headerTimeout, Duration bodyTimeout) {
        this.keepAliveNanos = keepAliveTimeout.toNanos();
        this.headerNanos = headerTimeout.toNanos();
        this.bodyNanos = bodyTimeout.toNanos();
    }

    /**
     * mapgate now waits for the next request. If bytes of it came in while the previous response
     * was still being written, only now does its header clock start: a long download must not
     * use up the time of the request pipelined behind it.
     */
    public void awaitNextRequest(ChannelHandlerContext ctx) {
        begin(ctx, requestsAhead > 0 ? Wait.HEADER : Wait.NEXT_REQUEST);
    }

    /**
     * mapgate waits for a request from a client that has no reason to be silent first: a probe or
     * a scraper connects in order to send one. The header clock starts now, not at its first byte.
     */
    public void awaitRequestHeadNow(ChannelHandlerContext ctx) {
        begin(ctx, Wait.HEADER);
    }

    /** The first byte of a request arrived (possibly while an earlier exchange is still going on). */
    public void requestStarted(ChannelHandlerContext ctx) {
        requestsAhead++;
        if (wait == Wait.NEXT_REQUEST) {
            begin(ctx, Wait.HEADER);
        }
    }

    /** A complete request head arrived: no wait until mapgate asks for its body. */
    public void requestArrived() {
        // Never below zero: a request Netty failed before its first byte counted has no start.
        requestsAhead = Math.max(0, requestsAhead - 1);
        wait = Wait.NONE;
    }

    /** mapgate asked for more of a request body. */
    public void bodyRequested(ChannelHandlerContext ctx) {
        if (wait == Wait.BODY) {
            return;
        }
        begin(ctx, Wait.BODY);
    }

    /** Body bytes arrived: until mapgate asks again, the client is not being waited for. */
    public void bodyArrived() {
        if (wait == Wait.BODY) {
            wait = Wait.NONE;
        }
    }

    public void stop() {
        cancel();
        wait = Wait.NONE;
    }

    private void begin(ChannelHandlerContext ctx, Wait next) {
        wait = next;
        waitingSince = now(ctx);
        long deadline = waitingSince + limit(next);
        if (timer != null) {
            if (timerAt - deadline <= 0) {
                return;
            }
            cancel();
        }
        schedule(ctx, deadline - waitingSince);
    }

    private void fired(ChannelHandlerContext ctx) {
        timer = null;
        if (wait == Wait.NONE) {
            return;
        }
        long left = limit(wait) - (now(ctx) - waitingSince);
        if (left > 0) {
            schedule(ctx, left);
            return;
        }
        LOG.debug("event=client-timeout wait={} peer={}", wait, ctx.channel().remoteAddress());
        wait = Wait.NONE;
        ctx.close();
    }

    private long limit(Wait w) {
        return switch (w) {
            case NEXT_REQUEST -> keepAliveNanos;
            case HEADER -> headerNanos;
            case BODY -> bodyNanos;
            case NONE -> throw new IllegalStateException("no limit without a wait");
        };
    }

    private void schedule(ChannelHandlerContext ctx, long nanos) {
        if (!ctx.channel().isActive()) {
            // A late callback on a closed connection; stop() has run and nothing may outlive it.
            return;
        }
        timerAt = now(ctx) + nanos;
        timer = ctx.executor().schedule(() -> fired(ctx), nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private static long now(ChannelHandlerContext ctx) {
        return ctx.executor().ticker().nanoTime();
    }
}
