package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener's timeouts and connection limit, on real sockets with short timeouts. Timing
 * assertions are loose on purpose: the build machine is small and busy, so they only tell which
 * timeout acted, never measure it.
 */
class ClientTimeoutsIntegrationTest {

    private static final long HEADER_TIMEOUT_MS = 500;
    private static final long KEEP_ALIVE_TIMEOUT_MS = 1500;
    private static final long BODY_TIMEOUT_MS = 1000;

    @TempDir
    static Path dir;
    static TestMapgate mapgate;
    static TestOrigin origin;

    @BeforeAll
    static void start() throws IOException {
        mapgate = TestMapgate.in(dir).ownOrigin()
                .config("listen { header-timeout = %dms, keep-alive-timeout = %dms, body-timeout = %dms }"
                        .formatted(HEADER_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_MS, BODY_TIMEOUT_MS))
                .start();
        origin = mapgate.origin();
    }

    @AfterAll
    static void stop() {
        mapgate.close();
    }

    @BeforeEach
    void clearOrigin() {
        origin.clear();
    }

    /**
     * Waits (up to RawClient's 20s read timeout) for the server to close {@code client}, reading
     * and discarding what it sends meanwhile; returns the milliseconds waited.
     */
    private static long millisUntilClosed(RawClient client) throws IOException {
        long start = System.nanoTime();
        InputStream in = client.input();
        try {
            while (in.read() != -1) {
                // only the end matters
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within 20s", e);
        } catch (SocketException e) {
            // reset by the server: closed as well
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** Sends {@code text} a byte at a time, {@code gapMs} apart, until done or the socket fails. */
    private static CompletableFuture<Void> dribble(RawClient client, String text, long gapMs) {
        return CompletableFuture.runAsync(() -> {
            try {
                for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
                    client.send(new byte[] {b});
                    Thread.sleep(gapMs);
                }
            } catch (IOException | InterruptedException e) {
                // The server closed the connection under us, which is what the test expects.
            }
        });
    }

    @Test
    void aHeaderSentAByteAtATimeIsCutOffWhileOtherClientsAreServed() throws Exception {
        try (RawClient slow = mapgate.connect(); RawClient normal = mapgate.connect()) {
            long start = System.nanoTime();
            CompletableFuture<Void> dribbling = dribble(slow,
                    "GET /assets/app.js HTTP/1.1\r\nHost: test\r\nX-Padding: " + "p".repeat(200) + "\r\n\r\n", 50);
            assertThat(normal.get("/assets/app.js").bodyText()).isEqualTo(TestOrigin.APP_JS);

            millisUntilClosed(slow);
            long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(elapsed).as("closed by header-timeout, well before the 13s the header would take")
                    .isBetween(HEADER_TIMEOUT_MS - 100, 8_000L);
            dribbling.get(20, TimeUnit.SECONDS);
            assertThat(normal.get("/assets/app.js").status()).as("the other connection is untouched").isEqualTo(200);
        }
        assertThat(origin.seen()).as("only the normal client's requests were forwarded").hasSize(2);
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAfterTheKeepAliveTimeout() throws Exception {
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
            assertThat(millisUntilClosed(c)).as("keep-alive-timeout, not the default idle-timeout of 60s")
                    .isBetween(KEEP_ALIVE_TIMEOUT_MS - 100, 10_000L);
        }
        try (RawClient c = mapgate.connect()) {
            assertThat(millisUntilClosed(c)).as("a connection that never sends a byte")
                    .isBetween(KEEP_ALIVE_TIMEOUT_MS - 100, 10_000L);
        }
    }

    @Test
    void aSlowBodyIsAcceptedWhileNoGapExceedsTheBodyTimeout() throws Exception {
        String body = "0123456789abcdef";
        try (RawClient c = mapgate.connect()) {
            c.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length() + "\r\n\r\n");
            // 16 bytes 150ms apart: longer in all than the header and keep-alive timeouts.
            dribble(c, body, 150).get(20, TimeUnit.SECONDS);
            Response r = c.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).as("the origin got the whole body").isEqualTo(body.length() + "\n");
        }
    }

    @Test
    void aStalledBodyIsCutOffAfterTheBodyTimeoutAndNeverLooksCompleteToTheOrigin() throws Exception {
        try (RawClient c = mapgate.connect()) {
            c.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n0123456789");
            assertThat(millisUntilClosed(c)).isBetween(BODY_TIMEOUT_MS - 100, 10_000L);
        }
        assertThat(origin.seen()).as("a cut upload is never recorded as a complete request").isEmpty();
    }

    @Test
    void aPipelinedRequestsHeaderClockStartsOnlyWhenItsTurnComes() throws Exception {
        try (RawClient c = mapgate.connect()) {
            // The second request starts arriving while the first waits 3 x header-timeout for the origin.
            c.send(RawClient.request("GET", "/slow?ms=" + 3 * HEADER_TIMEOUT_MS) + "GET /assets/app.js HTTP/1.1\r\nHo");
            Response first = c.read(false);
            assertThat(first.bodyText()).isEqualTo("late\n");
            c.send("st: test\r\n\r\n");
            Response second = c.read(false);
            assertThat(second.bodyText()).as("the second request was not cut off while it waited its turn")
                    .isEqualTo(TestOrigin.APP_JS);
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsAreRefusedUntilOneCloses() throws Exception {
        try (TestMapgate limited = TestMapgate.in(dir).ownOrigin().config("listen.max-connections = 3").start()) {
            RawClient[] admitted = {limited.connect(), limited.connect(), limited.connect()};
            try {
                for (RawClient c : admitted) {
                    assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
                }
                try (RawClient fourth = limited.connect()) {
                    fourth.send(RawClient.request("GET", "/assets/app.js"));
                    assertThat(fourth.isClosedByServer()).as("the fourth connection is closed unanswered").isTrue();
                }

                admitted[0].close();
                assertThat(connectsWithin(limited, 10_000)).as("a closed connection frees its place").isTrue();
            } finally {
                for (RawClient c : admitted) {
                    c.close();
                }
            }
        }
    }

    /** Retries until a new connection is served: the server notices the freed place a little later. */
    private static boolean connectsWithin(TestMapgate server, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            try (RawClient c = server.connect()) {
                if (c.get("/assets/app.js").status() == 200) {
                    return true;
                }
            } catch (IOException refusedMeanwhile) {
                Thread.sleep(50);
            }
        }
        return false;
    }
}
