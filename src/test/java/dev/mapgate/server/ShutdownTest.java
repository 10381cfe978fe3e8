package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawClient.Response;
import dev.mapgate.testing.RunningMapgate;
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
class ShutdownTest {

    @TempDir
    Path dir;

    @Test
    void aRequestInFlightFinishesWhileIdleConnectionsCloseAndNewOnesAreRefused() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            RunningMapgate mapgate = RunningMapgate.start(dir, """
                    origin.url = "%s"
                    gate { require = [ip], allow-ips = ["127.0.0.1"] }
                    """.formatted(origin.url()));
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

    @Test
    void duringTheDrainDelayReadinessFailsAndEveryConnectionClosesAfterItsNextResponse() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            RunningMapgate mapgate = RunningMapgate.start(dir, """
                    origin.url = "%s"
                    gate { require = [ip], allow-ips = ["127.0.0.1"] }
                    """.formatted(origin.url()));
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
}
