package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.origin.OriginResolvers;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RunningMapgate;
import dev.mapgate.testing.TestDnsServer;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With one event loop, an origin name that takes 2 s to resolve holds up only the request that
 * needs a new origin connection: the gate keeps answering other clients, on new connections and
 * on connections already open, at once. The resolver that blocks its loop, as the JDK's does
 * when Netty's default group calls it, is measured the same way to show what the test catches.
 */
class SlowOriginDnsTest {

    private static final String NAME = "slow.mapgate.test";
    private static final Duration DNS_DELAY = Duration.ofSeconds(2);
    private static final int PROBES = 5;
    /** A denial that no event loop holds up takes a few ms; this leaves room for a busy machine. */
    private static final long PROMPT_MS = 200;
    /** A client the gate turns away: only 127.0.0.1 may read maps. */
    private static final String STRANGER = "127.0.0.9";

    @TempDir
    Path dir;

    /** What one run measured. */
    private record Figures(int slowStatus, long slowMs, List<Long> probeMs, List<Integer> probeStatuses) {
        long worstProbeMs() {
            return probeMs.stream().mapToLong(Long::longValue).max().orElseThrow();
        }
    }

    @Test
    void aSlowDnsAnswerDelaysOnlyTheRequestThatWaitsForIt() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start(); RawOrigin origin = RawOrigin.start()) {
            dns.answer(NAME, "127.0.0.1", 1, DNS_DELAY);
            origin.ok("/assets/app.js", "console.log(1)");

            Figures figures = measure(origin, OriginResolvers.using(dns.asNameServer()), () -> dns.queries(NAME) > 0);
            System.out.printf("slow-dns (netty dns resolver, 1 event loop): request needing a %d ms lookup %d in %d ms;"
                    + " %d other requests meanwhile %s ms (statuses %s)%n", DNS_DELAY.toMillis(), figures.slowStatus(),
                    figures.slowMs(), PROBES, figures.probeMs(), figures.probeStatuses());

            assertThat(figures.slowStatus()).as("the slow name resolves in the end and the origin answers").isEqualTo(200);
            assertThat(figures.slowMs()).as("the request really waited for the slow answer")
                    .isGreaterThanOrEqualTo(DNS_DELAY.toMillis() - 100);
            assertThat(figures.probeStatuses()).as("the gate answered every other client itself").containsOnly(404);
            assertThat(figures.worstProbeMs()).as("no other request waited for the lookup").isLessThan(PROMPT_MS);
        }
    }

    @Test
    void aResolverThatBlocksItsLoopHoldsUpEveryOtherRequest() throws Exception {
        try (RawOrigin origin = RawOrigin.start()) {
            origin.ok("/assets/app.js", "console.log(1)");
            BlockingResolvers blocking = new BlockingResolvers(DNS_DELAY);

            Figures figures = measure(origin, (settings, datagram, socket) -> blocking, () -> blocking.started);
            System.out.printf("slow-dns (blocking resolver, as the JDK's before, 1 event loop): request needing a %d ms"
                    + " lookup %d in %d ms; %d other requests meanwhile %s ms (statuses %s)%n", DNS_DELAY.toMillis(),
                    figures.slowStatus(), figures.slowMs(), PROBES, figures.probeMs(), figures.probeStatuses());

            assertThat(figures.worstProbeMs()).as("the first request after the lookup began waited for it: the loop was blocked")
                    .isGreaterThan(DNS_DELAY.toMillis() / 2);
        }
    }

    /**
     * Starts mapgate on one event loop, sends the request that must resolve the origin's name and,
     * once the lookup has begun, times other clients' requests that the gate answers itself.
     */
    private Figures measure(RawOrigin origin, OriginResolvers resolvers, BooleanSupplier lookupBegun) throws Exception {
        try (RunningMapgate mapgate = RunningMapgate.start(dir, """
                listen.io-threads = 1
                origin { url = "http://%s:%d", connect-timeout = 5s }
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(NAME, origin.port()), Metrics.inMemory(), resolvers);
             RawClient open = mapgate.connectFrom(STRANGER)) {
            InetSocketAddress address = mapgate.address();
            // Loads what a denial needs, and leaves a client connection open for later.
            assertThat(open.get("/assets/app.js.map").status()).isEqualTo(404);

            CompletableFuture<long[]> slow = CompletableFuture.supplyAsync(() -> {
                try (RawClient client = RawClient.connect(address)) {
                    long start = System.nanoTime();
                    int status = client.get("/assets/app.js").status();
                    return new long[] {status, Measure.millisSince(start)};
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(Measure.eventually(lookupBegun, Duration.ofSeconds(5))).as("the lookup began").isTrue();

            List<Long> probeMs = new ArrayList<>();
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < PROBES; i++) {
                // Alternately on the connection opened before and on a new one.
                long start = System.nanoTime();
                int status;
                if (i % 2 == 0) {
                    status = open.get("/assets/app.js.map").status();
                } else {
                    try (RawClient fresh = RawClient.connect(address, STRANGER)) {
                        status = fresh.get("/assets/app.js.map").status();
                    }
                }
                probeMs.add(Measure.millisSince(start));
                statuses.add(status);
            }
            long[] outcome = slow.get(20, TimeUnit.SECONDS);
            return new Figures((int) outcome[0], outcome[1], probeMs, statuses);
        }
    }

    /**
     * Resolves like Netty's DefaultAddressResolverGroup with the JDK's resolver: on the event loop
     * that opens the connection, blocking it until the answer is in. The answer is 127.0.0.1.
     */
    private static final class BlockingResolvers extends AddressResolverGroup<InetSocketAddress> {

        private final Duration delay;
        private volatile boolean started;

        BlockingResolvers(Duration delay) {
            this.delay = delay;
        }

        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new InetNameResolver(executor) {
                @Override
                protected void doResolve(String host, Promise<InetAddress> promise) throws Exception {
                    started = true;
                    Thread.sleep(delay.toMillis());
                    promise.setSuccess(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
                }

                @Override
                protected void doResolveAll(String host, Promise<List<InetAddress>> promise) throws Exception {
                    started = true;
                    Thread.sleep(delay.toMillis());
                    promise.setSuccess(List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})));
                }
            }.asAddressResolver();
        }
    }
}
