package dev.mapgate.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.FileLimit;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.MetricsScrape;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestSite;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SoakBounds#connections()} keep-alive connections (10,000 by default) held open to
 * mapgate as its own JVM, with a request on every one of them right after they open and again
 * after {@link SoakBounds#hold()}. mapgate serves the files itself (its static origin), so its
 * file descriptors are the client connections and little else.
 *
 * <p>Both processes need a descriptor per connection. The JVM raises its own soft limit to the
 * hard one; mapgate is started with the hard limit raised where the OS lets it (as root). Where
 * the limits leave room for fewer connections, the test says so and holds as many as they allow.
 */
@Tag(SoakBounds.TAG)
class ConnectionFloodSoakTest {

    /** Requests (and connection attempts) in flight at once. */
    private static final int IN_FLIGHT = 256;

    /** Descriptors each process needs besides the connections: jars, epoll, pipes, the admin listener. */
    private static final int SPARE_FILES = 512;

    private static final double MIB = 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void tenThousandKeepAliveConnectionsStayOpenAndARequestOnEveryOneSucceeds() throws Exception {
        int wanted = SoakBounds.connections();
        Duration hold = SoakBounds.hold();
        TestSite site = TestSite.soak();
        Path root = site.writeTo(dir.resolve("site"));
        Path config = dir.resolve("mapgate.conf");
        Files.writeString(config, """
                mapgate {
                  listen {
                    host = "127.0.0.1", port = 0
                    max-connections = %d
                    # Outlasts the hold, so that only a fault would close a connection.
                    keep-alive-timeout = %ds
                  }
                  origin.directory = "%s"
                }
                """.formatted(wanted + 64, hold.toSeconds() + 300, root));
        try (MapgateJvm mapgate = TestMapgate.jvm().longRunning(wanted + SPARE_FILES)
                .jvmOptions(List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch"))
                .start("--config", config.toString());
             ChildJvm jvm = ChildJvm.attach(mapgate)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", mapgate.awaitPort());
            FileLimit own = FileLimit.self();
            FileLimit theirs = FileLimit.of(mapgate.pid());
            int room = (int) Math.min(own.headroom(), theirs.headroom()) - SPARE_FILES;
            int count = Math.min(wanted, room);
            System.out.printf("flood: open-file limits: this JVM %s; mapgate %s (asked for %d%s)%n",
                    own, theirs, wanted + SPARE_FILES,
                    theirs.soft() < wanted + SPARE_FILES ? ", which the OS did not allow" : "");
            if (count < wanted) {
                System.out.printf("flood: THE OS LIMITS LEAVE ROOM FOR %d CONNECTIONS, NOT %d: holding %d. To test %d,"
                                + " raise the hard limit: ulimit -Hn (root with CAP_SYS_RESOURCE), LimitNOFILE (systemd).%n",
                        count, wanted, count, wanted);
            }
            assertThat(count).as("connections the open-file limits leave room for").isGreaterThanOrEqualTo(100);
            flood(mapgate, jvm, address, site, count, hold);
        }
    }

    private static void flood(MapgateJvm mapgate, ChildJvm jvm, InetSocketAddress address, TestSite site,
                              int count, Duration hold) throws Exception {
        long heapBefore = jvm.liveHeapBytes();
        long rssBefore = mapgate.residentBytes();
        long start = System.nanoTime();
        try (ConnectionFlood flood = ConnectionFlood.open(address, count, IN_FLIGHT)) {
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            assertThat(flood.connectFailures()).as("connections that failed to open (%d in all)", flood.failedConnects())
                    .isEmpty();
            ConnectionFlood.Round first = flood.requestOnEach(TestSite.SCRIPT, site.content(TestSite.SCRIPT), IN_FLIGHT);
            double gauge = clientConnections(mapgate);
            long heapHeld = jvm.liveHeapBytes();
            long rssHeld = mapgate.residentBytes();

            Thread.sleep(hold.toMillis());
            int openAfterHold = flood.open();
            ConnectionFlood.Round second = flood.requestOnEach(TestSite.SCRIPT, site.content(TestSite.SCRIPT), IN_FLIGHT);
            int openAtEnd = flood.open();
            double gaugeAtEnd = clientConnections(mapgate);

            System.out.printf("flood: %d connections opened in %.1f s from %d source addresses; mapgate counted %.0f open;"
                            + " its heap after GC %.1f MiB before, %.1f MiB holding them (%.1f KiB a connection);"
                            + " RSS %.0f MiB before, %.0f MiB holding them%n",
                    flood.connected(), connectSeconds, ConnectionFlood.SOURCES, gauge, heapBefore / MIB, heapHeld / MIB,
                    (heapHeld - heapBefore) / 1024.0 / count, rssBefore / MIB, rssHeld / MIB);
            System.out.printf("flood: first round %d ok, %d failed in %.1f s; held %d s: %d still open;"
                            + " second round %d ok, %d failed in %.1f s; %d open at the end, %.0f by mapgate's count,"
                            + " %d closed by mapgate%n",
                    first.ok(), first.failed(), first.seconds(), hold.toSeconds(), openAfterHold,
                    second.ok(), second.failed(), second.seconds(), openAtEnd, gaugeAtEnd, flood.closedByServer());

            assertThat(flood.connected()).as("connections opened").isEqualTo(count);
            assertThat(first.failures()).as("requests right after opening (%d failed)", first.failed()).isEmpty();
            assertThat(first.ok()).as("answered right after opening").isEqualTo(count);
            assertThat(gauge).as("mapgate_client_connections with all of them open").isEqualTo(count);
            assertThat(openAfterHold).as("open after the hold").isEqualTo(count);
            assertThat(second.failures()).as("requests after the hold (%d failed)", second.failed()).isEmpty();
            assertThat(second.ok()).as("answered after the hold").isEqualTo(count);
            assertThat(openAtEnd).as("open after the second round: keep-alive kept").isEqualTo(count);
            assertThat(flood.closedByServer()).as("connections mapgate closed").isZero();
            assertThat(gaugeAtEnd).as("mapgate_client_connections at the end").isEqualTo(count);
        }
    }

    private static double clientConnections(MapgateJvm mapgate) throws Exception {
        return MetricsScrape.value(MetricsScrape.of(mapgate.adminPort()), "mapgate_client_connections");
    }
}
