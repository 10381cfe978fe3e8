package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.RawOrigin.Link;
import dev.mapgate.testing.TestMapgate;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code origin.pool-idle-timeout}: a pooled origin connection nobody uses is closed by mapgate
 * before the origin's own keep-alive timeout could close it under a request; one in use is not,
 * however long the origin takes (that is {@code response-timeout}'s business).
 */
class PoolIdleTest {

    private static final long POOL_IDLE_MS = 500;
    private static final long SLOW_ORIGIN_MS = 3 * POOL_IDLE_MS;

    @TempDir
    static Path dir;
    RawOrigin origin;
    Metrics metrics;
    TestMapgate mapgate;

    @BeforeEach
    void start() {
        origin = RawOrigin.start().ok("/ok", "ok\n");
        origin.route("/slow", link -> {
            try {
                Thread.sleep(SLOW_ORIGIN_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            link.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nslow\n");
            return After.KEEP_ALIVE;
        });
        metrics = Metrics.inMemory();
        mapgate = TestMapgate.in(dir).metrics(metrics).config("""
                listen.io-threads = 1
                origin { url = "%s", pool-idle-timeout = %dms, response-timeout = 10s }
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(origin.url(), POOL_IDLE_MS)).start();
    }

    @AfterEach
    void stop() {
        mapgate.close();
        origin.close();
    }

    @Test
    void anIdlePooledConnectionIsClosedByMapgateAfterThePoolIdleTimeout() throws Exception {
        assertThat(get("/ok")).isEqualTo("ok\n");
        Link pooled = origin.links().get(0);
        long returned = System.nanoTime();

        assertThat(Measure.eventually(pooled::hungUp, Duration.ofSeconds(5)))
                .as("mapgate closes the connection it no longer uses").isTrue();
        long idleMs = Duration.ofNanos(pooled.hungUpNanos() - returned).toMillis();
        System.out.printf("pool-idle: an unused origin connection closed %d ms after its last response"
                + " (pool-idle-timeout %d ms)%n", idleMs, POOL_IDLE_MS);
        assertThat(idleMs).as("not before the timeout").isGreaterThanOrEqualTo(POOL_IDLE_MS - 50);
        assertThat(Measure.eventually(() -> Measure.originConnections(metrics) == 0, Duration.ofSeconds(5))).isTrue();
        assertThat(get("/ok")).as("the next request opens a new one").isEqualTo("ok\n");
        assertThat(origin.links()).hasSize(2);
    }

    @Test
    void aConnectionWaitingForASlowResponseIsNotTakenForIdle() throws Exception {
        assertThat(get("/slow")).as("the origin answered after three pool-idle timeouts").isEqualTo("slow\n");
        assertThat(origin.links().get(0).hungUp()).as("and the connection went back to the pool").isFalse();
    }

    private String get(String path) throws Exception {
        try (RawClient c = mapgate.connect()) {
            return c.get(path).bodyText();
        }
    }
}
