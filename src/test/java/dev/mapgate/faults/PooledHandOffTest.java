package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.TestMapgate;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An origin connection handed straight from one exchange to a client waiting for it must carry
 * nothing of the first exchange. An origin that sends more than it framed (a second response in
 * the same read, a body after a HEAD's answer) would otherwise have those bytes read as the
 * waiting client's answer, and every answer after it on that connection would go one client
 * too far: a map fetched with a credential could reach a client without one.
 */
class PooledHandOffTest {

    @TempDir
    static Path dir;

    private static CompletableFuture<String> get(RawClient c, String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return c.get(path).bodyText();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void bytesAnOriginSendsPastItsAnswerNeverBecomeTheNextClientsAnswer() throws Exception {
        try (RawOrigin origin = RawOrigin.start().ok("/b", "for b only").ok("/c", "for c")) {
            origin.route("/first", link -> {
                try {
                    // Long enough for b and c to be waiting for the one connection.
                    Thread.sleep(600);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                link.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra");
                return RawOrigin.After.KEEP_ALIVE;
            });
            TestMapgate mapgate = TestMapgate.in(dir).metrics(Metrics.inMemory()).config("""
                    listen.io-threads = 1
                    origin { url = "%s", max-connections = 1, connect-timeout = 3s, response-timeout = 3s }
                    gate { require = [ip], allow-ips = ["127.0.0.1"] }
                    """.formatted(origin.url())).start();
            try (RawClient a = mapgate.connect(); RawClient b = mapgate.connect(); RawClient c = mapgate.connect()) {
                CompletableFuture<String> first = get(a, "/first");
                Thread.sleep(150);
                CompletableFuture<String> second = get(b, "/b");
                Thread.sleep(150);
                CompletableFuture<String> third = get(c, "/c");

                assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
                assertThat(second.get(5, TimeUnit.SECONDS)).as("b's own answer, not the origin's extra bytes")
                        .isEqualTo("for b only");
                assertThat(third.get(5, TimeUnit.SECONDS)).as("c's own answer, not b's").isEqualTo("for c");
            } finally {
                mapgate.close();
            }
        }
    }
}
