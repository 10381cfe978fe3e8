package dev.mapgate.origin;

import dev.mapgate.config.OriginSettings;
import dev.mapgate.limits.WarnThrottle;
import dev.mapgate.metrics.Metrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.AddressResolverGroup;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Keep-alive connections to the origin, one pool per event loop. A client connection only ever
 * borrows from its own loop's pool, so the client and origin channels share a thread and need no
 * locking between them, and neither does the pool: each {@link LoopPool} is only touched on its
 * loop. (Netty's FixedChannelPool, used before, pays for thread safety this design never needs:
 * promises, listeners and a concurrent deque on every loan, about a tenth of a small request's
 * CPU.)
 *
 * <p>Each loop's pool holds at most its share of {@code origin.max-connections} (see
 * {@link LoopShares}): connecting, lent or idle. A request beyond the share waits its turn, first
 * come first served, for at most connect-timeout, then fails with a {@link TimeoutException}
 * (503 pool-full). Idle connections are lent most recently parked first, so warm ones are reused
 * and cold ones age out. A connection is counted until it closes, whoever closes it.
 */
public final class OriginPool implements OriginConnector {

    static final String SSL = "origin-tls";
    static final String CODEC = "origin-http-codec";
    static final String IDLE = "origin-idle";
    static final String RESPONSE = "origin-response";
    static final String BYTES_WATCH = "origin-bytes-watch";

    private final ConcurrentMap<EventLoop, LoopPool> pools = new ConcurrentHashMap<>();
    private final Bootstrap template;
    private final OriginSettings settings;
    private final String host;
    private final int port;
    private final String authority;
    private final String basePath;
    private final Metrics metrics;
    private final WarnThrottle warnings = new WarnThrottle(Duration.ofSeconds(1), System::nanoTime);
    private volatile boolean closed;

    /**
     * @param resolver turns the origin's host name into an address for each new connection; the
     *                 caller owns it and closes it after this pool
     */
    public OriginPool(OriginSettings settings, Class<? extends SocketChannel> channelType,
                      AddressResolverGroup<? extends SocketAddress> resolver, Metrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        URI url = settings.url();
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        this.host = url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        this.authority = url.getPort() > 0 ? url.getRawAuthority() : hostForHeader(host);
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        SslContext sslContext = tls ? clientSslContext(settings) : null;

        this.template = new Bootstrap()
                .channel(channelType)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .resolver(resolver)
                .remoteAddress(InetSocketAddress.createUnresolved(host, port))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
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
                        // A shorter Keep-Alive hint from the origin is checked when lending.
                        p.addLast(IDLE, new IdleStateHandler(settings.poolIdleTimeout().toMillis(), 0, 0,
                                TimeUnit.MILLISECONDS));
                        p.addLast(RESPONSE, new OriginResponseHandler());
                    }
                });
    }

    /**
     * Borrows a connection on {@code loop}, an idle one if there is one; call on {@code loop}'s
     * thread. When the loop's share is all in use, it waits its turn up to connect-timeout and
     * then fails with a {@link TimeoutException}.
     */
    @Override
    public Future<Channel> acquire(EventLoop loop) {
        return acquire(loop, false);
    }

    /**
     * Opens a new connection on {@code loop}, passing over the idle ones: after one pooled
     * connection turned out stale, the others parked beside it are likely just as old. Call on
     * {@code loop}'s thread. The connection is returned with {@link #release} like any other.
     */
    @Override
    public Future<Channel> acquireNew(EventLoop loop) {
        return acquire(loop, true);
    }

    private Future<Channel> acquire(EventLoop loop, boolean skipIdle) {
        Promise<Channel> promise = loop.newPromise();
        if (loop.inEventLoop()) {
            pool(loop).acquire(promise, skipIdle);
        } else {
            loop.execute(() -> pool(loop).acquire(promise, skipIdle));
        }
        return promise;
    }

    /**
     * Returns a connection whose last exchange ended cleanly, to be lent out again only within
     * {@code idleNanos} (see {@link KeepAliveHint#idleAllowanceNanos}); 0 or less closes it.
     */
    @Override
    public void release(Channel channel, long idleNanos) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> release(channel, idleNanos));
            return;
        }
        OriginResponseHandler state = channel.pipeline().get(OriginResponseHandler.class);
        if (state == null || !state.lent) {
            return;
        }
        state.lent = false;
        state.reused = true;
        state.lendUntil = System.nanoTime() + Math.max(0, idleNanos);
        pool(channel.eventLoop()).parked(channel, state);
    }

    @Override
    public boolean isReused(Channel channel) {
        OriginResponseHandler state = channel.pipeline().get(OriginResponseHandler.class);
        return state != null && state.reused;
    }

    @Override
    public boolean responseBytesArrived(Channel channel) {
        ResponseBytesWatch watch = channel.pipeline().get(ResponseBytesWatch.class);
        return watch == null || watch.arrived();
    }

    private LoopPool pool(EventLoop loop) {
        LoopPool pool = pools.get(loop);
        return pool != null ? pool : pools.computeIfAbsent(loop, this::newPool);
    }

    private LoopPool newPool(EventLoop loop) {
        // By the loop's place in its group, not by the order pools are made: two loops may make
        // theirs at the same moment.
        List<EventExecutor> loops = new ArrayList<>();
        (loop.parent() == null ? List.<EventExecutor>of(loop) : loop.parent()).forEach(loops::add);
        int share = LoopShares.share(settings.maxConnections(), loops.size(), Math.max(0, loops.indexOf(loop)));
        return new LoopPool(loop, share);
    }

    /** One event loop's connections, at most {@code share} of them; only ever used on that loop. */
    private final class LoopPool {

        private final EventLoop loop;
        private final Bootstrap bootstrap;
        private final int share;
        /** Parked connections, the most recently parked first. */
        private final ArrayDeque<Channel> idle = new ArrayDeque<>();
        /** Borrowers waiting for a place, first come first served. */
        private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        /** Connections counted against the share: connecting, lent or idle, until they close. */
        private int open;

        LoopPool(EventLoop loop, int share) {
            this.loop = loop;
            this.bootstrap = template.clone(loop);
            this.share = share;
        }

        void acquire(Promise<Channel> promise, boolean skipIdle) {
            if (closed) {
                promise.tryFailure(closedError());
                return;
            }
            if (skipIdle) {
                if (open >= share && !idle.isEmpty()) {
                    // Its place goes to the new connection; the oldest is the likeliest stale.
                    idle.pollLast().close();
                }
            } else if (lendIdle(promise)) {
                return;
            }
            if (open < share) {
                connect(promise);
                return;
            }
            Waiter waiter = new Waiter(promise);
            waiter.timeout = loop.schedule(() -> {
                if (waiters.remove(waiter)) {
                    promise.tryFailure(new TimeoutException("no origin connection came free within "
                            + settings.connectTimeout().toMillis() + " ms (origin.max-connections)"));
                }
            }, settings.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
            waiters.add(waiter);
        }

        /** Lends the freshest idle connection that is still good, closing the ones that are not. */
        private boolean lendIdle(Promise<Channel> promise) {
            Channel ch;
            while ((ch = idle.pollFirst()) != null) {
                OriginResponseHandler state = ch.pipeline().get(OriginResponseHandler.class);
                if (ch.isActive() && state != null && System.nanoTime() - state.lendUntil < 0) {
                    lend(ch, state, promise);
                    return true;
                }
                ch.close();
            }
            return false;
        }

        private void lend(Channel ch, OriginResponseHandler state, Promise<Channel> promise) {
            if (state == null) {
                // Its pipeline was never set up; nothing can be sent on it.
                promise.tryFailure(new IllegalStateException("the origin connection has no pipeline"));
                ch.close();
                return;
            }
            state.lent = true;
            // The bytes of earlier exchanges say nothing about this one's (see RetryRule).
            ResponseBytesWatch watch = ch.pipeline().get(ResponseBytesWatch.class);
            if (watch != null) {
                watch.reset();
            }
            if (!promise.trySuccess(ch)) {
                state.lent = false;
                parked(ch, state);
            }
        }

        private void connect(Promise<Channel> promise) {
            open++;
            metrics.originConnectionOpened();
            ChannelFuture connecting = bootstrap.connect();
            Channel ch = connecting.channel();
            Place place = new Place();
            ch.closeFuture().addListener(f -> {
                idle.remove(ch);
                OriginResponseHandler state = ch.pipeline().get(OriginResponseHandler.class);
                if (state != null) {
                    state.lent = false;
                }
                place.free();
            });
            connecting.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    OriginResponseHandler state = ch.pipeline().get(OriginResponseHandler.class);
                    lend(ch, state, promise);
                } else {
                    promise.tryFailure(f.cause());
                    ch.close();
                    // A channel that never registered has no close to wait for.
                    place.free();
                }
            });
        }

        /** A connection back from a borrower: to the first waiter, or parked. */
        void parked(Channel ch, OriginResponseHandler state) {
            if (closed || !ch.isActive() || System.nanoTime() - state.lendUntil >= 0) {
                ch.close();
                return;
            }
            Waiter waiter = waiters.poll();
            if (waiter != null) {
                waiter.timeout.cancel(false);
                lend(ch, state, waiter.promise);
                return;
            }
            idle.addFirst(ch);
        }

        /** A place came free: the first waiter gets a new connection. */
        private void serveWaiters() {
            if (open < share && !closed) {
                Waiter waiter = waiters.poll();
                if (waiter != null) {
                    waiter.timeout.cancel(false);
                    connect(waiter.promise);
                }
            }
        }

        /** A connection's place in the share, given back once: by its close, or by a connect that failed. */
        private final class Place {
            private boolean held = true;

            void free() {
                if (held) {
                    held = false;
                    open--;
                    metrics.originConnectionClosed();
                    serveWaiters();
                }
            }
        }

        void close() {
            for (Channel ch; (ch = idle.poll()) != null; ) {
                ch.close();
            }
            for (Waiter w; (w = waiters.poll()) != null; ) {
                w.timeout.cancel(false);
                w.promise.tryFailure(closedError());
            }
        }
    }

    private static IllegalStateException closedError() {
        return new IllegalStateException("the origin pool is closed");
    }

    private static final class Waiter {
        final Promise<Channel> promise;
        ScheduledFuture<?> timeout;

        Waiter(Promise<Channel> promise) {
            this.promise = promise;
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

    /** Closes the idle connections and fails the waiting borrowers; lent ones close with their exchanges. */
    public void close() {
        closed = true;
        for (LoopPool pool : pools.values()) {
            if (pool.loop.inEventLoop()) {
                pool.close();
            } else if (!pool.loop.isShuttingDown()) {
                pool.loop.execute(pool::close);
            }
        }
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
