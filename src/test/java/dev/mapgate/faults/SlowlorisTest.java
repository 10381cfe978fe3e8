package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand clients hold connections open by sending their headers a byte a second. mapgate
 * closes each once listen.header-timeout has run out since its first byte, and clients with
 * ordinary requests, served at the same time, never notice.
 *
 * <p>{@code ClientTimeoutsIntegrationTest.aHeaderSentAByteAtATimeIsCutOffWhileOtherClientsAreServed}
 * shows the timeout on one connection; this is the same at the scale of an attack.
 */
@Heavy
class SlowlorisTest {

    private static final int CONNECTIONS = 1000;
    private static final long HEADER_TIMEOUT_MS = 2000;
    /**
     * What a busy 2-core machine may add to the timeout before the close is seen. Without the
     * timeout a connection would stay open for the 170 s its header takes to dribble in.
     */
    private static final long SLACK_MS = 6000;
    private static final int LOAD_THREADS = 4;
    /**
     * Between one ordinary client's requests: a steady load rather than one that takes every cycle
     * of the 2-core machine, which would also starve the thread that watches for the closes.
     */
    private static final long LOAD_PAUSE_MS = 5;
    private static final byte[] DRIBBLE = ("GET /assets/app.js HTTP/1.1\r\nHost: test\r\nUser-Agent: slowloris\r\n"
            + "X-Padding: " + "p".repeat(100) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    @TempDir
    static Path dir;

    /** One dribbling connection. */
    private static final class Slow {
        final SocketChannel channel;
        final long firstByteNanos;
        int sent = 1;
        long closedNanos = -1;
        long bytesReceived;

        Slow(SocketChannel channel, long firstByteNanos) {
            this.channel = channel;
            this.firstByteNanos = firstByteNanos;
        }

        long openMillis() {
            return TimeUnit.NANOSECONDS.toMillis(closedNanos - firstByteNanos);
        }

        void closed() throws IOException {
            if (closedNanos < 0) {
                closedNanos = System.nanoTime();
            }
            channel.close();
        }
    }

    @Test
    void aThousandConnectionsDribblingHeadersAreClosedAtTheHeaderTimeoutWhileOrdinaryClientsAreAllServed()
            throws Exception {
        skipUnlessEnoughFileDescriptors();
        ExecutorService load = Executors.newFixedThreadPool(LOAD_THREADS);
        AtomicBoolean attacking = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        try (RawOrigin origin = RawOrigin.start().ok("/assets/app.js", TestOrigin.APP_JS);
             TestMapgate mapgate = TestMapgate.start(dir, """
                     listen.header-timeout = %dms
                     origin.url = "%s"
                     gate { require = [ip], allow-ips = ["127.0.0.1"] }
                     """.formatted(HEADER_TIMEOUT_MS, origin.url()));
             Selector selector = Selector.open()) {
            List<Future<?>> loaders = new ArrayList<>();
            for (int i = 0; i < LOAD_THREADS; i++) {
                loaders.add(load.submit(() -> ordinaryClient(mapgate, attacking, sent, ok)));
            }

            InetSocketAddress address = mapgate.address();
            List<Slow> slow = new ArrayList<>(CONNECTIONS);
            for (int i = 0; i < CONNECTIONS; i++) {
                SocketChannel channel = SocketChannel.open(address);
                channel.configureBlocking(false);
                // Read before the write: mapgate cannot see the byte earlier, so a close measured
                // from here is never early because this thread was descheduled after writing.
                long beforeFirstByte = System.nanoTime();
                channel.write(ByteBuffer.wrap(DRIBBLE, 0, 1));
                Slow s = new Slow(channel, beforeFirstByte);
                channel.register(selector, SelectionKey.OP_READ, s);
                slow.add(s);
            }
            long deadline = slow.get(CONNECTIONS - 1).firstByteNanos + TimeUnit.MILLISECONDS.toNanos(HEADER_TIMEOUT_MS + SLACK_MS);
            dribbleUntilAllClosed(selector, slow, deadline);
            attacking.set(false);
            for (Future<?> loader : loaders) {
                loader.get(30, TimeUnit.SECONDS);
            }

            List<Long> openMillis = slow.stream().filter(s -> s.closedNanos >= 0).map(Slow::openMillis).toList();
            long received = slow.stream().mapToLong(s -> s.bytesReceived).sum();
            LongSummaryStatistics open = openMillis.stream().mapToLong(Long::longValue).summaryStatistics();
            String closes = openMillis.isEmpty() ? "none closed" : String.format(
                    "closed %.1f s median (min %.1f, max %.1f) after their first byte", Measure.median(openMillis) / 1000.0,
                    open.getMin() / 1000.0, open.getMax() / 1000.0);
            System.out.printf("slowloris: %d of %d connections dribbling a byte a second %s, header-timeout %.1f s,"
                            + " %d bytes answered; ordinary load alongside %d/%d ok%n",
                    openMillis.size(), CONNECTIONS, closes, HEADER_TIMEOUT_MS / 1000.0, received, ok.get(), sent.get());

            assertThat(openMillis).as("every dribbling connection is closed by mapgate").hasSize(CONNECTIONS);
            assertThat(openMillis).as("each by its header-timeout: not earlier, and not much later")
                    .allSatisfy(ms -> assertThat(ms).isBetween(HEADER_TIMEOUT_MS - 100, HEADER_TIMEOUT_MS + SLACK_MS));
            assertThat(received).as("closed without an answer, as reference.conf says").isZero();
            assertThat(sent.get()).as("the ordinary load did run").isGreaterThanOrEqualTo(10 * LOAD_THREADS);
            assertThat(ok.get()).as("every ordinary request succeeded").isEqualTo(sent.get());
        } finally {
            attacking.set(false);
            load.shutdownNow();
        }
    }

    /**
     * Sends every open connection its next byte once a second, and notes when mapgate closes
     * each, until all are closed or {@code deadline} has passed.
     */
    private static void dribbleUntilAllClosed(Selector selector, List<Slow> slow, long deadline) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(4096);
        long nextByte = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (slow.stream().anyMatch(s -> s.closedNanos < 0) && System.nanoTime() < deadline) {
            long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(nextByte, deadline) - System.nanoTime()));
            selector.select(wait);

            for (SelectionKey key : selector.selectedKeys()) {
                Slow s = (Slow) key.attachment();
                try {
                    in.clear();
                    int n = s.channel.read(in);
                    if (n < 0) {
                        s.closed();
                    } else {
                        s.bytesReceived += n;
                    }
                } catch (IOException reset) {
                    s.closed();
                }
            }
            selector.selectedKeys().clear();
            if (System.nanoTime() >= nextByte) {
                nextByte += TimeUnit.SECONDS.toNanos(1);
                for (Slow s : slow) {
                    if (s.closedNanos < 0 && s.sent < DRIBBLE.length) {
                        try {
                            s.channel.write(ByteBuffer.wrap(DRIBBLE, s.sent++, 1));
                        } catch (IOException reset) {
                            s.closed();
                        }
                    }
                }
            }
        }
        for (Slow s : slow) {
            s.channel.close();
        }
    }

    /** Keep-alive GETs, 5 ms apart, while the attack lasts; a failed one counts as sent and not ok. */
    private static void ordinaryClient(TestMapgate mapgate, AtomicBoolean attacking, AtomicInteger sent,
                                       AtomicInteger ok) {
        while (attacking.get()) {
            try (RawClient c = mapgate.connect()) {
                while (attacking.get()) {
                    sent.incrementAndGet();
                    ResponseReader.Response r = c.get("/assets/app.js");
                    if (r.status() == 200 && r.bodyText().equals(TestOrigin.APP_JS)) {
                        ok.incrementAndGet();
                    }
                    Thread.sleep(LOAD_PAUSE_MS);
                }
            } catch (IOException e) {
                // Counted: sent went up, ok did not.
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** 1,000 connections are 2,000 descriptors in this JVM (both ends); skips, saying why, where that cannot fit. */
    private static void skipUnlessEnoughFileDescriptors() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        long needed = 2L * CONNECTIONS + 500;
        long limit = os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
        if (limit < needed) {
            String reason = "slowloris: skipped: needs " + needed + " file descriptors, the limit (ulimit -n) is " + limit;
            System.out.println(reason);
            Assumptions.abort(reason);
        }
    }
}
