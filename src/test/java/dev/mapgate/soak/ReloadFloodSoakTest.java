package dev.mapgate.soak;

import static dev.mapgate.testing.MetricsScrape.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.HttpOrigin;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.MetricsScrape;
import dev.mapgate.testing.NginxOrigin;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RequiredTools;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestSite;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SoakBounds#reloads()} config reloads (100 by default) while the mixed load runs, each the
 * way an operator makes one: the token file rotated, the config file rewritten with other
 * reloadable values (allow-ips, listen timeouts), then SIGHUP to the mapgate process. The load
 * uses a token that never changes, so every one of its requests must be answered right; the
 * rotated token is checked after each reload: the new one is let in, the one it replaced is not.
 *
 * <p>The files are only checked on SIGHUP here ({@code reload.check-interval = 1h}), and the next
 * signal goes only once the last reload shows in mapgate_reloads_total: two signals sent close
 * together may be delivered as one, and then the count would not say whether each was applied.
 */
@Tag(SoakBounds.TAG)
class ReloadFloodSoakTest {

    private static final int CLIENTS = 4;

    @TempDir
    Path dir;

    @Test
    void aHundredReloadsUnderMixedLoadFailNoRequestAndEveryOneIsApplied() throws Exception {
        int reloads = SoakBounds.reloads();
        TestSite site = TestSite.soak();
        Path root = site.writeTo(dir.resolve("site"));
        try (HttpOrigin nginx = NginxOrigin.start(RequiredTools.nginx(), root, dir.resolve("nginx"), TestSite.INDEX)) {
            Path config = dir.resolve("mapgate.conf");
            writeConfig(config, nginx, 0);
            try (MapgateJvm mapgate = TestMapgate.jvm().longRunning(4096)
                    .jvmOptions(List.of("-Xmx256m", "-Dio.netty.leakDetection.level=paranoid"))
                    .start("--config", config.toString());
                 ChildJvm jvm = ChildJvm.attach(mapgate)) {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", mapgate.awaitPort());
                int admin = mapgate.adminPort();
                assertThat(mapStatus(address, rotatingToken(0))).as("the first rotating token").isEqualTo(200);

                MixedLoad load = MixedLoad.start(address, site, CLIENTS);
                long start = System.nanoTime();
                for (int n = 1; n <= reloads; n++) {
                    writeConfig(config, nginx, n);
                    mapgate.signal("HUP");
                    awaitReloads(admin, n);
                    assertThat(mapStatus(address, rotatingToken(n))).as("the token of reload %d", n).isEqualTo(200);
                    assertThat(mapStatus(address, rotatingToken(n - 1))).as("the token reload %d replaced", n)
                            .isEqualTo(404);
                    // Let the load run under each config for a moment, not only across the swaps.
                    Thread.sleep(50);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                MixedLoad.Tally tally = load.stop();
                String scrape = MetricsScrape.of(admin);
                double applied = value(scrape, "mapgate_reloads_total", "what=\"config\"", "result=\"ok\"");
                double failed = value(scrape, "mapgate_reloads_total", "what=\"config\"", "result=\"failed\"");
                List<String> leaks = LeakReports.collect(mapgate, jvm, address, site);
                List<String> output = mapgate.output();
                long logged = output.stream().filter(l -> l.contains("event=config-reloaded trigger=\"SIGHUP\"")).count();

                System.out.printf("reloads: %d SIGHUP reloads in %.1f s under mixed load from %d keep-alive clients:"
                                + " %s%n", reloads, seconds, CLIENTS, tally);
                System.out.printf("reloads: mapgate_reloads_total ok %.0f, failed %.0f; %d config-reloaded log lines;"
                                + " rotated token let in and the replaced one refused after each; %d LEAK reports%n",
                        applied, failed, logged, leaks.size());

                assertThat(tally.failures()).as("requests answered wrongly during the reloads (%d in all)", tally.failed())
                        .isEmpty();
                assertThat(tally.total()).as("the load ran across the reloads, several requests per reload")
                        .isGreaterThan(reloads * 4L);
                assertThat(applied).as("reloads applied, by mapgate's count").isEqualTo(reloads);
                assertThat(failed).as("reloads that failed").isZero();
                assertThat(logged).as("config-reloaded lines for SIGHUP").isEqualTo(reloads);
                assertThat(output).as("nothing changed needs a restart")
                        .noneMatch(l -> l.contains("event=config-restart-needed"));
                assertThat(leaks).as("Netty's leak reports in mapgate's output").isEmpty();
            }
        }
    }

    /**
     * The config of reload {@code n}: its rotated token, and reloadable values that differ from
     * the last ones. Each file is written whole and moved into place, as config management does,
     * so no reload reads half a file.
     */
    private void writeConfig(Path config, HttpOrigin nginx, int n) throws IOException {
        replace(dir.resolve("rotating.token"), rotatingToken(n));
        replace(config, """
                mapgate {
                  listen {
                    host = "127.0.0.1", port = 0
                    header-timeout = %ds
                    keep-alive-timeout = %ds
                  }
                  origin.url = "%s"
                  gate {
                    allow-ips = ["127.0.0.1", "198.51.100.%d"]
                    token.tokens = [ { name = "sentry", value = "%s" }, { name = "rotating", file = "rotating.token" } ]
                  }
                  reload.check-interval = 1h
                }
                """.formatted(10 + n % 5, 75 + n % 7, nginx.url(), 1 + n % 250, MixedLoad.TOKEN));
    }

    private void replace(Path file, String text) throws IOException {
        Path next = dir.resolve(file.getFileName() + ".next");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void awaitReloads(int admin, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (value(MetricsScrape.of(admin), "mapgate_reloads_total", "what=\"config\"", "result=\"ok\"") < n) {
            assertThat(System.nanoTime()).as("reload %d applied within 30 s", n).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static int mapStatus(InetSocketAddress address, String token) throws IOException {
        try (RawClient c = RawClient.connect(address)) {
            return c.get(TestSite.MAP, MixedLoad.TOKEN_HEADER + ": " + token).status();
        }
    }

    private static String rotatingToken(int n) {
        return "soak-rotating-token-%012d".formatted(n);
    }
}
