package dev.mapgate.admin;

import dev.mapgate.config.AdminSettings;
import dev.mapgate.metrics.Metrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener ({@code admin.host}/{@code admin.port}): {@code /metrics} in Prometheus text
 * format, {@code /healthz} and {@code /readyz}, and nothing else. It runs on a thread of its own,
 * apart from the traffic listener, so that it can still say "unhealthy" when the I/O loops hang.
 */
public final class AdminServer implements AutoCloseable {

    static final String THREAD_NAME = "mapgate-admin";
    /**
     * The most {@code /healthz} waits for {@link Probes#eventLoopsAnswer()}. This only covers a
     * probe that never completes: the probe should time out well before, and below the kubelet's
     * own probe timeout (1 s unless configured), or the kubelet gives up before the 503 arrives.
     */
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup group;
    private final Channel listener;
    private final ChannelGroup connections;

    private AdminServer(EventLoopGroup group, Channel listener, ChannelGroup connections) {
        this.group = group;
        this.listener = listener;
        this.connections = connections;
    }

    /**
     * Binds and returns once listening.
     *
     * @throws java.net.BindException (undeclared, as Netty rethrows it) when the address is taken;
     *                                the admin thread is stopped before it is thrown
     */
    public static AdminServer start(AdminSettings settings, Probes probes, Metrics metrics)
            throws InterruptedException {
        // One thread is plenty for a few scrapes and probes a minute, and being alone on it is
        // what lets /healthz answer while the I/O loops are stuck. It also accepts every admin
        // connection, so the connection slots need no lock.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, adminThreads(), NioIoHandler.newFactory());
        ChannelGroup connections = new DefaultChannelGroup("mapgate-admin-connections", group.next());
        try {
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childHandler(new AdminChannelInitializer(connections, probes, metrics, settings,
                            HEALTH_TIMEOUT))
                    .bind(settings.host(), settings.port())
                    .sync()
                    .channel();
            AdminServer server = new AdminServer(group, listener, connections);
            LOG.info("event=admin-listening address={}", server.address());
            return server;
        } catch (Throwable e) {
            // Bind failures arrive here too, thrown by sync() though not declared.
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static ThreadFactory adminThreads() {
        return task -> {
            Thread thread = new FastThreadLocalThread(task, THREAD_NAME);
            // The traffic listener decides when the process ends, never this one.
            thread.setDaemon(true);
            return thread;
        };
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Stops listening, drops any admin connection still open, and stops the admin thread. */
    @Override
    public void close() {
        listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Closed here rather than left to the loop's shutdown: with no quiet period, Netty 4.2's
        // loop can finish without closing the channels still registered on it, and their sockets
        // stay open.
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // No quiet period: nothing on this loop is worth waiting for once its channels are closed.
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("event=admin-stopped");
    }
}
