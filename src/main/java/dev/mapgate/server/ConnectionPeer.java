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
}
