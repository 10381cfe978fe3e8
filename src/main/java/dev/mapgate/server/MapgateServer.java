package dev.mapgate.server;

import dev.mapgate.admin.AdminServer;
import dev.mapgate.admin.EventLoopProbe;
import dev.mapgate.admin.Probes;
import dev.mapgate.config.LiveSettings;
import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsLoader;
import dev.mapgate.exchange.ConnectionEvent;
import dev.mapgate.gate.FailureThrottle;
import dev.mapgate.gate.GuessLimiter;
import dev.mapgate.limits.IoThreads;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.origin.OriginPool;
import dev.mapgate.origin.OriginResolvers;
import dev.mapgate.reload.ConfigReloader;
import dev.mapgate.tls.ServerTls;
import dev.mapgate.watch.FileWatcher;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the listeners and owns the threads. Stopping has two speeds: {@link #shutdown(Duration)}
 * is what SIGTERM does (turn unready, keep serving for the drain delay, then close), and
 * {@link #close()} skips straight to closing: stop accepting, let exchanges in flight finish for
 * up to {@code shutdown.grace}, stop the threads.
 */
public final class MapgateServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MapgateServer.class);

    /** How long an event loop may take to run a no-op before /healthz calls the process unhealthy. */
    private static final Duration EVENT_LOOP_ANSWER = Duration.ofSeconds(2);

    private final LiveSettings live;
    private final Transport transport;
    private final MultiThreadIoEventLoopGroup group;
    private final ThreadPoolExecutor verifier;
    private final ChannelGroup clients;
    private final AtomicBoolean draining;
    private final AtomicBoolean closed = new AtomicBoolean();
    private OriginPool originPool;
    private AddressResolverGroup<? extends SocketAddress> originResolver;
    private ServerTls tls;
    private Channel listener;
    private ConfigReloader reloader;
    /** One thread checks the config's files and the TLS pair, each at its own interval. */
    private final FileWatcher watcher = new FileWatcher("mapgate-reload");
    private AdminServer admin;

    private MapgateServer(Settings settings, Transport transport) {
        this.live = new LiveSettings(settings);
        this.transport = transport;
        this.group = new MultiThreadIoEventLoopGroup(
                IoThreads.resolve(settings.listen().ioThreads(), Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("mapgate-io", true), transport.ioHandlers());
        // bcrypt is deliberately slow; it gets its own few threads, so a flood of bad passwords
        // cannot stall the event loops. The queue is first in, first out, and GuessLimiter lets
        // an address have one check in it, so addresses take turns. A connection has at most one
        // request at the gate, and a check whose client has left is skipped when its turn comes,
        // so sized to the connection limit the queue is bounded and does not refuse a login that
        // waits its turn.
        int verifierThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        this.verifier = new ThreadPoolExecutor(verifierThreads, verifierThreads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(settings.listen().maxConnections()),
                new DefaultThreadFactory("mapgate-bcrypt", true));
        this.clients = new DefaultChannelGroup("mapgate-clients", GlobalEventExecutor.INSTANCE);
        this.draining = new AtomicBoolean();
    }

    /** Starts listening with meters kept in memory only; returns once bound. */
    public static MapgateServer start(Settings settings) throws InterruptedException {
        return start(settings, Metrics.inMemory());
    }

    /**
     * Starts the traffic listener, then the admin listener, and begins watching the config files;
     * returns once both are bound. On any failure everything started so far is stopped again.
     */
    public static MapgateServer start(Settings settings, Metrics metrics) throws InterruptedException {
        return start(settings, metrics, OriginResolvers.system());
    }

    /** As {@link #start(Settings, Metrics)}, resolving the origin's host name with {@code resolvers}. */
    public static MapgateServer start(Settings settings, Metrics metrics, OriginResolvers resolvers)
            throws InterruptedException {
        MapgateServer server = new MapgateServer(settings, Transport.choose(settings.listen().transport()));
        try {
            server.bind(settings, metrics, resolvers);
            return server;
        } catch (Throwable e) {
            server.stopEverything(Duration.ZERO);
            throw e;
        }
    }

    private void bind(Settings settings, Metrics metrics, OriginResolvers resolvers) throws InterruptedException {
        tls = settings.listen().tls() == null ? null : ServerTls.load(settings.listen().tls());
        // One table for the server's life, sized once: max-tracked is read at startup only.
        GuessLimiter guesses = new GuessLimiter(new FailureThrottle(settings.startup().throttleMaxTracked()));
        if (settings.origin().isProxy()) {
            originResolver = resolvers.create(settings.origin(), transport.datagramChannel(), transport.socketChannel());
            originPool = new OriginPool(settings.origin(), transport.socketChannel(), originResolver, metrics);
        }
        listener = bindOrExplain("mapgate.listen", settings.listen().host(), settings.listen().port(), () -> new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ClientChannelInitializer(live, draining::get, originPool, verifier, clients, tls,
                        metrics, guesses))
                .bind(settings.listen().host(), settings.listen().port())
                .sync()
                .channel());
        if (tls != null) {
            tls.countReloadsIn(metrics);
            tls.startWatching(watcher);
        }
        LOG.info("event=transport name={} io_threads={} io_threads_from=\"{}\"", transport.name(), group.executorCount(),
                IoThreads.reason(live.get().listen().ioThreads(), Runtime.getRuntime().availableProcessors()));
        metrics.revokedTokens(() -> live.get().gate().revokedTokens().size());
        metrics.accessLogDropped(AccessLog::dropped);
        reloader = new ConfigReloader(settings.configFile(), live, SettingsLoader::load, metrics);
        reloader.startWatching(watcher);
        admin = bindOrExplain("mapgate.admin", settings.admin().host(), settings.admin().port(),
                () -> AdminServer.start(settings.admin(), new Probes() {
            @Override
            public CompletionStage<Boolean> eventLoopsAnswer() {
                return EventLoopProbe.allAnswer(group, EVENT_LOOP_ANSWER);
            }

            @Override
            public boolean ready() {
                return isReady();
            }
        }, metrics));
    }

    private interface Binding<T> {
        T bind() throws InterruptedException;
    }

    /** Netty rethrows the socket's BindException unchecked; turn it into one line naming the key. */
    private static <T> T bindOrExplain(String key, String host, int port, Binding<T> binding)
            throws InterruptedException {
        try {
            return binding.bind();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // NIO throws BindException, epoll its own NativeIoException: both are IOExceptions.
            if (e instanceof java.io.IOException || e instanceof java.nio.channels.UnresolvedAddressException) {
                throw new ListenFailure(key, host, port, e);
            }
            throw e;
        }
    }

    /** The listener's TLS, or {@code null} when it speaks plain HTTP. */
    public ServerTls tls() {
        return tls;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** The traffic listener's event loops, as started (listen.io-threads, or {@link IoThreads}' default for 0). */
    public int ioThreads() {
        return group.executorCount();
    }

    /** The config in force; a reload replaces what it returns. */
    public LiveSettings settings() {
        return live;
    }

    /** True while the listener accepts and shutdown has not begun: what /readyz reports. */
    public boolean isReady() {
        return !draining.get() && listener != null && listener.isActive();
    }

    /**
     * What SIGHUP does: loads the config files again (the running config stays if they do not
     * load) and checks the TLS files.
     */
    public ConfigReloader.Outcome reload(String trigger) {
        ConfigReloader.Outcome outcome = reloader.reloadNow(trigger);
        if (tls != null) {
            tls.reloadIfChanged();
        }
        return outcome;
    }

    /** Blocks until the server has stopped. */
    public void awaitClose() throws InterruptedException {
        listener.closeFuture().await();
        group.terminationFuture().await();
    }

    /**
     * The SIGTERM path: /readyz turns 503 and every connection closes after its next response,
     * while the listener keeps accepting for {@code drainDelay} (new connections are closed after
     * their first response too). Then {@link #close()}.
     */
    public void shutdown(Duration drainDelay) {
        beginDraining();
        if (!drainDelay.isZero()) {
            LOG.info("event=draining drain_delay_ms={}", drainDelay.toMillis());
            try {
                Thread.sleep(drainDelay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
    }

    private void beginDraining() {
        if (!draining.getAndSet(true)) {
            clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(ConnectionEvent.LAST_RESPONSE));
        }
    }

    /**
     * Stops accepting, closes idle connections, lets exchanges in flight finish (each then closes
     * its connection) for up to {@code shutdown.grace}, and then stops the threads. The admin
     * listener goes last, so /readyz says 503 until the very end. Idempotent.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        beginDraining();
        stopEverything(live.get().shutdown().grace());
        // The access lines of the last requests are still on their way to the log.
        if (!AccessLog.flush(Duration.ofSeconds(2))) {
            LOG.warn("event=access-log-unflushed effect=\"the last requests may be missing from the access log\"");
        }
        LOG.info("event=stopped");
    }

    private void stopEverything(Duration grace) {
        if (reloader != null) {
            reloader.close();
        }
        if (listener != null) {
            listener.close().syncUninterruptibly();
            clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(ConnectionEvent.DRAIN));
            if (!clients.newCloseFuture().awaitUninterruptibly(grace.toMillis())) {
                LOG.warn("event=shutdown-grace-ended open_connections={} action=\"closing them\"", clients.size());
                clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
        // Before the loops stop: a pooled connection closed on a loop that has already stopped
        // would keep its socket open (seen with Netty 4.2.7 and a zero quiet period).
        if (originPool != null) {
            originPool.close();
        }
        // After the pool, whose connections may still be opening; before the loops, because each
        // loop's DNS socket is closed on that loop.
        if (originResolver != null) {
            originResolver.close();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (tls != null) {
            tls.close();
        }
        watcher.close();
        verifier.shutdownNow();
        if (admin != null) {
            admin.close();
        }
    }
}
