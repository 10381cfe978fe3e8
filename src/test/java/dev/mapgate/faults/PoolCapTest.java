package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.RunningMapgate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code origin.max-connections}: requests beyond the cap wait for a connection to come free, up
 * to connect-timeout, then get 503 with Retry-After; the origin never sees more connections.
 */
class PoolCapTest {

    private static final int CAP = 2;
    private static final long WAIT_MS = 500;

    @TempDir
    static Path dir;
    RawOrigin origin;
    RunningMapgate mapgate;

    @BeforeEach
    void start() {
        origin = RawOrigin.start();
        origin.route("/slow", link -> answerAfter(link, 3 * WAIT_MS));
        origin.route("/brief", link -> answerAfter(link, WAIT_MS / 4));
        mapgate = RunningMapgate.start(dir, """
                listen.io-threads = 1
                origin { url = "%s", max-connections = %d, connect-timeout = %dms, response-timeout = 10s }
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(origin.url(), CAP, WAIT_MS), Metrics.inMemory());
    }

    private static After answerAfter(RawOrigin.Link link, long millis) throws java.io.IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        link.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n");
        return After.KEEP_ALIVE;
    }

    @AfterEach
    void stop() {
        mapgate.close();
        origin.close();
    }

    @Test
    void requestsBeyondTheCapWaitTheirTurnAndAreServed() throws Exception {
        List<Timed> answers = concurrently(2 * CAP, "/brief");
        System.out.printf("pool-cap: %d requests at once, cap %d, each answered in %d ms: statuses %s after %s ms;"
                + " origin connections %d%n", 2 * CAP, CAP, WAIT_MS / 4, statuses(answers), millis(answers),
                origin.links().size());
        assertThat(statuses(answers)).as("the waiting ones got a connection when one came free").containsOnly(200);
        assertThat(origin.links().size()).as("never more connections than the cap").isLessThanOrEqualTo(CAP);
    }

    @Test
    void aRequestThatWaitsLongerThanConnectTimeoutGets503WithRetryAfter() throws Exception {
        List<Timed> answers = concurrently(2 * CAP, "/slow");
        System.out.printf("pool-cap: %d requests at once, cap %d, each answered in %d ms, wait %d ms: statuses %s"
                + " after %s ms; origin connections %d%n", 2 * CAP, CAP, 3 * WAIT_MS, WAIT_MS, statuses(answers),
                millis(answers), origin.links().size());
        assertThat(statuses(answers)).as("the cap's worth served, the rest refused").containsExactlyInAnyOrder(
                200, 200, 503, 503);
        for (Timed t : answers) {
            if (t.response.status() == 503) {
                assertThat(t.response.header("Retry-After")).isEqualTo("1");
                assertThat(t.millis).as("refused once the wait ran out, not before").isBetween(WAIT_MS - 50, 3 * WAIT_MS);
            }
        }
        assertThat(origin.links().size()).as("never more connections than the cap").isLessThanOrEqualTo(CAP);
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/brief").status()).as("the places freed by the answers are lent again").isEqualTo(200);
        }
        assertThat(origin.links().size()).isLessThanOrEqualTo(CAP);
    }

    private record Timed(RawClient.Response response, long millis) {
    }

    private List<Timed> concurrently(int n, String path) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try {
            List<Future<Timed>> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                pending.add(clients.submit((Callable<Timed>) () -> {
                    try (RawClient c = mapgate.connect().readTimeout(10_000)) {
                        long start = System.nanoTime();
                        RawClient.Response r = c.get(path);
                        return new Timed(r, Measure.millisSince(start));
                    }
                }));
            }
            List<Timed> done = new ArrayList<>();
            for (Future<Timed> f : pending) {
                done.add(f.get(20, TimeUnit.SECONDS));
            }
            return done;
        } finally {
            clients.shutdownNow();
        }
    }

    private static List<Integer> statuses(List<Timed> answers) {
        return answers.stream().map(t -> t.response.status()).toList();
    }

    private static List<Long> millis(List<Timed> answers) {
        return answers.stream().map(Timed::millis).toList();
    }
}
