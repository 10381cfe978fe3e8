package dev.mapgate.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mapgate.config.AdminSettings;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin listener on a real loopback socket, as Prometheus and a kubelet would use it. */
class AdminServerTest {

    private static final AdminSettings ANY_LOOPBACK_PORT = AdminLimits.DEFAULTS.at("127.0.0.1", 0);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Stands in for the traffic listener's I/O loops, which /healthz watches. */
    private final EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("fake-io", true),
            NioIoHandler.newFactory());
    private final AtomicBoolean ready = new AtomicBoolean(true);
    private final CountDownLatch unblock = new CountDownLatch(1);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private AdminServer server;

    private final Probes probes = new Probes() {
        @Override
        public CompletionStage<Boolean> eventLoopsAnswer() {
            return EventLoopProbe.allAnswer(io, Duration.ofMillis(500));
        }

        @Override
        public boolean ready() {
            return ready.get();
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        Counter.builder("mapgate.requests").tag("outcome", "allowed").register(registry).increment();
        server = AdminServer.start(ANY_LOOPBACK_PORT, probes, new Metrics(registry));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        unblock.countDown();
        server.close();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        assertThat(threadsNamedAfterTheyEnd(AdminServer.THREAD_NAME)).as("close() ends the admin thread").isEmpty();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Set<Thread> threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive())
                .collect(Collectors.toSet());
    }

    /**
     * Leaves out Netty's GlobalEventExecutor: other tests in the same JVM start it (channel groups
     * use it), it is shared, not the admin listener's, and it ends by itself once idle.
     */
    private static Set<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> !t.isDaemon() && t.isAlive())
                .filter(t -> !t.getName().startsWith("globalEventExecutor"))
                .collect(Collectors.toSet());
    }

    /** Waits up to 5 s for the threads named {@code name} to end; a terminated loop's thread exits just after. */
    private static Set<Thread> threadsNamedAfterTheyEnd(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Set<Thread> left = threadsNamed(name);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = threadsNamed(name);
        }
        return left;
    }

    @Test
    void metricsShowsWhatTheRegistryCounted() throws Exception {
        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
        assertThat(response.body()).contains("mapgate_requests_total{outcome=\"allowed\"} 1.0");
    }

    @Test
    void aScraperKeepsItsConnectionAcrossScrapes() throws Exception {
        try (RawClient client = RawClient.connect(server.address())) {
            ResponseReader.Response first = client.get("/metrics?scrape=1");
            registry.counter("mapgate.requests", "outcome", "allowed").increment();
            ResponseReader.Response second = client.get("/metrics", "Accept: application/openmetrics-text; version=1.0.0");

            assertThat(first.bodyText()).contains("mapgate_requests_total{outcome=\"allowed\"} 1.0");
            assertThat(second.header("Content-Type")).startsWith("application/openmetrics-text");
            assertThat(second.bodyText()).as("the second scrape sees the new count on the same connection")
                    .contains("mapgate_requests_total{outcome=\"allowed\"} 2.0").endsWith("# EOF\n");
        }
    }

    @Test
    void aProbeWrittenOneByteAtATimeIsAnsweredAsSoonAsItsLastByteArrives() throws Exception {
        byte[] probe = RawClient.request("GET", "/readyz").getBytes(StandardCharsets.US_ASCII);
        try (RawClient kubelet = RawClient.connect(server.address())) {
            for (byte b : probe) {
                kubelet.send(new byte[] {b});
                Thread.sleep(2);
            }
            long lastByte = System.nanoTime();
            ResponseReader.Response response = kubelet.read(false);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastByte);

            assertThat(response.bodyText()).isEqualTo("ready\n");
            assertThat(took).as("answered %d ms after the last of %d single-byte writes", took, probe.length)
                    .isLessThan(1000);
        }
    }

    @Test
    void pipelinedProbesCutAcrossWritesAreAnsweredInOrderAtOnce() throws Exception {
        String wire = RawClient.request("GET", "/readyz") + RawClient.request("GET", "/nope")
                + RawClient.request("GET", "/healthz") + RawClient.request("HEAD", "/readyz");
        byte[] bytes = wire.getBytes(StandardCharsets.US_ASCII);
        try (RawClient client = RawClient.connect(server.address())) {
            // Cuts inside a request line, inside a header, and between two requests' CRLFs.
            int[] cuts = {5, 30, 41, 60, 97, bytes.length - 3};
            int from = 0;
            for (int cut : cuts) {
                client.send(Arrays.copyOfRange(bytes, from, cut));
                from = cut;
                Thread.sleep(5);
            }
            client.send(Arrays.copyOfRange(bytes, from, bytes.length));
            long lastByte = System.nanoTime();

            assertThat(client.read(false).bodyText()).isEqualTo("ready\n");
            assertThat(client.read(false).status()).isEqualTo(404);
            assertThat(client.read(false).bodyText()).isEqualTo("ok\n");
            assertThat(client.read(true).status()).isEqualTo(200);
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastByte);
            assertThat(took).as("the fourth answer, %d ms after the last byte", took).isLessThan(1000);
        }
    }

    @Test
    void readyzTurnsUnavailableWhenTheServerStopsBeingReady() throws Exception {
        assertThat(get("/readyz").statusCode()).isEqualTo(200);

        ready.set(false);

        HttpResponse<String> draining = get("/readyz");
        assertThat(draining.statusCode()).as("the load balancer takes a draining server out").isEqualTo(503);
        assertThat(draining.body()).isEqualTo("not ready\n");
    }

    @Test
    void healthzIsOkWhileTheIoLoopsRun() throws Exception {
        HttpResponse<String> response = get("/healthz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok\n");
    }

    @Test
    void healthzTurnsUnavailableWhenAnIoLoopIsStuck() throws Exception {
        io.next().execute(() -> {
            try {
                unblock.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        HttpResponse<String> response = get("/healthz");

        assertThat(response.statusCode()).as("the admin thread still answers, and says the I/O is stuck")
                .isEqualTo(503);
        assertThat(response.body()).isEqualTo("event loops not answering\n");
        assertThat(get("/readyz").statusCode()).as("and other admin requests still work").isEqualTo(200);
    }

    @Test
    void unknownPathsAndMethodsAreRefused() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
    }

    @Test
    void theAdminThreadIsADaemonNamedForWhatItDoes() throws Exception {
        get("/readyz");

        assertThat(threadsNamed(AdminServer.THREAD_NAME)).as("one admin thread")
                .hasSize(1).allMatch(Thread::isDaemon, "is a daemon, so it never keeps the process alive");
    }

    @Test
    void closeFreesThePortAndEndsTheThread() throws Exception {
        Set<Thread> nonDaemonBefore = nonDaemonThreads();
        int port = server.address().getPort();
        try (RawClient idle = RawClient.connect(server.address())) {
            idle.get("/readyz");

            server.close();

            assertThat(idle.isClosedByServer()).as("open admin connections are closed too").isTrue();
        }
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).as("the port can be bound again at once").isEqualTo(port);
        }
        assertThat(threadsNamedAfterTheyEnd(AdminServer.THREAD_NAME)).as("the admin thread has ended").isEmpty();
        assertThat(nonDaemonThreads()).as("no thread left that would keep the JVM up")
                .isSubsetOf(nonDaemonBefore);
    }

    @Test
    void aTakenPortFailsTheStartAndLeavesNoThread() throws Exception {
        server.close();
        assertThat(threadsNamedAfterTheyEnd(AdminServer.THREAD_NAME)).isEmpty();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            AdminSettings clash = AdminLimits.DEFAULTS.at("127.0.0.1", taken.getLocalPort());

            assertThatThrownBy(() -> AdminServer.start(clash, probes, new Metrics(registry))).isInstanceOf(BindException.class);

            assertThat(threadsNamedAfterTheyEnd(AdminServer.THREAD_NAME)).as("the failed start stopped its thread")
                    .isEmpty();
        }
    }
}
