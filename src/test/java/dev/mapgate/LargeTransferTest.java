package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.Pattern;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 GiB asset streamed through mapgate running as its own JVM with a 64 MiB heap, read by a
 * client that first stalls for two seconds. If mapgate buffered instead of applying
 * backpressure, the stall alone would let the origin push far more than 64 MiB into it and the
 * JVM would fail; every byte is checked against its offset on arrival.
 */
@Heavy
class LargeTransferTest {

    static final long SIZE = 2L * 1024 * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void twoGibibytesPassThroughA64MiBHeapByteForByte() throws Exception {
        try (TestOrigin origin = new TestOrigin()) {
            Path config = dir.resolve("mapgate.conf");
            Files.writeString(config, """
                    mapgate {
                      listen { host = "127.0.0.1", port = 0 }
                      origin.url = "%s"
                      gate { require = [ip], allow-ips = ["127.0.0.1"] }
                    }
                    """.formatted(origin.url()));
            try (MapgateJvm mapgate = TestMapgate.jvm().jvmOptions(List.of("-Xmx64m"))
                    .start("--config", config.toString())) {
                int port = mapgate.awaitPort();
                long started = System.nanoTime();
                try (RawClient c = RawClient.connect(new InetSocketAddress("127.0.0.1", port))) {
                    c.send(RawClient.request("GET", "/big?size=" + SIZE));
                    ResponseReader.Response head = c.read(true);
                    assertThat(head.status()).isEqualTo(200);
                    assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(SIZE));
                    Thread.sleep(2000);
                    assertThat(readAndCheck(c.input(), SIZE)).isEqualTo(SIZE);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                assertThat(mapgate.isAlive()).as("mapgate survived the transfer with -Xmx64m").isTrue();
                System.out.printf("large-transfer: %d MiB through mapgate (-Xmx64m) in %.1f s including a 2 s stall"
                                + " (%.0f MiB/s while moving); mapgate peak RSS %s%n",
                        SIZE >> 20, seconds, (SIZE >> 20) / (seconds - 2), mapgate.peakRss());
            }
        }
    }

    private static long readAndCheck(InputStream in, long size) throws Exception {
        byte[] buf = new byte[256 * 1024];
        long offset = 0;
        for (int n; offset < size && (n = in.read(buf, 0, (int) Math.min(buf.length, size - offset))) > 0; ) {
            assertThat(Pattern.firstMismatch(buf, offset, n)).as("offset of the first corrupted byte").isEqualTo(-1);
            offset += n;
        }
        return offset;
    }
}
