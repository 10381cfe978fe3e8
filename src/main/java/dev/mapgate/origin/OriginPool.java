package dev.mapgate.origin;

import dev.mapgate.config.OriginSettings;
import dev.mapgate.limits.WarnThrottle;
import dev.mapgate.metrics.Metrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolMap;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelHealthChecker;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to the origin, one pool per event loop. A client connection only ever
 * borrows from its own loop's pool, so the client and origin channels share a thread and need no
 * locking between them.
 *
 * <p>Each loop's pool holds at most its share of {@code origin.max-connections} (see
 * {@link LoopShares}), lent or idle. Netty's FixedChannelPool counts the lent ones and queues
 * requests beyond the share; it forgets a lent connection only when it is released, so every lent
 * connection is released exactly once: by {@link #release} when it goes back, or by its close
 * when it is closed while lent.
 */
public final class OriginPool implements OriginConnector {

    static final String SSL = "origin-tls";
    static final String CODEC = "origin-http-codec";
    static final String IDLE = "origin-idle";
    static final String RESPONSE = "origin-response";
    static final String BYTES_WATCH = "origin-bytes-watch";

    /** Set on a connection once it has carried an exchange and gone back to the pool. */
    private static final AttributeKey<Boolean> REUSED = AttributeKey.valueOf("mapgate.origin.reused");
    /** When a parked connection stops being lent out, on {@link System#nanoTime()}'s clock. */
    private static final AttributeKey<Long> LEND_UNTIL = AttributeKey.valueOf("mapgate.origin.lend-until");
    /** Set while the connection is lent out, so that it is released exactly once. */
    private static final AttributeKey<Boolean> LENT = AttributeKey.valueOf("mapgate.origin.lent");

    /**
     * Lends only connections still open and within the idle time their origin allowed. Checked on
     * acquire and on release: one past its time is closed, and acquire moves on to the next.
     */
    private static final ChannelHealthChecker FRESH_ENOUGH = ch -> ch.eventLoop().newSucceededFuture(
            ch.isActive() && withinLendTime(ch));

    private final AbstractChannelPoolMap<EventLoop, LoopPool> pools;
    private final OriginSettings settings;
    private final String host;
    private final int port;
    private final String authority;
    private final String basePath;
    private final WarnThrottle warnings = new WarnThrottle(Duration.ofSeconds(1), System::nanoTime);

    /**
     * @param resolver turns the origin's host name into an address for each new connection; the
     *                 caller owns it and closes it after this pool
     */
    public OriginPool(OriginSettings settings, Class<? extends SocketChannel> channelType,
                      AddressResolverGroup<? extends SocketAddress> resolver, Metrics metrics) {
        this.settings = settings;
        URI url = settings.url();
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        this.host = url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        this.authority = url.getPort() > 0 ? url.getRawAuthority() : hostForHeader(host);
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        SslContext sslContext = tls ? clientSslContext(settings) : null;

        Bootstrap template = new Bootstrap()
                .channel(channelType)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .resolver(resolver)
                .remoteAddress(InetSocketAddress.createUnresolved(host, port));
        AbstractChannelPoolHandler initializer = new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                metrics.originConnectionOpened();
                ch.closeFuture().addListener(f -> {
                    metrics.originConnectionClosed();
                    // Whoever closed it while lent (a timeout, a broken response, a client gone)
                    // need not release it too: here is the one place for that.
                    releaseToPool(ch);
                });
                ChannelPipeline p = ch.pipeline();
                if (sslContext != null) {
                    SslHandler ssl = sslContext.newHandler(ch.alloc(), host, port);
                    ssl.setHandshakeTimeoutMillis(settings.connectTimeout().toMillis());
                    p.addLast(SSL, ssl);
                }
                // After TLS, so that only response bytes count, not handshake records.
                p.addLast(BYTES_WATCH, new ResponseBytesWatch());
                p.addLast(CODEC, new OriginCodec());
                // Closes connections that sit unused in the pool, before the origin's own
                // keep-alive timeout can close one under a request. Reads alone tell: a parked
                // connection reads, and watching writes would cost a listener on every write.
                // A shorter Keep-Alive hint from the origin is checked when lending (FRESH_ENOUGH).
                p.addLast(IDLE, new IdleStateHandler(settings.poolIdleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                p.addLast(RESPONSE, new OriginResponseHandler());
            }
        };
        this.pools = new AbstractChannelPoolMap<>() {
            @Override
            protected LoopPool newPool(EventLoop loop) {
                // By the loop's place in its group, not by the order pools are made: two loops
                // may make theirs at the same moment, and the map keeps only one per loop.
                List<EventExecutor> loops = new ArrayList<>();
                (loop.parent() == null ? List.<EventExecutor>of(loop) : loop.parent()).forEach(loops::add);
                int share = LoopShares.share(settings.maxConnections(), loops.size(), Math.max(0, loops.indexOf(loop)));
                return new LoopPool(template.clone(loop), initializer, share, settings.connectTimeout().toMillis());
            }
        };
    }

    /**
     * Borrows a connection on {@code loop}, an idle one if there is one; the future completes on
     * that loop. When the loop's share is all lent, it waits its turn up to connect-timeout and then
     * fails with a {@link java.util.concurrent.TimeoutException}.
     */
    @Override
    public Future<Channel> acquire(EventLoop loop) {
        return lending(pools.get(loop).acquire(loop.newPromise()));
    }

    /**
     * Opens a new connection on {@code loop}, passing over the idle ones: after one pooled
     * connection turned out stale, the others parked beside it are likely just as old. Call on
     * {@code loop}'s thread. The connection is returned with {@link #release} like any other.
     */
    @Override
    public Future<Channel> acquireNew(EventLoop loop) {
        return lending(pools.get(loop).acquireNew(loop.newPromise()));
    }

    /**
     * Marks the connection lent and forgets the bytes of its earlier exchanges; added before the
     * caller's listener, so it runs first.
     */
    private static Future<Channel> lending(Future<Channel> acquired) {
        return acquired.addListener(f -> {
            if (f.isSuccess()) {
                Channel channel = (Channel) f.getNow();
                channel.attr(LENT).set(Boolean.TRUE);
                ResponseBytesWatch watch = channel.pipeline().get(ResponseBytesWatch.class);
                if (watch != null) {
                    watch.reset();
                }
            }
        });
    }

    /** Returns a connection whose last exchange ended cleanly, for at most the pool's idle timeout. */
    public void release(Channel channel) {
        release(channel, settings.poolIdleTimeout().toNanos());
    }

    /**
     * Returns a connection whose last exchange ended cleanly, to be lent out again only within
     * {@code idleNanos} (see {@link KeepAliveHint#idleAllowanceNanos}); 0 or less closes it.
     */
    @Override
    public void release(Channel channel, long idleNanos) {
        channel.attr(REUSED).set(Boolean.TRUE);
        channel.attr(LEND_UNTIL).set(System.nanoTime() + Math.max(0, idleNanos));
        releaseToPool(channel);
    }

    /** Gives a lent connection back to its pool, once; a closed one only frees its place. */
    private void releaseToPool(Channel channel) {
        if (Boolean.TRUE.equals(channel.attr(LENT).getAndSet(Boolean.FALSE))) {
            pools.get(channel.eventLoop()).release(channel);
        }
    }

    private static boolean withinLendTime(Channel channel) {
        Long until = channel.attr(LEND_UNTIL).get();
        return until == null || System.nanoTime() - until < 0;
    }

    @Override
    public boolean isReused(Channel channel) {
        return channel.hasAttr(REUSED);
    }

    @Override
    public boolean responseBytesArrived(Channel channel) {
        ResponseBytesWatch watch = channel.pipeline().get(ResponseBytesWatch.class);
        return watch == null || watch.arrived();
    }

    /** One event loop's connections, at most {@code share} of them. */
    private static final class LoopPool extends FixedChannelPool {

        // Not volatile: only ever set and read on the pool's event loop, within one call.
        private boolean skipIdle;

        LoopPool(Bootstrap bootstrap, AbstractChannelPoolHandler initializer, int share, long waitMillis) {
            // Waiting requests are served first come, first served; the queue is bounded by the
            // client connections, each of which waits for at most one connection at a time.
            // Most recently used first: warm connections are reused, cold ones age out.
            super(bootstrap, initializer, FRESH_ENOUGH, AcquireTimeoutAction.FAIL, waitMillis, share,
                    Integer.MAX_VALUE, true, true);
        }

        Future<Channel> acquireNew(Promise<Channel> promise) {
            // Under the share, FixedChannelPool asks pollChannel() synchronously when called on
            // its loop. A request that has to wait may be handed an idle connection after all.
            skipIdle = true;
            try {
                return acquire(promise);
            } finally {
                skipIdle = false;
            }
        }

        @Override
        protected Channel pollChannel() {
            Channel idle = super.pollChannel();
            if (skipIdle && idle != null) {
                // Its place goes to the new connection: FixedChannelPool counts only lent
                // connections, so opening one beside an idle one could pass the share.
                idle.close();
                return null;
            }
            return idle;
        }
    }

    @Override
    public String authority() {
        return authority;
    }

    @Override
    public String basePath() {
        return basePath;
    }

    @Override
    public WarnThrottle warnings() {
        return warnings;
    }

    @Override
    public OriginSettings settings() {
        return settings;
    }

    public void close() {
        pools.close();
    }

    private static String hostForHeader(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static SslContext clientSslContext(OriginSettings settings) {
        try {
            // The JDK's TLS even where BoringSSL loads: its trust manager and host name check
            // give the clearest reasons in the log when an origin's certificate is refused.
            SslContextBuilder builder = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols("TLSv1.3", "TLSv1.2");
            if (settings.insecure()) {
                // Chosen explicitly with origin.tls.insecure; the loader warns at startup.
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else {
                builder.endpointIdentificationAlgorithm("HTTPS");
                if (settings.caFile() != null) {
                    builder.trustManager(OriginTrust.withExtraCas(settings.caFile()));
                }
            }
            return builder.build();
        } catch (GeneralSecurityException | IOException e) {
            throw new UncheckedIOException(new IOException("cannot set up TLS to the origin: " + e.getMessage(), e));
        }
    }
}
