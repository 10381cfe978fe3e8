package dev.mapgate.server;

import dev.mapgate.config.LiveSettings;
import dev.mapgate.gate.FailureThrottle;
import dev.mapgate.gate.GuessLimiter;
import dev.mapgate.metrics.Metrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * mapgate's client pipeline for tests outside this package that drive it in memory, handler for
 * handler as {@link MapgateServer} builds it for an accepted connection.
 */
public final class ClientPipelines {

    /** The codec's name: a handler added after it sees responses as objects, before encoding. */
    public static final String HTTP_CODEC = ClientChannelInitializer.HTTP_CODEC;
    /** The last handler's name: a handler added before it sees every error nobody else handled. */
    public static final String ERRORS = ClientChannelInitializer.ERRORS;

    private ClientPipelines() {
    }

    /**
     * The initializer for one server: its settings must name a static {@code origin.directory}.
     * bcrypt runs on the calling thread rather than on a pool, so that an {@code EmbeddedChannel}
     * sees its answer as a task of its own event loop, as in production.
     */
    public static ChannelHandler initializer(LiveSettings live, Metrics metrics, FailureThrottle throttle) {
        if (live.get().origin().isProxy()) {
            throw new IllegalArgumentException("an in-memory pipeline needs origin.directory, not origin.url");
        }
        return new ClientChannelInitializer(live, () -> false, null, Runnable::run,
                new DefaultChannelGroup("test-clients", ImmediateEventExecutor.INSTANCE), null, metrics, new GuessLimiter(throttle));
    }
}
