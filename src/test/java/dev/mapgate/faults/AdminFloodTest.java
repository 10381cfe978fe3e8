package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.FileLimit;
import dev.mapgate.testing.MapgateProcess;
import dev.mapgate.testing.RawClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18's attack on the admin listener, scaled down: mapgate runs with few file descriptors,
 * and more connections than it has descriptors are opened to its admin port, each sending a
 * request head a byte at a time and never finishing it. Meanwhile the traffic listener must
 * still serve, and {@code /healthz} must still answer 200, or the kubelet would restart a pod
 * that is fine.
 *
 * <p>Bounded: {@value #FLOOD} loopback connections, held for about {@value #HOLD_SECONDS} s, all
 * closed by the test at the end.
 */
class AdminFloodTest {

    /** mapgate's soft and hard limit: its JVM alone holds about 90 (the test classpath's jars). */
    private static final int FILE_LIMIT = 300;
    /** More admin connections than mapgate has descriptors. */
    private static final int FLOOD = FILE_LIMIT + 200;
    private static final int HOLD_SECONDS = 6;
    /** What a kubelet gives a probe in the shipped manifests (livenessProbe.timeoutSeconds). */
    private static final int PROBE_TIMEOUT_MS = 3000;
    private static final Pattern OVER_LIMIT = Pattern.compile(
            "(?m)^mapgate_admin_connections_over_limit_total\\{closed=\"oldest-waiting\"} ([0-9.eE+]+)$");
    private static final byte[] DRIP = ("GET /healthz HTTP/1.1\r\nHost: flood\r\nX-Drip: " + "d".repeat(200))
            .getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void aSlowFloodOnTheAdminPortLeavesTheTrafficListenerAndHealthzAnswering() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("app.js"), "console.log('served');\n");
        Path config = dir.resolve("mapgate.conf");
        // A traffic cap the descriptors can afford (2 x 32), and a fixed number of event loops
        // (3 descriptors each), so that the same limit fits on a machine with many cores.
        Files.writeString(config, """
                mapgate {
                  listen { host = "127.0.0.1", port = 0, max-connections = 32, io-threads = 2 }
                  origin.directory = "%s"
                }
                """.formatted(site));
        try (MapgateProcess mapgate = MapgateProcess.startWithFileLimit(FILE_LIMIT, Map.of(),
                "--config", config.toString())) {
            InetSocketAddress traffic = new InetSocketAddress("127.0.0.1", mapgate.awaitPort());
            InetSocketAddress admin = new InetSocketAddress("127.0.0.1", mapgate.adminPort());
            // Before the flood, and what a first request costs a cold JVM out of the figures below.
            Probe.of(admin, "/healthz");
            Probe healthzBefore = Probe.of(admin, "/healthz");
            Probe requestBefore = Probe.of(traffic, "/app.js");
            FileLimit before = FileLimit.of(mapgate.pid());

            // A scraper that keeps its connection between scrapes, as Prometheus does.
            try (RawClient scraper = RawClient.connect(admin).readTimeout(PROBE_TIMEOUT_MS);
                 Flood flood = new Flood()) {
                assertThat(scraper.get("/metrics").status()).as("a scrape before the flood").isEqualTo(200);

                long start = System.nanoTime();
                flood.open(admin, FLOOD);
                double openSeconds = (System.nanoTime() - start) / 1e9;
                List<Probe> healthz = new ArrayList<>();
                List<Probe> requests = new ArrayList<>();
                healthz.add(Probe.of(admin, "/healthz"));
                requests.add(Probe.of(traffic, "/app.js"));
                FileLimit atPeak = FileLimit.of(mapgate.pid());
                int keptAtPeak = flood.stillOpen();
                long holdUntil = start + TimeUnit.SECONDS.toNanos(HOLD_SECONDS);
                while (System.nanoTime() < holdUntil) {
                    Thread.sleep(500);
                    flood.drip();
                    healthz.add(Probe.of(admin, "/healthz"));
                    requests.add(Probe.of(traffic, "/app.js"));
                }
                FileLimit atEnd = FileLimit.of(mapgate.pid());
                int keptAtEnd = flood.stillOpen();
                Probe scrape = Probe.on(scraper, "/metrics");

                System.out.printf("admin-flood: mapgate's open-file limit %d soft / %d hard; %d open before the flood,"
                                + " %d just after it opened, %d after %d s%n", before.soft(), before.hard(),
                        before.open(), atPeak.open(), atEnd.open(), HOLD_SECONDS);
                System.out.printf("admin-flood: %d slow admin connections opened in %.2f s (%d failed to connect);"
                                + " not closed by mapgate (accepted, or waiting in the accept queue): %d just after,"
                                + " %d after %d s%n", flood.opened(), openSeconds, flood.connectFailures(), keptAtPeak,
                        keptAtEnd, HOLD_SECONDS);
                System.out.printf("admin-flood: before the flood: /healthz %s, GET /app.js %s%n", healthzBefore,
                        requestBefore);
                System.out.printf("admin-flood: /healthz on a new connection during the flood: %s%n", healthz);
                System.out.printf("admin-flood: GET /app.js on the traffic listener during the flood: %s%n", requests);
                System.out.printf("admin-flood: a scrape on the connection kept from before the flood: %s; %s%n",
                        scrape, scrape.closedOldest() < 0 ? "no admin over-limit meter"
                                : "mapgate_admin_connections_over_limit_total{closed=\"oldest-waiting\"} "
                                + scrape.closedOldest());

                assertThat(healthz).as("/healthz on a new connection during the flood, as the kubelet probes")
                        .allSatisfy(p -> assertThat(p.status()).as(p.toString()).isEqualTo(200));
                assertThat(requests).as("the traffic listener during the flood")
                        .allSatisfy(p -> assertThat(p.status()).as(p.toString()).isEqualTo(200));
                assertThat(atPeak.open()).as("descriptors mapgate holds during the flood, of %d", FILE_LIMIT)
                        .isLessThan(FILE_LIMIT - 64);
                assertThat(scrape.status()).as("the scraper's kept-alive connection, spared while slow senders"
                        + " could give way").isEqualTo(200);
            }
            assertThat(mapgate.isAlive()).isTrue();
        }
    }

    /**
     * One request on a new connection, or on a kept one: its status (0 when none came), how long
     * it took, and for a scrape the admin over-limit count (-1 when there is none).
     */
    private record Probe(int status, long millis, String failure, double closedOldest) {

        static Probe of(InetSocketAddress server, String path) {
            long start = System.nanoTime();
            try (RawClient client = RawClient.connect(server).readTimeout(PROBE_TIMEOUT_MS)) {
                return answered(client.get(path), start);
            } catch (IOException e) {
                return failed(e, start);
            }
        }

        static Probe on(RawClient client, String path) {
            long start = System.nanoTime();
            try {
                return answered(client.get(path), start);
            } catch (IOException e) {
                return failed(e, start);
            }
        }

        private static Probe answered(RawClient.Response response, long start) {
            Matcher meter = OVER_LIMIT.matcher(response.bodyText());
            return new Probe(response.status(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), null,
                    meter.find() ? Double.parseDouble(meter.group(1)) : -1);
        }

        private static Probe failed(IOException e, long start) {
            return new Probe(0, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), e.toString(), -1);
        }

        @Override
        public String toString() {
            return (failure == null ? Integer.toString(status) : failure) + " in " + millis + " ms";
        }
    }

    /** The attacker's connections, each dripping a request head it never finishes. */
    private static final class Flood implements AutoCloseable {

        private final List<SocketChannel> channels = new ArrayList<>();
        private int sent;
        private int connectFailures;

        void open(InetSocketAddress server, int count) {
            for (int i = 0; i < count; i++) {
                SocketChannel channel = null;
                try {
                    channel = SocketChannel.open();
                    // Completes once the kernel queues it, whether or not mapgate accepts it.
                    channel.socket().connect(server, 2000);
                    channel.configureBlocking(false);
                    channels.add(channel);
                    channel.write(ByteBuffer.wrap(DRIP, 0, 1));
                } catch (IOException e) {
                    if (!channels.contains(channel)) {
                        connectFailures++;
                        closeQuietly(channel);
                    }
                }
            }
            sent = 1;
        }

        /** One more byte on every connection; never the whole head. */
        void drip() {
            if (sent >= DRIP.length) {
                return;
            }
            for (SocketChannel channel : channels) {
                try {
                    channel.write(ByteBuffer.wrap(DRIP, sent, 1));
                } catch (IOException closedByMapgate) {
                    // Counted by stillOpen().
                }
            }
            sent++;
        }

        int opened() {
            return channels.size();
        }

        /** Connections mapgate has not closed: a read finds neither an end nor a reset. */
        int stillOpen() {
            int open = 0;
            ByteBuffer sink = ByteBuffer.allocate(4096);
            for (SocketChannel channel : channels) {
                try {
                    sink.clear();
                    if (channel.read(sink) == 0) {
                        open++;
                    }
                } catch (IOException reset) {
                    // closed by mapgate
                }
            }
            return open;
        }

        int connectFailures() {
            return connectFailures;
        }

        @Override
        public void close() {
            channels.forEach(Flood::closeQuietly);
        }

        private static void closeQuietly(SocketChannel channel) {
            if (channel == null) {
                return;
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is all that is asked
            }
        }
    }
}
