package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token rotated while traffic flows: the file watcher swaps the config under load, and no
 * client notices except the one whose token was replaced.
 */
class ReloadUnderLoadTest {

    private static final String STEADY = "steady-token-0000000000000";
    private static final int ROTATIONS = 20;
    private static final int CLIENTS = 4;

    @TempDir
    Path dir;

    @Test
    void rotatingATokenFileUnderLoadFailsNoRequestAndTheNewTokenWorks() throws Exception {
        Path rotating = dir.resolve("rotating.token");
        Files.writeString(rotating, token(0));
        try (TestOrigin origin = new TestOrigin()) {
            TestMapgate mapgate = TestMapgate.start(dir, """
                    origin.url = "%s"
                    reload.check-interval = 20ms
                    gate {
                      allow-ips = ["127.0.0.1"]
                      token.tokens = [ { name = "steady", value = "%s" }, { name = "rotating", file = "%s" } ]
                    }
                    """.formatted(origin.url(), STEADY, rotating));
            try {
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong served = new AtomicLong();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
                List<Future<?>> load = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    load.add(pool.submit(() -> keepFetching(mapgate, running, served, failures)));
                }

                for (int n = 1; n <= ROTATIONS; n++) {
                    Files.writeString(rotating, token(n));
                    String current = token(n);
                    awaitStatus(mapgate, current, 200);
                    // Let the load run under each config for a moment, not only across the swaps.
                    Thread.sleep(50);
                }
                running.set(false);
                for (Future<?> f : load) {
                    f.get(30, TimeUnit.SECONDS);
                }
                pool.shutdown();

                System.out.printf("reload-under-load: %d requests over %d token rotations, %d failed%n",
                        served.get(), ROTATIONS, failures.size());
                assertThat(failures).as("requests that failed during the rotations").isEmpty();
                assertThat(served.get()).as("the load really ran, several requests per rotation")
                        .isGreaterThan(ROTATIONS * 4L);
                assertThat(mapStatus(mapgate, token(ROTATIONS))).as("the newest token").isEqualTo(200);
                assertThat(mapStatus(mapgate, token(ROTATIONS - 1))).as("the token it replaced").isEqualTo(404);
            } finally {
                mapgate.close();
            }
        }
    }

    @Test
    void aRequestAlreadyAllowedFinishesAfterItsTokenIsRotatedOut() throws Exception {
        Path rotating = dir.resolve("rotating.token");
        Files.writeString(rotating, token(0));
        try (TestOrigin origin = new TestOrigin()) {
            TestMapgate mapgate = TestMapgate.start(dir, """
                    origin.url = "%s"
                    reload.check-interval = 20ms
                    gate {
                      paths = ["**/*.map", "/slow"]
                      allow-ips = ["127.0.0.1"]
                      token.tokens = [ { name = "rotating", file = "%s" } ]
                    }
                    """.formatted(origin.url(), rotating));
            try (RawClient slow = mapgate.connect()) {
                slow.send(RawClient.request("GET", "/slow?ms=1500", "X-Sentry-Token: " + token(0)));
                Thread.sleep(200);
                Files.writeString(rotating, token(1));
                awaitStatus(mapgate, token(1), 200);

                Response late = slow.read(false);
                assertThat(late.status()).as("judged under the config it arrived with").isEqualTo(200);
                assertThat(late.bodyText()).isEqualTo("late\n");
                assertThat(slow.get("/slow?ms=1", "X-Sentry-Token: " + token(0)).status())
                        .as("the next request on the same connection is judged by the new config").isEqualTo(404);
            } finally {
                mapgate.close();
            }
        }
    }

    /** Keep-alive connections fetching a map with the token that never changes, and an asset. */
    private static void keepFetching(TestMapgate mapgate, AtomicBoolean running, AtomicLong served,
                                     ConcurrentLinkedQueue<String> failures) {
        try (RawClient c = mapgate.connect()) {
            while (running.get()) {
                Response map = c.get("/assets/app.js.map", "X-Sentry-Token: " + STEADY);
                Response js = c.get("/assets/app.js");
                if (map.status() != 200 || js.status() != 200) {
                    failures.add("map " + map.status() + ", js " + js.status());
                }
                served.addAndGet(2);
            }
        } catch (IOException e) {
            failures.add(e.toString());
        }
    }

    private static void awaitStatus(TestMapgate mapgate, String token, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (mapStatus(mapgate, token) != status) {
            assertThat(System.nanoTime()).as("token %s answered %d within 30 s", token, status).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static int mapStatus(TestMapgate mapgate, String token) throws IOException {
        try (RawClient c = mapgate.connect()) {
            return c.get("/assets/app.js.map", "X-Sentry-Token: " + token).status();
        }
    }

    private static String token(int n) {
        return "rotating-token-%012d".formatted(n);
    }
}
