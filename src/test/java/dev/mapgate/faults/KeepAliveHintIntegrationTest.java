package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.TestMapgate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 as the user met it, sped up: an origin that closes idle connections after its
 * advertised {@code Keep-Alive: timeout=1}, and requests spaced about that long apart on kept-alive
 * client connections. mapgate stops lending a connection before the origin's timeout.
 */
@Heavy
class KeepAliveHintIntegrationTest {

    private static final int CLIENTS = 6;
    private static final int REQUESTS_EACH = 10;

    @TempDir
    static Path dir;
    RawOrigin origin;
    Metrics metrics;
    TestMapgate mapgate;

    @BeforeEach
    void start() {
        origin = RawOrigin.start().closeIdleAfter(1000);
        origin.route("/app.js", link -> {
            link.send("HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nKeep-Alive: timeout=1\r\n"
                    + "Content-Length: 3\r\n\r\nok\n");
            return After.KEEP_ALIVE;
        });
        metrics = Metrics.inMemory();
        // The pool's own limit is far longer than the origin's: only the hint can keep it safe. One
        // event loop, so one pool, per client: each pool sees a request about every second.
        mapgate = TestMapgate.in(dir).metrics(metrics).config("""
                listen.io-threads = %d
                origin { url = "%s", pool-idle-timeout = 60s, response-timeout = 10s }
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(CLIENTS, origin.url())).start();
    }

    @AfterEach
    void stop() {
        mapgate.close();
        origin.close();
    }

    @Test
    void requestsSpacedAboutTheOriginsKeepAliveTimeoutAllSucceed() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> done = new ArrayList<>();
        long started = System.nanoTime();
        for (int c = 0; c < CLIENTS; c++) {
            Random random = new Random(c);
            done.add(clients.submit(() -> {
                try (RawClient client = mapgate.connect()) {
                    client.readTimeout(15_000);
                    for (int i = 0; i < REQUESTS_EACH; i++) {
                        if (client.get("/app.js").status() != 200) {
                            failures.incrementAndGet();
                        }
                        Thread.sleep(900 + random.nextInt(201));
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        clients.shutdown();
        double retries = metrics.registry().find("mapgate.origin.retries").counter().count();
        System.out.printf("keep-alive-hint: %d requests spaced 0.9-1.1 s on %d client connections in %d ms:"
                + " %d failed; origin connections %d; retries %.0f%n", CLIENTS * REQUESTS_EACH, CLIENTS,
                Measure.millisSince(started), failures.get(), origin.links().size(), retries);
        assertThat(failures.get()).as("no request meets a connection the origin is closing").isZero();
        assertThat(retries).as("the hint alone kept mapgate off connections the origin was about to close")
                .isZero();
    }
}
