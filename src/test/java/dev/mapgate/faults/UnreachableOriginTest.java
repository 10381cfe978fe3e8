package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.TestMapgate;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An origin that refuses connections, one that swallows them, and one that accepts and never
 * answers: each gets its documented status within its timeout, and once it is over mapgate holds
 * no origin connection and the process no more file descriptors than before.
 *
 * <p>{@code ProxyGateIntegrationTest.anUnreachableOriginGives502AndMapgateKeepsServing} already
 * shows that a refusal is a 502 and leaves the client's connection usable.
 */
@Heavy
class UnreachableOriginTest {

    private static final int REQUESTS_EACH = 20;
    private static final long CONNECT_TIMEOUT_MS = 1000;
    private static final long RESPONSE_TIMEOUT_MS = 1000;
    /**
     * What a busy 2-core machine may add to a timeout before the answer is out. Without the
     * timeouts the requests would hang until the client gives up, 20 s on.
     */
    private static final long SLACK_MS = 3000;

    @TempDir
    static Path dir;

    /** One unreachable origin behind its own mapgate, and the answer it should get. */
    private record Case(String name, TestMapgate mapgate, Metrics metrics, int status, long atLeastMs, long atMostMs) {
    }

    /** One request's outcome. */
    private record Outcome(int status, long millis) {
    }

    @Test
    void refusedSwallowedAndSilentOriginsGet502Or504InTimeAndLeaveNothingOpen() throws Exception {
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
        List<Case> cases = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(3 * REQUESTS_EACH);
        try (BlackHole hole = BlackHole.open(); RawOrigin silent = RawOrigin.start()) {
            silent.route("/assets/app.js", link -> After.HOLD);
            cases.add(start("refused", "http://127.0.0.1:" + closedPort, 502, 0, CONNECT_TIMEOUT_MS));
            cases.add(start("black-holed", hole.url(), 504, CONNECT_TIMEOUT_MS, CONNECT_TIMEOUT_MS + SLACK_MS));
            cases.add(start("silent", silent.url(), 504, RESPONSE_TIMEOUT_MS, RESPONSE_TIMEOUT_MS + SLACK_MS));

            // A first round loads what a first failure needs (classes, pools), so that the
            // baseline is taken with everything mapgate keeps for good already there.
            for (Case c : cases) {
                assertThat(request(c).status()).as(c.name()).isEqualTo(c.status());
            }
            assertThat(Measure.eventually(() -> silent.links().stream().allMatch(RawOrigin.Link::hungUp), Duration.ofSeconds(5)))
                    .isTrue();
            long fdsBefore = settledFds();

            List<List<Future<Outcome>>> pending = new ArrayList<>();
            for (Case c : cases) {
                List<Future<Outcome>> each = new ArrayList<>();
                for (int i = 0; i < REQUESTS_EACH; i++) {
                    each.add(clients.submit(() -> request(c)));
                }
                pending.add(each);
            }
            StringBuilder figures = new StringBuilder();
            for (int k = 0; k < cases.size(); k++) {
                Case c = cases.get(k);
                List<Long> millis = new ArrayList<>();
                for (Future<Outcome> f : pending.get(k)) {
                    Outcome outcome = f.get();
                    assertThat(outcome.status()).as("%s origin", c.name()).isEqualTo(c.status());
                    millis.add(outcome.millis());
                }
                assertThat(millis).as("%s origin: %d within its timeout", c.name(), c.status())
                        .allSatisfy(ms -> assertThat(ms).isBetween(c.atLeastMs() - 100, c.atMostMs()));
                figures.append(String.format("%s %d in %d ms median (max %d); ", c.name(), c.status(),
                        Measure.median(millis), Measure.max(millis)));
            }

            assertThat(Measure.eventually(() -> silent.links().stream().allMatch(RawOrigin.Link::hungUp), Duration.ofSeconds(5)))
                    .as("mapgate closed every connection the silent origin accepted").isTrue();
            assertThat(Measure.eventually(() -> cases.stream().allMatch(c -> Measure.originConnections(c.metrics()) == 0),
                    Duration.ofSeconds(5))).as("mapgate's gauge of origin connections is back to 0").isTrue();
            boolean fdsBack = Measure.eventually(() -> Measure.fds() <= fdsBefore, Duration.ofSeconds(5));
            long fdsAfter = Measure.fds();
            System.out.printf("origin-unreachable: %d concurrent requests each: %sorigin connections afterwards 0;"
                    + " file descriptors %d before, %d after%n", REQUESTS_EACH, figures, fdsBefore, fdsAfter);
            assertThat(fdsBack).as("file descriptors back at the baseline of %d, now %d", fdsBefore, fdsAfter).isTrue();
        } finally {
            clients.shutdownNow();
            cases.forEach(c -> c.mapgate().close());
        }
    }

    private static Case start(String name, String url, int status, long atLeastMs, long atMostMs) {
        Metrics metrics = Metrics.inMemory();
        TestMapgate mapgate = TestMapgate.in(dir).metrics(metrics).config("""
                origin { url = "%s", connect-timeout = %dms, response-timeout = %dms }
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(url, CONNECT_TIMEOUT_MS, RESPONSE_TIMEOUT_MS)).start();
        return new Case(name, mapgate, metrics, status, atLeastMs, atMostMs);
    }

    private static Outcome request(Case c) throws Exception {
        try (RawClient client = c.mapgate().connect()) {
            long start = System.nanoTime();
            int status = client.get("/assets/app.js").status();
            return new Outcome(status, Measure.millisSince(start));
        }
    }

    /** The descriptor count once it has stopped falling: sockets just closed may take a moment. */
    private static long settledFds() throws InterruptedException {
        long fds = Measure.fds();
        for (int i = 0; i < 50; i++) {
            Thread.sleep(20);
            long now = Measure.fds();
            if (now == fds) {
                return fds;
            }
            fds = now;
        }
        return fds;
    }
}
