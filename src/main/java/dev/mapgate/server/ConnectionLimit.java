package dev.mapgate.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the client connections open at once ({@code listen.max-connections}). Every event loop
 * accepts into the same count, hence the atomic. A connection over the cap is closed before
 * anything is read from it, so it costs no more than the accept.
 */
final class ConnectionLimit {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelFutureListener release = f -> open.decrementAndGet();

    ConnectionLimit(int max) {
        this.max = max;
    }

    /** @return whether {@code channel} may stay; if not, it is being closed */
    boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            LOG.debug("event=connection-refused reason=max-connections max={} peer={}", max, channel.remoteAddress());
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(release);
        return true;
    }

    int open() {
        return open.get();
    }
}
