package dev.mapgate.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * The address a client connection is attributed to: its TCP peer, or the source address that a
 * trusted peer's PROXY header named in its place.
 */
final class ConnectionPeer {

    private static final AttributeKey<InetSocketAddress> PROXIED =
            AttributeKey.valueOf(ConnectionPeer.class, "proxied-source");
    private static final AttributeKey<Boolean> SOURCELESS =
            AttributeKey.valueOf(ConnectionPeer.class, "proxied-without-source");

    private ConnectionPeer() {
    }

    /** The PROXY source if a trusted PROXY header named one, else the TCP peer; {@code null} if neither. */
    static InetSocketAddress of(Channel channel) {
        InetSocketAddress proxied = channel.attr(PROXIED).get();
        if (proxied != null) {
            return proxied;
        }
        return channel.remoteAddress() instanceof InetSocketAddress peer ? peer : null;
    }

    static void proxiedSource(Channel channel, InetSocketAddress source) {
        channel.attr(PROXIED).set(source);
    }

    /**
     * The trusted peer's PROXY header named no source (LOCAL, UNKNOWN, a Unix socket). The peer is
     * still the balancer, but whatever headers follow were written by its unknown client: they
     * must not be read as the balancer's report.
     */
    static void proxiedWithoutSource(Channel channel) {
        channel.attr(SOURCELESS).set(Boolean.TRUE);
    }

    static boolean isProxiedWithoutSource(Channel channel) {
        return channel.attr(SOURCELESS).get() != null;
    }
}
