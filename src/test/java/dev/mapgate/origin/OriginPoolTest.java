package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.config.OriginSettings;
import dev.mapgate.metrics.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool on its own, against a loopback listener that accepts and holds connections: how many
 * it opens, which it lends, who waits and for how long.
 */
class OriginPoolTest {

    private static final Duration WAIT = Duration.ofMillis(300);

    private ServerSocket listener;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private EventLoopGroup group;
    private EventLoop loop;
    private OriginPool pool;

    @BeforeEach
    void start() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(listener.accept());
                }
            } catch (IOException closed) {
                // The test is over.
            }
        }, "origin-pool-test-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
    }

    /**
     * The accepted connections once the acceptor thread has caught up with {@code expected}: the
     * pool's connect completes in the kernel before that thread gets to run on a busy machine.
     */
    private List<Socket> acceptedOnce(int expected) throws InterruptedException {
        for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                accepted.size() < expected && System.nanoTime() < deadline; ) {
            Thread.sleep(5);
        }
        return accepted;
    }

    @AfterEach
    void stop() throws Exception {
        if (pool != null) {
            pool.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        listener.close();
        for (Socket s : accepted) {
            s.close();
        }
    }

    private OriginPool pool(int maxConnections) {
        return pool(maxConnections, listener.getLocalPort());
    }

    private OriginPool pool(int maxConnections, int port) {
        OriginSettings settings = new OriginSettings(URI.create("http://127.0.0.1:" + port), null,
                WAIT, Duration.ofSeconds(5), Duration.ofSeconds(30), maxConnections, null, false);
        pool = new OriginPool(settings, NioSocketChannel.class, DefaultAddressResolverGroup.INSTANCE,
                new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
        return pool;
    }

    /** Runs on the pool's loop, as ProxyHandler does, and waits for the result. */
    private <T> T onLoop(Supplier<T> action) throws Exception {
        return loop.submit(action::get).get(5, TimeUnit.SECONDS);
    }

    private Channel borrow(Supplier<Future<Channel>> acquire) throws Exception {
        Future<Channel> f = onLoop(acquire);
        return f.get(5, TimeUnit.SECONDS);
    }

    private void giveBack(Channel ch, Duration idle) throws Exception {
        onLoop(() -> {
            pool.release(ch, idle.toNanos());
            return null;
        });
    }

    @Test
    void aReleasedConnectionIsLentAgainAndCountsAsReused() throws Exception {
        pool(4);
        Channel first = borrow(() -> pool.acquire(loop));
        assertThat(pool.isReused(first)).isFalse();
        giveBack(first, Duration.ofSeconds(10));

        Channel second = borrow(() -> pool.acquire(loop));
        assertThat(second).isSameAs(first);
        assertThat(pool.isReused(second)).isTrue();
        assertThat(acceptedOnce(1)).hasSize(1);
    }

    @Test
    void theMostRecentlyParkedIsLentFirst() throws Exception {
        pool(4);
        Channel a = borrow(() -> pool.acquire(loop));
        Channel b = borrow(() -> pool.acquire(loop));
        giveBack(a, Duration.ofSeconds(10));
        giveBack(b, Duration.ofSeconds(10));
        assertThat(borrow(() -> pool.acquire(loop))).isSameAs(b);
    }

    @Test
    void aConnectionPastItsKeepAliveHintIsClosedNotLent() throws Exception {
        pool(4);
        Channel stale = borrow(() -> pool.acquire(loop));
        giveBack(stale, Duration.ofMillis(20));
        Thread.sleep(50);

        Channel next = borrow(() -> pool.acquire(loop));
        assertThat(next).isNotSameAs(stale);
        assertThat(stale.closeFuture().await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(acceptedOnce(2)).hasSize(2);
    }

    @Test
    void aReleaseWithNoIdleTimeLeftClosesTheConnection() throws Exception {
        pool(4);
        Channel ch = borrow(() -> pool.acquire(loop));
        giveBack(ch, Duration.ZERO);
        assertThat(ch.closeFuture().await(2, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void beyondItsShareABorrowerWaitsForAConnectionToComeBack() throws Exception {
        pool(1);
        Channel only = borrow(() -> pool.acquire(loop));
        Future<Channel> waiting = onLoop(() -> pool.acquire(loop));
        assertThat(waiting.isDone()).isFalse();

        giveBack(only, Duration.ofSeconds(10));
        assertThat(waiting.get(2, TimeUnit.SECONDS)).isSameAs(only);
        assertThat(acceptedOnce(1)).as("never more than the share open").hasSize(1);
    }

    @Test
    void aWaitingBorrowerGivesUpAfterTheConnectTimeout() throws Exception {
        pool(1);
        borrow(() -> pool.acquire(loop));
        long start = System.nanoTime();
        Future<Channel> waiting = onLoop(() -> pool.acquire(loop));
        waiting.await(5, TimeUnit.SECONDS);

        assertThat(waiting.cause()).isInstanceOf(TimeoutException.class).hasMessageContaining("origin.max-connections");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(WAIT.minusMillis(20));
    }

    @Test
    void aLentConnectionThatClosesFreesItsPlaceForTheNextWaiter() throws Exception {
        pool(1);
        Channel only = borrow(() -> pool.acquire(loop));
        Future<Channel> waiting = onLoop(() -> pool.acquire(loop));
        only.close().sync();

        Channel fresh = waiting.get(2, TimeUnit.SECONDS);
        assertThat(fresh).isNotSameAs(only);
        assertThat(fresh.isActive()).isTrue();
        assertThat(pool.isReused(fresh)).isFalse();
    }

    @Test
    void acquireNewPassesOverIdleConnectionsAndStaysWithinTheShare() throws Exception {
        pool(1);
        Channel parked = borrow(() -> pool.acquire(loop));
        giveBack(parked, Duration.ofSeconds(10));

        Channel fresh = borrow(() -> pool.acquireNew(loop));
        assertThat(fresh).isNotSameAs(parked);
        assertThat(parked.closeFuture().await(2, TimeUnit.SECONDS)).as("its place went to the new one").isTrue();
    }

    @Test
    void aConnectionReleasedTwiceIsParkedOnce() throws Exception {
        pool(2);
        Channel ch = borrow(() -> pool.acquire(loop));
        giveBack(ch, Duration.ofSeconds(10));
        giveBack(ch, Duration.ofSeconds(10));
        assertThat(borrow(() -> pool.acquire(loop))).isSameAs(ch);
        assertThat(borrow(() -> pool.acquire(loop))).as("not lent a second time while lent").isNotSameAs(ch);
    }

    @Test
    void aRefusedConnectFailsTheBorrowerAndFreesItsPlace() throws Exception {
        try (Socket holder = new Socket()) {
            // Bound but never listening: its port refuses connections, and no other process (the
            // other test JVM) can listen on it meanwhile, as it could on a port merely closed.
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            pool(1, holder.getLocalPort());
            Future<Channel> failed = onLoop(() -> pool.acquire(loop));
            failed.await(5, TimeUnit.SECONDS);
            assertThat(failed.cause()).as("a refused connect").isNotNull().isNotInstanceOf(TimeoutException.class);
            Future<Channel> again = onLoop(() -> pool.acquire(loop));
            again.await(5, TimeUnit.SECONDS);
            assertThat(again.cause()).as("tried anew, not queued behind a place never freed")
                    .isNotNull().isNotInstanceOf(TimeoutException.class);
        }
    }
}
