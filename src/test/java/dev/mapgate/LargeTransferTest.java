package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.Pattern;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.TestOrigin;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2 GiB asset streamed through mapgate running as its own JVM with a 64 MiB heap, read by a
 * client that first stalls for two seconds. If mapgate buffered instead of applying
 * backpressure, the stall alone would let the origin push far more than 64 MiB into it and the
 * JVM would fail; every byte is checked against its offset on arrival.
 */
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
            Process mapgate = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-Dlogback.configurationFile=" + Path.of("target/classes/logback.xml").toAbsolutePath(),
                    "-cp", System.getProperty("java.class.path"),
                    Main.class.getName(), "--config", config.toString()))
                    .redirectErrorStream(true)
                    .start();
            try {
                int port = awaitListening(mapgate);
                long started = System.nanoTime();
                try (RawClient c = RawClient.connect(new InetSocketAddress("127.0.0.1", port))) {
                    c.send(RawClient.request("GET", "/big?size=" + SIZE));
                    RawClient.Response head = c.read(true);
                    assertThat(head.status()).isEqualTo(200);
                    assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(SIZE));
                    Thread.sleep(2000);
                    long received = readAndCheck(c.input(), SIZE);
                    assertThat(received).isEqualTo(SIZE);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                assertThat(mapgate.isAlive()).as("mapgate survived the transfer with -Xmx64m").isTrue();
                System.out.printf("large-transfer: %d MiB through mapgate (-Xmx64m) in %.1f s incl. 2 s stall"
                                + " = %.0f MiB/s; mapgate peak RSS %s%n",
                        SIZE >> 20, seconds, (SIZE >> 20) / (seconds - 2), peakRss(mapgate.pid()));
            } finally {
                mapgate.destroy();
                mapgate.waitFor(10, TimeUnit.SECONDS);
                mapgate.destroyForcibly();
            }
        }
    }

    private static long readAndCheck(InputStream in, long size) throws Exception {
        byte[] buf = new byte[256 * 1024];
        long offset = 0;
        for (int n; offset < size && (n = in.read(buf, 0, (int) Math.min(buf.length, size - offset))) > 0; ) {
            long bad = Pattern.firstMismatch(buf, offset, n);
            assertThat(bad).as("first corrupted byte offset").isEqualTo(-1);
            offset += n;
        }
        return offset;
    }

    /** Reads the child's output until its startup line names the port; echoes the rest. */
    private static int awaitListening(Process process) throws Exception {
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(1024);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.offer(line);
                    System.out.println("[mapgate] " + line);
                }
            } catch (Exception ignored) {
                // the process ended
            }
        }, "mapgate-output");
        pump.setDaemon(true);
        pump.start();
        java.util.regex.Pattern listening = java.util.regex.Pattern.compile("listening on http://127\\.0\\.0\\.1:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line != null) {
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            assertThat(process.isAlive()).as("mapgate exited before listening").isTrue();
        }
        throw new AssertionError("mapgate did not print its listening line within 30 s");
    }

    private static String peakRss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith("VmHWM:")).map(l -> l.substring(6).trim()).findFirst().orElse("n/a");
        } catch (Exception e) {
            return "n/a";
        }
    }
}
