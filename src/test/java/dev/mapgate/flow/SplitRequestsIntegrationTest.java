package dev.mapgate.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import dev.mapgate.tls.TestPki;
import io.netty.channel.epoll.Epoll;
import io.netty.pkitesting.CertificateBuilder.Algorithm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests that reach mapgate in pieces are answered the moment their last byte arrives, on
 * every listener mapgate offers: epoll and NIO, plain and TLS, with and without a PROXY header.
 * This is what broke when Netty's {@code FlowControlHandler} took a read that produced no message
 * as a satisfied read: such a request waited for {@code listen.header-timeout}. Each test asserts
 * how long the answer took after the last byte, against a header timeout ten times longer.
 */
class SplitRequestsIntegrationTest {

    private static final String TOKEN = "split-requests-token-7c1e2a";
    /** The PROXY header's client: allowed by the gate, so a gated request with the token gets the map. */
    private static final String PROXIED_CLIENT = "192.0.2.10";
    private static final long HEADER_TIMEOUT_MILLIS = 10_000;
    /** An answer later than this after the last byte was held back, not merely slow. */
    private static final long ANSWER_WITHIN_MILLIS = 1_000;

    private static final TestPki PKI = new TestPki();
    private static final SSLContext CLIENT_TLS = PKI.clientTrustingRoot();
    private static TestOrigin origin;

    @TempDir
    Path dir;
    private TestMapgate mapgate;

    record Listener(String transport, boolean tls, boolean proxyHeader) {
        @Override
        public String toString() {
            return transport + (tls ? ", TLS" : ", plain") + (proxyHeader ? ", PROXY header" : "");
        }
    }

    static Stream<Arguments> listeners() {
        List<Arguments> all = new ArrayList<>();
        for (String transport : List.of("epoll", "nio")) {
            for (boolean tls : List.of(false, true)) {
                for (boolean proxy : List.of(false, true)) {
                    all.add(Arguments.of(new Listener(transport, tls, proxy)));
                }
            }
        }
        return all.stream();
    }

    @BeforeAll
    static void startOrigin() throws IOException {
        origin = new TestOrigin();
    }

    @AfterAll
    static void stopOrigin() {
        origin.close();
    }

    @AfterEach
    void stopMapgate() {
        if (mapgate != null) {
            mapgate.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listeners")
    void aRequestWrittenOneByteAtATimeIsAnsweredAsSoonAsItsLastByteArrives(Listener listener) throws Exception {
        start(listener);
        byte[] request = mapRequest();
        try (RawClient client = connect(listener, true)) {
            for (int i = 0; i < request.length; i++) {
                client.send(new byte[] {request[i]});
                pause(2);
            }
            long lastByte = System.nanoTime();
            ResponseReader.Response response = client.read(false);
            long took = millisSince(lastByte);

            assertThat(response.status()).as("the gated map, for the token").isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo(TestOrigin.APP_MAP);
            assertAnsweredInTime(took, "%d single-byte writes", request.length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listeners")
    @Heavy
    void aRequestCutAtEveryPositionOfItsHeadIsAnsweredAtOnce(Listener listener) throws Exception {
        start(listener);
        byte[] request = mapRequest();
        long slowest = 0;
        int slowestCut = 0;
        // One keep-alive connection: each request is sent only after the previous answer.
        try (RawClient client = connect(listener, false)) {
            for (int cut = 1; cut < request.length; cut++) {
                client.send(java.util.Arrays.copyOfRange(request, 0, cut));
                pause(3);
                client.send(java.util.Arrays.copyOfRange(request, cut, request.length));
                long lastByte = System.nanoTime();
                ResponseReader.Response response = client.read(false);
                long took = millisSince(lastByte);

                assertThat(response.status()).as("cut after byte %d", cut).isEqualTo(200);
                assertThat(response.bodyText()).as("cut after byte %d", cut).isEqualTo(TestOrigin.APP_MAP);
                if (took > slowest) {
                    slowest = took;
                    slowestCut = cut;
                }
            }
        }
        assertAnsweredInTime(slowest, "the slowest of %d cuts (after byte %d)", request.length - 1, slowestCut);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listeners")
    void aBodyArrivingInManyWritesIsForwardedWholeAndAnsweredAtOnce(Listener listener) throws Exception {
        start(listener);
        try (RawClient client = connect(listener, false)) {
            byte[] body = new byte[3000];
            java.util.Arrays.fill(body, (byte) 'x');
            client.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 3000\r\n\r\n");
            for (int at = 0; at < body.length; at += 50) {
                client.send(java.util.Arrays.copyOfRange(body, at, at + 50));
                pause(1);
            }
            long lastByte = System.nanoTime();
            ResponseReader.Response sized = client.read(false);
            long tookSized = millisSince(lastByte);
            assertThat(sized.bodyText()).as("the origin received every byte of 60 writes").isEqualTo("3000\n");
            assertAnsweredInTime(tookSized, "a Content-Length body in 60 writes");

            // Chunked, with the chunk framing itself cut between writes.
            byte[] chunked = ("POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "a\r\n0123456789\r\n".repeat(40) + "0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int at = 0; at < chunked.length; at += 7) {
                client.send(java.util.Arrays.copyOfRange(chunked, at, Math.min(chunked.length, at + 7)));
                pause(1);
            }
            lastByte = System.nanoTime();
            ResponseReader.Response streamed = client.read(false);
            long tookChunked = millisSince(lastByte);
            assertThat(streamed.bodyText()).as("40 chunks of 10 bytes, in 7-byte writes").isEqualTo("400\n");
            assertAnsweredInTime(tookChunked, "a chunked body in 7-byte writes");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listeners")
    void twoPipelinedRequestsCutAtRandomAreAnsweredInOrderAtOnce(Listener listener) throws Exception {
        start(listener);
        pipelined(listener, 2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listeners")
    void tenPipelinedRequestsCutAtRandomAreAnsweredInOrderAtOnce(Listener listener) throws Exception {
        start(listener);
        pipelined(listener, 10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listeners")
    void aSecondRequestSentOnlyAfterTheFirstAnswerIsAnsweredAtOnce(Listener listener) throws Exception {
        start(listener);
        try (RawClient client = connect(listener, false)) {
            assertThat(client.get("/assets/app.js").bodyText()).isEqualTo(TestOrigin.APP_JS);
            pause(50);
            client.send(mapRequest());
            long lastByte = System.nanoTime();
            ResponseReader.Response second = client.read(false);
            long took = millisSince(lastByte);

            assertThat(second.bodyText()).isEqualTo(TestOrigin.APP_MAP);
            assertAnsweredInTime(took, "the second request on the connection");
        }
    }

    /**
     * {@code count} requests of four kinds (an asset, the map with the token, an upload with a
     * body of its own size, a miss) in one stream cut at random places, each piece its own write.
     */
    private void pipelined(Listener listener, int count) throws IOException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            switch (i % 4) {
                case 0 -> {
                    wire.writeBytes(RawClient.request("GET", "/assets/app.js").getBytes(StandardCharsets.US_ASCII));
                    expected.add("200 " + TestOrigin.APP_JS);
                }
                case 1 -> {
                    wire.writeBytes(mapRequest());
                    expected.add("200 " + TestOrigin.APP_MAP);
                }
                case 2 -> {
                    int size = 100 + i;
                    wire.writeBytes(("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + size + "\r\n\r\n"
                            + "b".repeat(size)).getBytes(StandardCharsets.US_ASCII));
                    expected.add("200 " + size + "\n");
                }
                default -> {
                    wire.writeBytes(RawClient.request("GET", "/assets/gone-" + i + ".js").getBytes(StandardCharsets.US_ASCII));
                    expected.add("404 origin: not found\n");
                }
            }
        }
        byte[] bytes = wire.toByteArray();
        TreeSet<Integer> cuts = new TreeSet<>();
        while (cuts.size() < Math.min(bytes.length - 1, 3 * count)) {
            cuts.add(1 + random.nextInt(bytes.length - 1));
        }
        String replay = "seed " + seed + ", cuts " + cuts;
        try (RawClient client = connect(listener, false)) {
            int from = 0;
            for (int cut : cuts) {
                client.send(java.util.Arrays.copyOfRange(bytes, from, cut));
                from = cut;
                pause(2);
            }
            client.send(java.util.Arrays.copyOfRange(bytes, from, bytes.length));
            long lastByte = System.nanoTime();
            for (int i = 0; i < count; i++) {
                ResponseReader.Response response = client.read(false);
                assertThat(response.status() + " " + response.bodyText())
                        .as("response %d of %d, in request order (%s)", i + 1, count, replay).isEqualTo(expected.get(i));
            }
            assertAnsweredInTime(millisSince(lastByte), "the last of %d pipelined requests (%s)", count, replay);
        }
    }

    private void start(Listener listener) throws IOException {
        if (listener.transport().equals("epoll")) {
            assumeThat(Epoll.isAvailable()).as("epoll loads on this machine").isTrue();
        }
        String tls = "";
        if (listener.tls()) {
            Path chain = dir.resolve("tls.crt");
            Path key = dir.resolve("tls.key");
            TestPki.install(PKI.server(Algorithm.ecp256), TestPki.KeyFormat.PKCS8, chain, key);
            tls = "listen.tls { certificate-chain = \"%s\", private-key = \"%s\" }".formatted(chain, key);
        }
        mapgate = TestMapgate.start(dir, """
                listen { transport = %s, header-timeout = %dms, proxy-protocol = %s }
                %s
                client-ip.trusted-proxies = ["127.0.0.1/32"]
                origin.url = "%s"
                gate { allow-ips = ["127.0.0.1", "%s"], token.tokens = [ { name = "sentry", value = "%s" } ] }
                """.formatted(listener.transport(), HEADER_TIMEOUT_MILLIS, listener.proxyHeader() ? "on" : "off", tls,
                origin.url(), PROXIED_CLIENT, TOKEN));
    }

    /**
     * A connection through the listener's layers: the PROXY header first (in single-byte writes
     * when {@code dribble}), then the TLS handshake, each as a balancer and a client would.
     */
    private RawClient connect(Listener listener, boolean dribble) throws IOException {
        InetSocketAddress address = mapgate.address();
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(address, 5000);
        socket.setSoTimeout((int) (2 * HEADER_TIMEOUT_MILLIS));
        if (listener.proxyHeader()) {
            byte[] header = ("PROXY TCP4 " + PROXIED_CLIENT + " 127.0.0.1 40001 443\r\n").getBytes(StandardCharsets.US_ASCII);
            if (dribble) {
                for (byte b : header) {
                    socket.getOutputStream().write(b);
                    socket.getOutputStream().flush();
                    pause(2);
                }
            } else {
                socket.getOutputStream().write(header);
                socket.getOutputStream().flush();
            }
        }
        if (!listener.tls()) {
            return RawClient.over(socket);
        }
        SSLSocket tls = (SSLSocket) CLIENT_TLS.getSocketFactory().createSocket(socket, "localhost", address.getPort(), true);
        tls.startHandshake();
        return RawClient.over(tls);
    }

    private static byte[] mapRequest() {
        return RawClient.request("GET", "/assets/app.js.map", "X-Sentry-Token: " + TOKEN).getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertAnsweredInTime(long tookMillis, String what, Object... args) {
        assertThat(tookMillis)
                .as("%s: answered %d ms after the last byte; header-timeout is %d ms", String.format(what, args),
                        tookMillis, HEADER_TIMEOUT_MILLIS)
                .isLessThan(ANSWER_WITHIN_MILLIS);
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
