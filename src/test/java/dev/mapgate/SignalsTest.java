package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.Pattern;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mapgate as its own process, stopped and reloaded the way systemd and Kubernetes do it: with
 * signals. What matters to the operator is what the clients saw and what the process exited with.
 */
@Heavy
class SignalsTest {

    private static final long SIZE = 256L * 1024 * 1024;
    private static final String TOKEN_HEADER = "X-Sentry-Token";

    @TempDir
    Path dir;

    @Test
    void sigtermLetsALargeDownloadFinishRefusesNewConnectionsAndExitsZero() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            Path config = write("""
                    mapgate {
                      listen { host = "127.0.0.1", port = 0 }
                      origin.url = "%s"
                      gate { require = [ip], allow-ips = ["127.0.0.1"] }
                      shutdown { drain-delay = 1s, grace = 20s }
                    }
                    """.formatted(origin.url()));
            // The test's own drain delay, not MapgateJvm's 0s.
            try (MapgateJvm mapgate = TestMapgate.jvm().jvmOptions(List.of("-Xmx64m"))
                    .env(Map.of("MAPGATE_SHUTDOWN_DRAIN_DELAY", "1s")).start("--config", config.toString())) {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", mapgate.awaitPort());
                try (RawClient download = RawClient.connect(address)) {
                    download.send(RawClient.request("GET", "/big?size=" + SIZE));
                    ResponseReader.Response head = download.read(true);
                    assertThat(head.status()).isEqualTo(200);
                    long offset = readAndCheck(download.input(), 0, 1024 * 1024);

                    mapgate.signal("TERM");
                    // Through the drain delay and into the grace period, with the client not reading.
                    Thread.sleep(2500);
                    assertThat(refused(address)).as("the listener is closed after the drain delay").isTrue();

                    assertThat(readAndCheck(download.input(), offset, SIZE)).as("every byte arrived").isEqualTo(SIZE);
                }
                assertThat(mapgate.awaitExit()).as("exit status after a clean drain").isZero();
                assertThat(mapgate.output()).anySatisfy(l -> assertThat(l).contains("event=stopped"));
            }
        }
    }

    @Test
    void sighupLoadsARotatedTokenAtOnce() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            Path tokenFile = dir.resolve("sentry.token");
            Files.writeString(tokenFile, "old-token-0123456789abcdef\n");
            Path config = write("""
                    mapgate {
                      listen { host = "127.0.0.1", port = 0 }
                      origin.url = "%s"
                      gate { allow-ips = ["127.0.0.1"], token.tokens = [ { name = "sentry", file = "sentry.token" } ] }
                      # Long enough that only the signal can explain a reload within the test.
                      reload.check-interval = 1h
                    }
                    """.formatted(origin.url()));
            try (MapgateJvm mapgate = TestMapgate.jvm().start("--config", config.toString())) {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", mapgate.awaitPort());
                assertThat(mapStatus(address, "old-token-0123456789abcdef")).isEqualTo(200);

                Files.writeString(tokenFile, "new-token-fedcba9876543210\n");
                mapgate.signal("HUP");
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (mapStatus(address, "new-token-fedcba9876543210") != 200 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }

                // mapgate's own lines say whether the signal arrived and what the reload made of it.
                assertThat(mapStatus(address, "new-token-fedcba9876543210")).as("the new token; mapgate said: %s",
                        mapgate.output()).isEqualTo(200);
                assertThat(mapStatus(address, "old-token-0123456789abcdef")).isEqualTo(404);
                assertThat(mapgate.isAlive()).as("SIGHUP does not stop the process").isTrue();
                assertThat(mapgate.output()).anySatisfy(l -> assertThat(l).contains("event=config-reloaded trigger=\"SIGHUP\""));
            }
        }
    }

    @Test
    void aSighupIgnoredByTheParentIsReportedAtStartup() throws Exception {
        // nohup starts a program with SIGHUP ignored, and the JVM then never delivers it: a reload
        // by signal would silently do nothing, so mapgate says so when it starts.
        try (TestOrigin origin = new TestOrigin()) {
            Path config = write("""
                    mapgate {
                      listen { host = "127.0.0.1", port = 0 }
                      origin.url = "%s"
                      gate { allow-ips = ["127.0.0.1"], token.tokens = [ { name = "sentry", value = "nohup-token-0123456789" } ] }
                    }
                    """.formatted(origin.url()));
            try (MapgateJvm mapgate = TestMapgate.jvm().sighupIgnored().start("--config", config.toString())) {
                mapgate.awaitPort();

                assertThat(mapgate.output()).anySatisfy(l -> assertThat(l)
                        .contains("WARN").contains("event=signal-ignored signal=HUP").contains("nohup"));
            }
        }
    }

    private Path write(String text) throws IOException {
        Path config = dir.resolve("mapgate.conf");
        Files.writeString(config, text);
        return config;
    }

    private static int mapStatus(InetSocketAddress address, String token) throws IOException {
        try (RawClient c = RawClient.connect(address)) {
            return c.get("/assets/app.js.map", TOKEN_HEADER + ": " + token).status();
        }
    }

    private static boolean refused(InetSocketAddress address) {
        try (RawClient ignored = RawClient.connect(address)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static long readAndCheck(InputStream in, long from, long to) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long offset = from;
        for (int n; offset < to && (n = in.read(buf, 0, (int) Math.min(buf.length, to - offset))) > 0; ) {
            assertThat(Pattern.firstMismatch(buf, offset, n)).as("offset of the first corrupted byte").isEqualTo(-1);
            offset += n;
        }
        return offset;
    }
}
