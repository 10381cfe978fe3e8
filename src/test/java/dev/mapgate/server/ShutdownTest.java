package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping mapgate (SIGTERM runs the same close) must not cut off a response in flight. */
@Heavy
class ShutdownTest {

    @TempDir
    Path dir;

    @Test
    void aRequestInFlightFinishesWhileIdleConnectionsCloseAndNewOnesAreRefused() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            TestMapgate mapgate = inFrontOf(origin);
            try (RawClient busy = mapgate.connect(); RawClient idle = mapgate.connect()) {
                assertThat(idle.get("/assets/app.js").status()).isEqualTo(200);
                busy.send(RawClient.request("GET", "/slow?ms=1500"));
                Thread.sleep(300);

                CompletableFuture<Void> closing = CompletableFuture.runAsync(mapgate::close);
                assertThat(idle.isClosedByServer()).as("an idle keep-alive connection is closed at once").isTrue();
                assertThatThrownBy(mapgate::connect).as("the listener is closed first").isInstanceOf(IOException.class);

                Response late = busy.read(false);
                assertThat(late.status()).as("the exchange in flight completes").isEqualTo(200);
                assertThat(late.bodyText()).isEqualTo("late\n");
                assertThat(late.header("Connection")).isEqualTo("close");
                closing.get(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * In a container, mapgate's exit takes the network namespace with it, and whatever the kernel
     * still held in the socket's send buffer is lost without a reset: the client waits forever for
     * the tail of a response mapgate counted as sent (seen in deploy/docker/smoke-test). So the
     * drain ends only once the client has read the response and closed its side.
     */
    @Test
    void theDrainEndsOnlyWhenASlowClientHasReadTheWholeResponse() throws Exception {
        long size = 16L << 20;
        try (TestOrigin origin = new TestOrigin()) {
            TestMapgate mapgate = inFrontOf(origin);
            try (java.net.Socket client = new java.net.Socket("127.0.0.1", mapgate.server().address().getPort())) {
                client.setReceiveBufferSize(64 * 1024);
                java.io.InputStream in = askForBytes(client, size);
                java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
                byte[] buffer = new byte[64 * 1024];
                // Read the first megabyte, then stop the server and go on reading at about 8 MiB/s.
                while (received.get() < (1 << 20)) {
                    received.addAndGet(in.read(buffer));
                }
                long[] receivedWhenStopped = new long[1];
                CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                    mapgate.server().shutdown(Duration.ZERO);
                    receivedWhenStopped[0] = received.get();
                });
                int n;
                while ((n = in.read(buffer)) > 0) {
                    received.addAndGet(n);
                    Thread.sleep(8);
                }
                stopping.get(30, TimeUnit.SECONDS);

                assertThat(received.get()).as("the whole response reached the client").isGreaterThan(size);
                assertThat(receivedWhenStopped[0])
                        .as("bytes the client had read when the shutdown returned: all of them, not what the kernel "
                                + "still held for it")
                        .isGreaterThan(size);
            }
        }
    }

    /**
     * The same, for a response that was all written during the drain delay: when the delay ends,
     * the connection has no exchange, but its client has not read the response yet. It must not
     * be closed as an idle one (the first fix did that, and the smoke test hung again).
     */
    @Test
    void aResponseWrittenDuringTheDrainDelayIsNotCutOffWhenTheDelayEnds() throws Exception {
        long size = 2L << 20;
        try (TestOrigin origin = new TestOrigin()) {
            TestMapgate mapgate = inFrontOf(origin);
            try (java.net.Socket client = new java.net.Socket()) {
                // Room for the whole response in the client's buffer: mapgate finishes writing it at
                // once, and the client reads none of it until the drain delay is over.
                client.setReceiveBufferSize(8 << 20);
                client.connect(mapgate.server().address());
                java.io.InputStream in = askForBytes(client, size);
                byte[] buffer = new byte[64 * 1024];
                long received = in.read(buffer);
                java.util.concurrent.atomic.AtomicLong receivedWhenStopped = new java.util.concurrent.atomic.AtomicLong();
                java.util.concurrent.atomic.AtomicLong receivedSoFar = new java.util.concurrent.atomic.AtomicLong(received);
                CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
                    mapgate.server().shutdown(Duration.ofSeconds(1));
                    receivedWhenStopped.set(receivedSoFar.get());
                });
                Thread.sleep(2_500);
                int n;
                while ((n = in.read(buffer)) > 0) {
                    receivedSoFar.addAndGet(n);
                }
                stopping.get(30, TimeUnit.SECONDS);

                assertThat(receivedSoFar.get()).as("the whole response reached the client").isGreaterThan(size);
                assertThat(receivedWhenStopped.get())
                        .as("bytes the client had read when the shutdown returned: all of them")
                        .isGreaterThan(size);
            }
        }
    }

    @Test
    void duringTheDrainDelayReadinessFailsAndEveryConnectionClosesAfterItsNextResponse() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            TestMapgate mapgate = inFrontOf(origin);
            InetSocketAddress admin = mapgate.server().adminAddress();
            try (RawClient idle = mapgate.connect()) {
                assertThat(adminStatus(admin, "/readyz")).isEqualTo(200);
                Response first = idle.get("/assets/app.js");
                assertThat(first.header("Connection")).isNull();

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(
                        () -> mapgate.server().shutdown(Duration.ofSeconds(3)));
                awaitReadyz(admin, 503);

                assertThat(stillOpen(idle)).as("an idle connection is left open while draining").isTrue();
                Response last = idle.get("/assets/app.js");
                assertThat(last.status()).isEqualTo(200);
                assertThat(last.header("Connection")).as("its next response says goodbye").isEqualTo("close");
                assertThat(idle.isClosedByServer()).isTrue();

                try (RawClient late = mapgate.connect()) {
                    Response fresh = late.get("/assets/app.js");
                    assertThat(fresh.status()).as("the listener still serves during the drain delay").isEqualTo(200);
                    assertThat(fresh.header("Connection")).isEqualTo("close");
                }
                assertThat(adminStatus(admin, "/healthz")).as("draining is not unhealthy").isEqualTo(200);

                stopping.get(15, TimeUnit.SECONDS);
                assertThatThrownBy(mapgate::connect).as("then the listener closes").isInstanceOf(IOException.class);
            }
        }
    }

    /** Nothing arrives for a moment, and the connection is not closed. */
    private static boolean stillOpen(RawClient client) throws IOException {
        client.readTimeout(300);
        try {
            return client.input().read() != -1;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            client.readTimeout(10_000);
        }
    }

    private static void awaitReadyz(InetSocketAddress admin, int status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (adminStatus(admin, "/readyz") != status) {
            assertThat(System.nanoTime()).as("/readyz turned %d", status).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static int adminStatus(InetSocketAddress admin, String path) throws IOException {
        try (RawClient c = RawClient.connect(admin)) {
            return c.get(path).status();
        }
    }

    /** mapgate in front of {@code origin}, passing everything from loopback. */
    private TestMapgate inFrontOf(TestOrigin origin) throws Exception {
        return TestMapgate.start(dir, """
                origin.url = "%s"
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(origin.url()));
    }

    /** Sends a request for {@code size} bytes of the origin's /big; returns the response stream. */
    private static java.io.InputStream askForBytes(java.net.Socket client, long size) throws IOException {
        client.getOutputStream().write(("GET /big?size=" + size + " HTTP/1.1\r\nHost: t\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return client.getInputStream();
    }
}
