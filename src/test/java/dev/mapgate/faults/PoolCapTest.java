package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
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
    private static final long RESPONSE_TIMEOUT_MS = 2000;

    @TempDir
    static Path dir;
    RawOrigin origin;
    TestMapgate mapgate;

    @BeforeEach
    void start() {
        origin = RawOrigin.start();
        origin.route("/slow", link -> answerAfter(link, 3 * WAIT_MS));
        origin.route("/brief", link -> answerAfter(link, WAIT_MS / 4));
        // Each of these ends its connection another way; none may keep its place in the pool.
        origin.route("/silent", link -> After.HOLD);
        origin.route("/garbage", link -> {
            link.send("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n");
            return After.HOLD;
        });
        origin.route("/cut", link -> {
            link.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nok");
            return After.CLOSE;
        });
        origin.route("/stale", link -> {
            if (link.requests() > 1) {
                return After.CLOSE;
            }
            return answerAfter(link, 0);
        });
        origin.route("/post", link -> answerAfter(link, 0));
        mapgate = TestMapgate.in(dir).metrics(Metrics.inMemory()).config("""
                listen.io-threads = 1
                origin { url = "%s", max-connections = %d, connect-timeout = %dms, response-timeout = %dms }
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(origin.url(), CAP, WAIT_MS, RESPONSE_TIMEOUT_MS)).start();
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

    @Test
    @Heavy
    void everyWayALentConnectionEndsGivesItsPlaceBack() throws Exception {
        List<String> outcomes = new ArrayList<>();
        for (int round = 0; round < CAP + 1; round++) {
            try (RawClient c = mapgate.connect().readTimeout(10_000)) {
                outcomes.add("timeout " + c.get("/silent").status());
            }
            try (RawClient c = mapgate.connect().readTimeout(10_000)) {
                outcomes.add("garbage " + c.get("/garbage").status());
            }
            try (RawClient c = mapgate.connect().readTimeout(10_000)) {
                c.send(RawClient.request("GET", "/cut"));
                outcomes.add("cut " + c.readUntilClosed().length + "B");
            }
            try (RawClient c = mapgate.connect().readTimeout(10_000)) {
                outcomes.add("stale " + c.get("/stale").status() + "," + c.get("/stale").status());
                outcomes.add("post " + c.send("POST /post HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\nhi")
                        .read(false).status());
            }
            try (RawClient c = mapgate.connect()) {
                // The client leaves while mapgate waits for the origin's answer.
                c.send(RawClient.request("GET", "/slow"));
                Thread.sleep(50);
            }
        }
        Thread.sleep(3 * WAIT_MS);
        List<Timed> answers = concurrently(CAP, "/brief");
        System.out.printf("pool-cap: after %s, %d requests at once got %s in %s ms%n", outcomes, CAP,
                statuses(answers), millis(answers));
        assertThat(outcomes).as("each way out answered as before").contains("timeout 504", "garbage 502",
                "stale 200,200", "post 200");
        assertThat(statuses(answers)).as("no place was lost: the whole cap is lent again at once").containsOnly(200);
        assertThat(millis(answers)).as("without waiting for a place").allMatch(ms -> ms < WAIT_MS);
    }

    private record Timed(ResponseReader.Response response, long millis) {
    }

    private List<Timed> concurrently(int n, String path) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(n);
        try {
            List<Future<Timed>> pending = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                pending.add(clients.submit((Callable<Timed>) () -> {
                    try (RawClient c = mapgate.connect().readTimeout(10_000)) {
                        long start = System.nanoTime();
                        ResponseReader.Response r = c.get(path);
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
