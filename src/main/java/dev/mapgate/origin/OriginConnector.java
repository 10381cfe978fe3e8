package dev.mapgate.origin;

import dev.mapgate.config.OriginSettings;
import dev.mapgate.limits.WarnThrottle;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/**
 * What {@link ProxyHandler} needs of the origin: connections to borrow and give back, and how to
 * address it. {@link OriginPool} is the real one; tests hand the handler connections of their
 * own, so that every branch of an exchange can be driven without a socket.
 *
 * <p>A connection handed out has an {@link OriginResponseHandler} in its pipeline, through which
 * the origin's messages reach the borrower, and no auto-read.
 */
public interface OriginConnector {

    /**
     * Borrows a connection on {@code loop}, an idle one if there is one; the future completes on
     * that loop. It fails with a {@link java.util.concurrent.TimeoutException} when none came free
     * within the connect timeout.
     */
    Future<Channel> acquire(EventLoop loop);

    /** Opens a new connection on {@code loop}, passing over idle ones, which are likely as stale as the one that just failed. */
    Future<Channel> acquireNew(EventLoop loop);

    /** Gives back a connection whose exchange ended cleanly, to be lent again only within {@code idleNanos}. */
    void release(Channel channel, long idleNanos);

    /** Whether {@code channel} carried an exchange before this one: the origin may have closed it meanwhile. */
    boolean isReused(Channel channel);

    /** Whether any byte arrived on {@code channel} since it was lent out. */
    boolean responseBytesArrived(Channel channel);

    /** The value for the {@code Host} header of requests to the origin. */
    String authority();

    /** The origin URL's path, without a trailing slash, to prefix to every forwarded path. */
    String basePath();

    OriginSettings settings();

    /** Holds back repeated WARN lines about this origin's failures. */
    WarnThrottle warnings();
}
