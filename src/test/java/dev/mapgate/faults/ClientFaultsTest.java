package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.RawOrigin.Link;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that read slowly or give up halfway: mapgate holds the origin back instead of
 * buffering, and a download given up on costs it nothing afterwards.
 *
 * <p>{@code LargeTransferTest} shows the same backpressure from outside (2 GiB through a 64 MiB
 * heap, with a stalled client); this test measures it from inside, at 1 KiB a second.
 */
class ClientFaultsTest {

    private static final long ASSET = 64L << 20;
    /** The test's own socket buffers, kept small so that what the origin got rid of is mostly mapgate's doing. */
    private static final int SOCKET_BUFFER = 64 * 1024;
    private static final int SLOW_SECONDS = 5;

    @TempDir
    static Path dir;
    RawOrigin origin;
    Metrics metrics;
    TestMapgate mapgate;

    @BeforeEach
    void start() {
        origin = RawOrigin.start(0, SOCKET_BUFFER).ok("/ok", "ok\n");
        origin.route("/big", link -> {
            link.send("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + ASSET + "\r\n\r\n");
            link.sendPattern(ASSET);
            return After.KEEP_ALIVE;
        });
        metrics = Metrics.inMemory();
        // One event loop, so one origin pool: "the next request on that pool" is every next request.
        mapgate = TestMapgate.in(dir).metrics(metrics).config("""
                listen.io-threads = 1
                origin.url = "%s"
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(origin.url())).start();
    }

    @AfterEach
    void stop() {
        mapgate.close();
        origin.close();
    }

    @Test
    @Heavy
    void aClientReadingAKibibyteASecondHoldsTheOriginBackAndMapgateBuffersNothing() throws Exception {
        long heapBefore = Measure.heapAfterGc();
        long directBefore = Measure.nettyDirect();
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(SOCKET_BUFFER);
            client.connect(mapgate.address(), 5000);
            client.setSoTimeout(20_000);
            client.getOutputStream().write(RawClient.request("GET", "/big").getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("http/1.1 200").contains("content-length: " + ASSET);

            // 1 KiB a second for SLOW_SECONDS; the figures are taken once the first second has let
            // every buffer on the way fill up.
            long read = 0;
            long writtenAfterFirstSecond = 0;
            long heapPeak = 0;
            long directPeak = 0;
            byte[] kib = new byte[1024];
            for (int second = 1; second <= SLOW_SECONDS; second++) {
                Thread.sleep(1000);
                in.readNBytes(kib, 0, kib.length);
                read += kib.length;
                if (second == 1) {
                    writtenAfterFirstSecond = origin.bytesWritten();
                }
                heapPeak = Math.max(heapPeak, Measure.heapAfterGc() - heapBefore);
                directPeak = Math.max(directPeak, Measure.nettyDirect() - directBefore);
            }
            long written = origin.bytesWritten();
            long gainedWhileSlow = written - writtenAfterFirstSecond;
            System.out.printf("slow-client: read %d KiB at 1 KiB/s for %d s of a %s asset; the origin got %s out in all,"
                            + " %d KiB of it in the last %d s; mapgate's heap grew %s (peak after GC), Netty direct memory %s%n",
                    read / 1024, SLOW_SECONDS, Measure.mib(ASSET), Measure.mib(written), gainedWhileSlow / 1024,
                    SLOW_SECONDS - 1, Measure.mib(heapPeak), Measure.mib(directPeak));

            assertThat(written).as("the origin is held back: socket buffers and a little, far from the whole asset")
                    .isLessThan(ASSET / 4);
            assertThat(gainedWhileSlow).as("once the buffers are full, the origin moves only as fast as the client")
                    .isLessThan(1L << 20);
            assertThat(heapPeak).as("the heap does not hold the asset").isLessThan(8L << 20);
            assertThat(directPeak).as("nor does Netty's direct memory").isLessThan(8L << 20);

            long rest = new ResponseReader(in).pattern(read, ASSET - read);
            assertThat(read + rest).as("once the client reads on, the rest arrives whole").isEqualTo(ASSET);
        }
    }

    @Test
    void aClientThatHangsUpMidDownloadHasItsOriginConnectionClosedAndThePoolServesOn() throws Exception {
        assertThat(get("/ok")).as("warm: the pool has a connection").isEqualTo("ok\n");
        long fdsBefore = Measure.fds();
        int aborts = 10;
        List<Long> closedAfterMs = new ArrayList<>();
        for (int i = 0; i < aborts; i++) {
            int linksBefore = origin.links().size();
            long hungUpAt;
            Link used;
            try (Socket client = new Socket()) {
                client.connect(mapgate.address(), 5000);
                client.setSoTimeout(20_000);
                client.getOutputStream().write(RawClient.request("GET", "/big").getBytes(StandardCharsets.US_ASCII));
                InputStream in = client.getInputStream();
                readHead(in);
                assertThat(new ResponseReader(in).pattern(0, 1L << 20)).isEqualTo(1L << 20);
                // The one connection the origin is still streaming on.
                used = origin.links().stream().filter(l -> !l.hungUp()).reduce((a, b) -> b).orElseThrow();
                if (i % 2 == 1) {
                    // Half of them reset the connection rather than close it.
                    client.setSoLinger(true, 0);
                }
                hungUpAt = System.nanoTime();
            }
            assertThat(Measure.eventually(used::hungUp, Duration.ofSeconds(5)))
                    .as("the origin connection of an abandoned download is closed, not left streaming").isTrue();
            closedAfterMs.add(Duration.ofNanos(used.hungUpNanos() - hungUpAt).toMillis());
            assertThat(get("/ok")).as("the next request on the pool is served").isEqualTo("ok\n");
            assertThat(origin.links().size() - linksBefore).as("on a new connection: the abandoned one is gone").isEqualTo(1);
        }
        assertThat(Measure.eventually(() -> Measure.originConnections(metrics) == 1, Duration.ofSeconds(5)))
                .as("mapgate keeps just the pooled connection of the last good request").isTrue();
        boolean fdsBack = Measure.eventually(() -> Measure.fds() <= fdsBefore, Duration.ofSeconds(5));
        System.out.printf("client-abort: %d downloads given up after 1 MiB of %s (half closed, half reset); the origin"
                        + " connection was closed %d ms median (max %d) after the client left; the next request got 200"
                        + " each time; origin connections 1 afterwards; file descriptors %d before, %d after%n",
                aborts, Measure.mib(ASSET), Measure.median(closedAfterMs), Measure.max(closedAfterMs), fdsBefore,
                Measure.fds());
        assertThat(fdsBack).as("file descriptors back at the baseline").isTrue();
    }

    @Test
    void aClientThatHangsUpOnceEverythingIsSentLeavesTheOriginConnectionPooledForTheNext() throws Exception {
        origin.ok("/small", "x".repeat(4096));
        try (Socket client = new Socket()) {
            client.connect(mapgate.address(), 5000);
            client.setSoTimeout(20_000);
            client.getOutputStream().write(RawClient.request("GET", "/small").getBytes(StandardCharsets.US_ASCII));
            assertThat(readHead(client.getInputStream())).startsWith("http/1.1 200");
            // Gone with the body unread: mapgate had already sent it all and the exchange was over.
            client.setSoLinger(true, 0);
        }
        assertThat(get("/ok")).isEqualTo("ok\n");
        assertThat(origin.links()).as("the next request went out on the same origin connection").hasSize(1);
        assertThat(origin.links().get(0).requests()).isEqualTo(2);
        System.out.printf("client-abort-after-send: the origin connection went back to the pool and served the"
                + " next request (%d requests on %d connection)%n", origin.links().get(0).requests(), origin.links().size());
    }

    private String get(String path) throws Exception {
        try (RawClient c = mapgate.connect()) {
            return c.get(path).bodyText();
        }
    }

    /** Reads the status line and headers byte by byte, so nothing of the body is taken with them; lower case. */
    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        ResponseReader reader = new ResponseReader(in);
        for (String line = reader.lineOrNull(); line != null && !line.isBlank(); line = reader.lineOrNull()) {
            head.append(line.strip().toLowerCase(Locale.ROOT)).append('\n');
        }
        return head.toString();
    }
}
