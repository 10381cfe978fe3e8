package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.origin.OriginResolvers;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.TestDnsServer;
import dev.mapgate.testing.TestMapgate;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With one event loop, an origin name that takes 2 s to resolve holds up only the request that
 * needs a new origin connection: a response already on its way over a pooled connection, a request
 * that borrows a pooled connection, and the gate's own answers to other clients all go on at once.
 * The resolver that blocks its loop, as the JDK's does when Netty's default group calls it, is
 * measured the same way to show what the test catches.
 */
@Heavy
class SlowOriginDnsTest {

    private static final String NAME = "slow.mapgate.test";
    private static final int TTL_SECONDS = 1;
    private static final Duration DNS_DELAY = Duration.ofSeconds(2);
    /** How long the origin takes to answer the request that is in flight during the lookup. */
    private static final long HELD_MS = 300;
    private static final int PROBES = 5;
    /** A request that no event loop holds up takes a few ms; this leaves room for a busy machine. */
    private static final long PROMPT_MS = 200;
    /** A client the gate turns away: only 127.0.0.1 may read maps. */
    private static final String STRANGER = "127.0.0.9";
    private static final String MAP = "/assets/app.js.map";

    @TempDir
    Path dir;

    /** One request's status and how long its answer took. */
    private record Timed(int status, long ms) {
        @Override
        public String toString() {
            return status + " in " + ms + " ms";
        }
    }

    /** What one run measured. */
    private record Figures(Timed slow, Timed inFlight, Timed pooled, List<Timed> denials, int originConnections) {
        long worstDenialMs() {
            return denials.stream().mapToLong(Timed::ms).max().orElseThrow();
        }

        String describe(String resolver) {
            return String.format("slow-dns (%s, 1 event loop, %d ms lookup): the request waiting for it %s;"
                    + " a request in flight (origin answers after %d ms) %s; a pooled request afterwards %s;"
                    + " %d denials meanwhile %s; origin connections opened %d", resolver, DNS_DELAY.toMillis(), slow,
                    HELD_MS, inFlight, pooled, PROBES, denials, originConnections);
        }
    }

    @Test
    void aSlowDnsAnswerDelaysOnlyTheRequestThatWaitsForIt() throws Exception {
        try (TestDnsServer dns = TestDnsServer.start(); RawOrigin origin = RawOrigin.start()) {
            dns.answer(NAME, "127.0.0.1", TTL_SECONDS, Duration.ZERO);
            AtomicInteger askedBefore = new AtomicInteger();
            Runnable turnSlow = () -> {
                askedBefore.set(dns.queries(NAME));
                dns.answer(NAME, "127.0.0.1", TTL_SECONDS, DNS_DELAY);
            };

            Figures figures = measure(origin, OriginResolvers.using(dns.asNameServer()), turnSlow,
                    () -> dns.queries(NAME) > askedBefore.get());
            System.out.println(figures.describe("netty dns resolver"));

            assertThat(figures.slow().status()).as("the slow name resolves in the end and the origin answers").isEqualTo(200);
            assertThat(figures.slow().ms()).as("the request really waited for the slow answer")
                    .isGreaterThanOrEqualTo(DNS_DELAY.toMillis() - 100);
            assertThat(figures.inFlight().status()).isEqualTo(200);
            assertThat(figures.inFlight().ms()).as("the response in flight was relayed as soon as the origin sent it")
                    .isLessThan(HELD_MS + PROMPT_MS);
            assertThat(figures.pooled()).as("a request on a pooled connection did not wait for the lookup")
                    .satisfies(t -> assertThat(t.status()).isEqualTo(200), t -> assertThat(t.ms()).isLessThan(PROMPT_MS));
            assertThat(figures.originConnections()).as("the warm-up's connection, reused, and the slow request's own")
                    .isEqualTo(2);
            assertThat(figures.denials()).as("the gate answered every other client itself")
                    .allSatisfy(t -> assertThat(t.status()).isEqualTo(404));
            assertThat(figures.worstDenialMs()).as("no denial waited for the lookup").isLessThan(PROMPT_MS);
        }
    }

    @Test
    void aResolverThatBlocksItsLoopHoldsUpEveryOtherRequest() throws Exception {
        try (RawOrigin origin = RawOrigin.start()) {
            BlockingResolvers blocking = new BlockingResolvers();

            Figures figures = measure(origin, (settings, datagram, socket) -> blocking, () -> blocking.slow = true,
                    () -> blocking.started);
            System.out.println(figures.describe("blocking resolver, as the JDK's before"));

            assertThat(figures.inFlight().ms()).as("the response in flight waited for the lookup: the loop was blocked")
                    .isGreaterThan(DNS_DELAY.toMillis() / 2);
            assertThat(figures.worstDenialMs()).as("the first denial after the lookup began waited for it too")
                    .isGreaterThan(DNS_DELAY.toMillis() / 2);
        }
    }

    /**
     * Starts mapgate on one event loop with one pooled origin connection; once the name's record
     * has expired and lookups are slow, sends a request the origin answers after a while (it takes
     * the pooled connection), then one that needs a new connection and so a lookup. While that
     * lookup waits, times other clients' requests that the gate answers itself, and, once the
     * first response is in, a request that borrows the connection it gave back.
     */
    private Figures measure(RawOrigin origin, OriginResolvers resolvers, Runnable turnSlow, BooleanSupplier lookupBegun)
            throws Exception {
        CountDownLatch heldArrived = new CountDownLatch(1);
        origin.ok("/assets/app.js", "console.log(1)");
        origin.route("/assets/held.js", link -> {
            heldArrived.countDown();
            pause(HELD_MS);
            link.send("HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nContent-Length: 1\r\n\r\n1");
            return After.KEEP_ALIVE;
        });
        try (TestMapgate mapgate = TestMapgate.in(dir).metrics(Metrics.inMemory()).resolvers(resolvers).config("""
                listen.io-threads = 1
                origin { url = "http://%s:%d", connect-timeout = 5s }
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(NAME, origin.port())).start();
             RawClient open = mapgate.connectFrom(STRANGER)) {
            InetSocketAddress address = mapgate.address();
            // Loads what a denial needs, leaves a client connection open for later, and leaves one
            // origin connection in the pool.
            assertThat(open.get(MAP).status()).isEqualTo(404);
            assertThat(timed(address, null, "/assets/app.js").status()).isEqualTo(200);
            Thread.sleep(TTL_SECONDS * 1000L + 100);
            turnSlow.run();

            CompletableFuture<Timed> inFlight = CompletableFuture.supplyAsync(() -> timed(address, null, "/assets/held.js"));
            assertThat(heldArrived.await(5, TimeUnit.SECONDS)).as("the origin got the request in flight").isTrue();
            CompletableFuture<Timed> slow = CompletableFuture.supplyAsync(() -> timed(address, null, "/assets/app.js"));
            assertThat(Measure.eventually(lookupBegun, Duration.ofSeconds(5))).as("the lookup began").isTrue();

            List<Timed> denials = new ArrayList<>();
            for (int i = 0; i < PROBES; i++) {
                // Alternately on the connection opened before and on a new one.
                if (i % 2 == 0) {
                    long start = System.nanoTime();
                    denials.add(new Timed(open.get(MAP).status(), Measure.millisSince(start)));
                } else {
                    denials.add(timed(address, STRANGER, MAP));
                }
            }
            Timed inFlightDone = inFlight.get(20, TimeUnit.SECONDS);
            // The connection goes back to the pool as the response ends; give that a moment.
            Thread.sleep(50);
            Timed pooled = timed(address, null, "/assets/app.js");
            Timed slowDone = slow.get(20, TimeUnit.SECONDS);
            return new Figures(slowDone, inFlightDone, pooled, denials, origin.links().size());
        }
    }

    /** One GET on a new connection, from {@code source} (or the default address), timed. */
    private static Timed timed(InetSocketAddress address, String source, String path) {
        try (RawClient client = RawClient.connect(address, source)) {
            long start = System.nanoTime();
            int status = client.get(path).status();
            return new Timed(status, Measure.millisSince(start));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException();
        }
    }

    /**
     * Resolves like Netty's DefaultAddressResolverGroup with the JDK's resolver: on the event loop
     * that opens the connection, blocking it until the answer is in; slowly once told to. The
     * answer is 127.0.0.1.
     */
    private static final class BlockingResolvers extends AddressResolverGroup<InetSocketAddress> {

        private volatile boolean slow;
        private volatile boolean started;

        @Override
        protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
            return new InetNameResolver(executor) {
                @Override
                protected void doResolve(String host, Promise<InetAddress> promise) throws Exception {
                    promise.setSuccess(lookUp(host));
                }

                @Override
                protected void doResolveAll(String host, Promise<List<InetAddress>> promise) throws Exception {
                    promise.setSuccess(List.of(lookUp(host)));
                }
            }.asAddressResolver();
        }

        private InetAddress lookUp(String host) throws Exception {
            if (slow) {
                started = true;
                Thread.sleep(DNS_DELAY.toMillis());
            }
            return InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1});
        }
    }
}
