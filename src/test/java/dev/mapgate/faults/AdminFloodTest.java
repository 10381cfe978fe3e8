package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.FileLimit;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * <p>Bounded: {@value #FLOOD} loopback connections at a time for about {@value #HOLD_SECONDS} s,
 * those mapgate closes opened again every {@value #ROUND_MS} ms, all closed by the test at the end.
 */
@Heavy
class AdminFloodTest {

    /** mapgate's soft and hard limit: its JVM alone holds about 90 (the test classpath's jars). */
    private static final int FILE_LIMIT = 300;
    /** More admin connections than mapgate has descriptors. */
    private static final int FLOOD = FILE_LIMIT + 200;
    private static final int HOLD_SECONDS = 6;
    /** Between the attacker's rounds: a byte more on each connection, a new one for each closed. */
    private static final int ROUND_MS = 500;
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
        try (MapgateJvm mapgate = TestMapgate.jvm().fileLimit(FILE_LIMIT).start("--config", config.toString())) {
            InetSocketAddress traffic = new InetSocketAddress("127.0.0.1", mapgate.awaitPort());
            InetSocketAddress admin = new InetSocketAddress("127.0.0.1", mapgate.adminPort());
            // Before the flood, and what a first request costs a cold JVM out of the figures below.
            Probe.of(admin, "/healthz");
            Probe healthzBefore = Probe.of(admin, "/healthz");
            Probe requestBefore = Probe.of(traffic, "/app.js");
            FileLimit before = FileLimit.of(mapgate.pid());

            // A scraper that keeps its connection between scrapes, as Prometheus does.
            try (RawClient scraper = RawClient.connect(admin).readTimeout(PROBE_TIMEOUT_MS);
                 Flood flood = new Flood(admin)) {
                assertThat(scraper.get("/metrics").status()).as("a scrape before the flood").isEqualTo(200);

                long start = System.nanoTime();
                flood.open();
                double openSeconds = (System.nanoTime() - start) / 1e9;
                List<Probe> healthz = new ArrayList<>();
                List<Probe> requests = new ArrayList<>();
                healthz.add(Probe.of(admin, "/healthz"));
                requests.add(Probe.of(traffic, "/app.js"));
                FileLimit afterOpening = FileLimit.of(mapgate.pid());
                int keptAfterOpening = flood.stillOpen();
                long holdUntil = start + TimeUnit.SECONDS.toNanos(HOLD_SECONDS);
                long mostOpen = afterOpening.open();
                while (System.nanoTime() < holdUntil) {
                    Thread.sleep(ROUND_MS);
                    flood.round();
                    healthz.add(Probe.of(admin, "/healthz"));
                    requests.add(Probe.of(traffic, "/app.js"));
                    mostOpen = Math.max(mostOpen, FileLimit.of(mapgate.pid()).open());
                }
                int keptAtEnd = flood.stillOpen();
                Probe scrape = Probe.on(scraper, "/metrics");

                System.out.printf("admin-flood: mapgate's open-file limit %d soft / %d hard; %d open before the flood,"
                                + " %d after the first %d connections, at most %d during the %d s%n", before.soft(),
                        before.hard(), before.open(), afterOpening.open(), FLOOD, mostOpen, HOLD_SECONDS);
                System.out.printf("admin-flood: %d slow admin connections opened in %.2f s, then reopened as mapgate"
                                + " closed them: %d in all (%d failed to connect); not closed by mapgate (accepted, or"
                                + " waiting in its accept queue): %d after the first %d, %d at the end%n", FLOOD,
                        openSeconds, flood.opened(), flood.connectFailures(), keptAfterOpening, FLOOD, keptAtEnd);
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
                assertThat(mostOpen).as("descriptors mapgate holds during the flood, of %d", FILE_LIMIT)
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

        private static Probe answered(ResponseReader.Response response, long start) {
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

    /**
     * The attacker: {@value #FLOOD} connections kept open, each dripping a request head it never
     * finishes; one that mapgate closes is opened again at the next round, as a flood that means
     * to hold the port would. At most {@value #MAX_OPENED} connections in all.
     */
    private static final class Flood implements AutoCloseable {

        private static final int MAX_OPENED = 20 * FLOOD;

        private final InetSocketAddress server;
        private final SocketChannel[] channels = new SocketChannel[FLOOD];
        /** Bytes of {@link #DRIP} each connection has sent. */
        private final int[] sent = new int[FLOOD];
        private final ByteBuffer sink = ByteBuffer.allocate(4096);
        private int opened;
        private int connectFailures;

        Flood(InetSocketAddress server) {
            this.server = server;
        }

        void open() {
            for (int i = 0; i < FLOOD; i++) {
                connect(i);
            }
        }

        /** A connection mapgate closed is opened again; every other one sends one more byte. */
        void round() {
            for (int i = 0; i < FLOOD; i++) {
                if (!isOpen(channels[i])) {
                    closeQuietly(channels[i]);
                    if (opened < MAX_OPENED) {
                        connect(i);
                    }
                } else if (sent[i] < DRIP.length) {
                    try {
                        channels[i].write(ByteBuffer.wrap(DRIP, sent[i]++, 1));
                    } catch (IOException closedMeanwhile) {
                        // Opened again next round.
                    }
                }
            }
        }

        private void connect(int i) {
            channels[i] = null;
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                // Spread over source addresses, so that thousands of ports never run short.
                channel.bind(new InetSocketAddress("127.0.0." + (2 + i % 8), 0));
                // Completes once the kernel queues it, whether or not mapgate accepts it.
                channel.socket().connect(server, 2000);
                channel.configureBlocking(false);
                opened++;
                channels[i] = channel;
                sent[i] = 1;
                channel.write(ByteBuffer.wrap(DRIP, 0, 1));
            } catch (IOException e) {
                if (channels[i] == null) {
                    connectFailures++;
                    closeQuietly(channel);
                }
            }
        }

        /** Whether mapgate has left the connection open: a read finds neither an end nor a reset. */
        private boolean isOpen(SocketChannel channel) {
            if (channel == null) {
                return false;
            }
            try {
                sink.clear();
                return channel.read(sink) == 0;
            } catch (IOException reset) {
                return false;
            }
        }

        /** Connections mapgate has not closed (accepted, or waiting in its accept queue). */
        int stillOpen() {
            int open = 0;
            for (SocketChannel channel : channels) {
                if (isOpen(channel)) {
                    open++;
                }
            }
            return open;
        }

        int opened() {
            return opened;
        }

        int connectFailures() {
            return connectFailures;
        }

        @Override
        public void close() {
            for (SocketChannel channel : channels) {
                closeQuietly(channel);
            }
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
