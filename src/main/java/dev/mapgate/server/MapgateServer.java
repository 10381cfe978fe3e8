package dev.mapgate.server;

import dev.mapgate.config.Settings;
import dev.mapgate.gate.FailureThrottle;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.origin.OriginPool;
import dev.mapgate.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the listener and owns the threads; {@link #close()} stops accepting and lets exchanges finish. */
public final class MapgateServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MapgateServer.class);

    private final Settings settings;
    private final EventLoopGroup group;
    private final ThreadPoolExecutor verifier;
    private final OriginPool originPool;
    private final Channel listener;
    private final ChannelGroup clients;
    private final ServerTls tls;

    private MapgateServer(Settings settings, EventLoopGroup group, ThreadPoolExecutor verifier,
                          OriginPool originPool, Channel listener, ChannelGroup clients, ServerTls tls) {
        this.clients = clients;
        this.tls = tls;
        this.settings = settings;
        this.group = group;
        this.verifier = verifier;
        this.originPool = originPool;
        this.listener = listener;
    }

    /** Starts listening with meters kept in memory only; returns once bound. */
    public static MapgateServer start(Settings settings) throws InterruptedException {
        return start(settings, Metrics.inMemory());
    }

    /** Starts listening; returns once bound. */
    public static MapgateServer start(Settings settings, Metrics metrics) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(settings.listen().ioThreads(),
                new DefaultThreadFactory("mapgate-io", true), NioIoHandler.newFactory());
        // bcrypt is deliberately slow; it gets its own few threads and a bounded queue so a flood
        // of bad passwords can neither stall the event loops nor grow memory.
        int verifierThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        ThreadPoolExecutor verifier = new ThreadPoolExecutor(verifierThreads, verifierThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(256), new DefaultThreadFactory("mapgate-bcrypt", true));
        ChannelGroup clients = new DefaultChannelGroup("mapgate-clients", GlobalEventExecutor.INSTANCE);
        // One table for the server's life, sized once: max-tracked is read at startup only.
        FailureThrottle throttle = new FailureThrottle(settings.gate().throttle().maxTracked());
        OriginPool originPool = null;
        ServerTls tls = null;
        try {
            tls = settings.listen().tls() == null ? null : ServerTls.load(settings.listen().tls());
            originPool = settings.origin().isProxy() ? new OriginPool(settings.origin(), NioSocketChannel.class, metrics) : null;
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ClientChannelInitializer(settings, originPool, verifier, clients, tls, metrics,
                            throttle))
                    .bind(settings.listen().host(), settings.listen().port())
                    .sync()
                    .channel();
            if (tls != null) {
                tls.countReloadsIn(metrics);
                tls.startWatching();
            }
            return new MapgateServer(settings, group, verifier, originPool, listener, clients, tls);
        } catch (RuntimeException | InterruptedException e) {
            if (originPool != null) {
                originPool.close();
            }
            if (tls != null) {
                tls.close();
            }
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            verifier.shutdownNow();
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

    /** Blocks until the listener is closed. */
    public void awaitClose() throws InterruptedException {
        listener.closeFuture().await();
        group.terminationFuture().await();
    }

    /**
     * Stops accepting, closes idle connections, lets exchanges in flight finish (each then closes
     * its connection) for up to {@code listen.shutdown-timeout}, and then stops the threads.
     */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        long timeout = settings.listen().shutdownTimeout().toMillis();
        clients.forEach(ch -> ch.pipeline().fireUserEventTriggered(ConnectionEvent.DRAIN));
        if (!clients.newCloseFuture().awaitUninterruptibly(timeout)) {
            LOG.warn("event=shutdown-timeout open_connections={}", clients.size());
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (originPool != null) {
            originPool.close();
        }
        if (tls != null) {
            tls.close();
        }
        verifier.shutdownNow();
        LOG.info("event=stopped");
    }
}
