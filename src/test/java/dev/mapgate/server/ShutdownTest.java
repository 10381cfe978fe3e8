package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawClient.Response;
import dev.mapgate.testing.RunningMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.IOException;
import java.nio.file.Path;
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
}
