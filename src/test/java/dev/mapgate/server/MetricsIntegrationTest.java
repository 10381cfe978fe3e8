package dev.mapgate.server;

import static dev.mapgate.testing.MetricsScrape.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.MetricsScrape;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted mix of requests through mapgate on real sockets, then a scrape of the admin
 * listener's /metrics: each count is the number of requests of that kind the script sent.
 */
class MetricsIntegrationTest {

    static final String TOKEN = "metrics-token-31b7";

    @TempDir
    Path dir;

    @Test
    void aScrapeAfterAScriptedMixCountsEachKindOfRequestExactly() throws Exception {
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate {
                       allow-ips = ["127.0.0.1"]
                       token.tokens = [ { name = "sentry-2026", value = "%s" } ]
                     }
                     """.formatted(origin.url(), TOKEN))) {
            try (RawClient sentry = mapgate.connect(); RawClient stranger = mapgate.connectFrom("127.0.0.2")) {
                for (int i = 0; i < 3; i++) {
                    assertThat(sentry.get("/assets/app.js").status()).isEqualTo(200);
                }
                for (int i = 0; i < 2; i++) {
                    assertThat(sentry.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN).status()).isEqualTo(200);
                }
                // Sentry's address with a stale token: the drift an operator must hear about.
                assertThat(sentry.get("/assets/app.js.map", "X-Sentry-Token: last-years-token").status()).isEqualTo(404);
                assertThat(sentry.get("/assets/app.js.map").status()).isEqualTo(404);
                // The right token from the wrong address is no drift.
                assertThat(stranger.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN).status()).isEqualTo(404);
            }
            try (RawClient bad = mapgate.connect()) {
                bad.send("GET /assets/%2e%2e/app.js.map HTTP/1.1\r\nHost: x\r\n\r\n");
                assertThat(bad.read(false).status()).isEqualTo(400);
            }

            String metrics = scrape(mapgate);

            assertThat(value(metrics, "mapgate_requests_total", "route=\"pass\"", "outcome=\"allowed\"")).isEqualTo(3);
            assertThat(value(metrics, "mapgate_requests_total", "route=\"gated\"", "outcome=\"allowed\"",
                    "credential=\"sentry-2026\"")).as("the credential is named, never shown").isEqualTo(2);
            assertThat(value(metrics, "mapgate_requests_total", "outcome=\"denied\"", "reason=\"bad-credential\""))
                    .isEqualTo(1);
            assertThat(value(metrics, "mapgate_requests_total", "outcome=\"denied\"", "reason=\"no-credential\""))
                    .isEqualTo(1);
            assertThat(value(metrics, "mapgate_requests_total", "outcome=\"denied\"", "reason=\"ip\"",
                    "credential=\"sentry-2026\"")).as("a valid token from a refused address: Sentry moved?").isEqualTo(1);
            assertThat(value(metrics, "mapgate_requests_total", "outcome=\"denied\"", "reason=\"bad-request\""))
                    .isEqualTo(1);
            assertThat(value(metrics, "mapgate_gate_credential_drift_total")).isEqualTo(2);
            assertThat(value(metrics, "mapgate_origin_response_time_seconds_count"))
                    .as("one origin exchange per allowed request").isEqualTo(5);
            assertThat(value(metrics, "mapgate_client_bytes_total", "direction=\"out\""))
                    .as("bodies of the five allowed responses and the six refusals")
                    .isGreaterThanOrEqualTo(3 * TestOrigin.APP_JS.length() + 2 * TestOrigin.APP_MAP.length());
            assertThat(value(metrics, "mapgate_origin_connections")).as("the pool keeps its connection").isGreaterThanOrEqualTo(1);
            assertThat(value(metrics, "mapgate_origin_errors_total", "kind=\"connect\"")).isZero();
            assertThat(metrics).as("no secret in the scrape").doesNotContain(TOKEN).doesNotContain("last-years-token");
        }
    }

    @Test
    void aGuessingAddressIsThrottledWithRetryAfterAndTheScrapeSaysSo() throws Exception {
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate {
                       require = [credential]
                       token.tokens = [ { name = "sentry-2026", value = "%s" } ]
                       throttle { max-failures = 3, window = 1m, cool-down = 2m }
                     }
                     """.formatted(origin.url(), TOKEN))) {
            try (RawClient guesser = mapgate.connectFrom("127.0.0.3"); RawClient other = mapgate.connectFrom("127.0.0.4")) {
                for (int i = 0; i < 3; i++) {
                    assertThat(guesser.get("/assets/app.js.map", "X-Sentry-Token: guess-" + i).status()).isEqualTo(404);
                }
                ResponseReader.Response throttled = guesser.get("/assets/app.js.map", "X-Sentry-Token: guess-3");
                assertThat(throttled.status()).as("a guess waits out the cool-down").isEqualTo(429);
                assertThat(Integer.parseInt(throttled.header("Retry-After"))).isBetween(100, 120);
                assertThat(throttled.header("Cache-Control")).contains("no-store");
                assertThat(guesser.get("/assets/app.js").status()).as("assets are still served").isEqualTo(200);
                assertThat(guesser.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN).status())
                        .as("and so is the right token").isEqualTo(200);
                assertThat(other.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN).status())
                        .as("another address is not affected").isEqualTo(200);
            }

            String metrics = scrape(mapgate);

            assertThat(value(metrics, "mapgate_requests_total", "outcome=\"denied\"", "reason=\"throttled\"")).isEqualTo(1);
            assertThat(value(metrics, "mapgate_requests_total", "reason=\"bad-credential\"")).isEqualTo(3);
            assertThat(value(metrics, "mapgate_gate_throttle_started_total")).isEqualTo(1);
            assertThat(value(metrics, "mapgate_gate_throttle_tracked")).isEqualTo(1);
        }
    }

    @Test
    void theScrapeShowsHeapAndNettyBufferMemoryAsMainRegistersThem() throws Exception {
        Metrics metrics = new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
                .withJvmAndNetty(ByteBufAllocator.DEFAULT);
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.in(dir).metrics(metrics).config("""
                     origin.url = "%s"
                     gate { require = [ip], allow-ips = ["127.0.0.1"] }
                     """.formatted(origin.url())).start()) {
            try (RawClient client = mapgate.connect()) {
                assertThat(client.get("/assets/app.js").status()).isEqualTo(200);
            }
            // Gauges that hold their object weakly are gone after a collection; these must not be.
            System.gc();

            String scrape = scrape(mapgate);

            assertThat(value(scrape, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
            assertThat(value(scrape, "netty_allocator_memory_used_bytes", "memory_type=\"direct\""))
                    .as("the buffers mapgate reads and writes with").isPositive();
            assertThat(value(scrape, "jvm_threads_live_threads")).isPositive();
        }
    }

    static String scrape(TestMapgate mapgate) throws Exception {
        return MetricsScrape.of(mapgate.server().adminAddress().getPort());
    }
}
