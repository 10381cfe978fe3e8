package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.origin.OriginResolvers;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestDnsServer;
import dev.mapgate.testing.TestMapgate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The origin's name is looked up again once its record's TTL has run out, so an origin that moves
 * to another address (a load balancer or object store behind a name) is followed without a
 * restart. A connection already pooled to the old address serves until it closes. Names that
 * need no DNS never reach the name server, and a name that does not exist is a 502, asked for
 * again only after the negative TTL.
 */
class OriginDnsTest {

    private static final String NAME = "moving.mapgate.test";
    private static final int TTL_SECONDS = 1;

    @TempDir
    Path dir;

    /** On both transports: the DNS queries go over the event loops' own kind of UDP socket. */
    @ParameterizedTest
    @ValueSource(strings = {"auto", "nio"})
    void newConnectionsGoToTheNewAddressOnceTheOldRecordsTtlHasRunOut(String transport) throws Exception {
        HttpServer before = origin(new InetSocketAddress("127.0.0.1", 0), "from 127.0.0.1");
        int port = before.getAddress().getPort();
        HttpServer after = origin(new InetSocketAddress("127.0.0.2", port), "from 127.0.0.2");
        Metrics metrics = Metrics.inMemory();
        try (TestDnsServer dns = TestDnsServer.start();
             TestMapgate mapgate = start("http://" + NAME + ":" + port, transport,
                     OriginResolvers.using(dns.asNameServer()), metrics)) {
            dns.answer(NAME, "127.0.0.1", TTL_SECONDS, Duration.ZERO);
            assertThat(body(mapgate)).isEqualTo("from 127.0.0.1");

            dns.answer(NAME, "127.0.0.2", TTL_SECONDS, Duration.ZERO);
            long moved = System.nanoTime();
            assertThat(body(mapgate)).as("the pooled connection to the old address is reused while it lasts")
                    .isEqualTo("from 127.0.0.1");

            // The old origin keeps running: only the new lookup can send the request elsewhere.
            assertThat(Measure.eventually(() -> Measure.originConnections(metrics) == 0, Duration.ofSeconds(5)))
                    .as("the idle pooled connection was closed after origin.pool-idle-timeout").isTrue();
            long waitMs = TTL_SECONDS * 1000L + 200 - Measure.millisSince(moved);
            if (waitMs > 0) {
                Thread.sleep(waitMs);
            }
            long start = System.nanoTime();
            String answer = body(mapgate);
            long answerMs = Measure.millisSince(start);
            System.out.printf("origin-dns (transport %s): TTL %d s; after it a new connection answered '%s' in %d ms;"
                    + " DNS questions for the name %d%n", transport, TTL_SECONDS, answer, answerMs, dns.queries(NAME));

            assertThat(answer).as("a new connection after the TTL goes to the new address, without a restart")
                    .isEqualTo("from 127.0.0.2");
        } finally {
            before.stop(0);
            after.stop(0);
        }
    }

    @Test
    void aNameThatDoesNotExistGets502AndIsNotAskedForAgainAtOnce() throws Exception {
        String missing = "missing.mapgate.test";
        try (TestDnsServer dns = TestDnsServer.start();
             TestMapgate mapgate = start("http://" + missing + ":8080", OriginResolvers.using(dns.asNameServer()),
                     Metrics.inMemory())) {
            long start = System.nanoTime();
            assertThat(status(mapgate)).as("NXDOMAIN: the origin cannot be reached").isEqualTo(502);
            long firstMs = Measure.millisSince(start);
            int asked = dns.queries(missing);
            assertThat(status(mapgate)).isEqualTo(502);
            System.out.printf("origin-dns: a missing name gave 502 in %d ms; DNS questions %d, none more for the"
                    + " next request within the %d s negative TTL%n", firstMs, asked, OriginResolvers.NEGATIVE_TTL_SECONDS);

            assertThat(asked).as("the first request asked").isPositive();
            assertThat(dns.queries(missing)).as("the second request, within the negative TTL, did not ask again")
                    .isEqualTo(asked);
        }
    }

    /** An address literal is used as it is; localhost is in /etc/hosts, which answers first. */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost"})
    void anOriginNamedByAddressOrInEtcHostsAsksNoDnsServer(String host) throws Exception {
        HttpServer origin = origin(new InetSocketAddress("127.0.0.1", 0), "served");
        try (TestDnsServer dns = TestDnsServer.start();
             TestMapgate mapgate = start("http://" + host + ":" + origin.getAddress().getPort(),
                     OriginResolvers.using(dns.asNameServer()), Metrics.inMemory())) {
            assertThat(body(mapgate)).isEqualTo("served");
            assertThat(dns.queries()).as("no DNS question for %s", host).isZero();
        } finally {
            origin.stop(0);
        }
    }

    /** One event loop, so that every request borrows from the same pool. */
    @Test
    void aNameInEtcHostsIsAnsweredFromThereWithoutAskingDns() throws Exception {
        HttpServer origin = origin(new InetSocketAddress("127.0.0.1", 0), "from /etc/hosts");
        try (TestDnsServer dns = TestDnsServer.start();
             TestMapgate mapgate = start("http://localhost:" + origin.getAddress().getPort(),
                     OriginResolvers.using(dns.asNameServer()), Metrics.inMemory())) {
            assertThat(body(mapgate)).isEqualTo("from /etc/hosts");
            assertThat(dns.queries()).as("localhost is in /etc/hosts, so no DNS question").isZero();
        } finally {
            origin.stop(0);
        }
    }

    private TestMapgate start(String url, OriginResolvers resolvers, Metrics metrics) {
        return start(url, "auto", resolvers, metrics);
    }

    private TestMapgate start(String url, String transport, OriginResolvers resolvers, Metrics metrics) {
        return TestMapgate.in(dir).metrics(metrics).resolvers(resolvers).config("""
                listen { io-threads = 1, transport = %s }
                origin { url = "%s", pool-idle-timeout = 500ms }
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(transport, url)).start();
    }

    private static String body(TestMapgate mapgate) throws IOException {
        ResponseReader.Response response = get(mapgate);
        assertThat(response.status()).as("origin answered through mapgate").isEqualTo(200);
        return response.bodyText();
    }

    private static int status(TestMapgate mapgate) throws IOException {
        return get(mapgate).status();
    }

    private static ResponseReader.Response get(TestMapgate mapgate) throws IOException {
        try (RawClient client = mapgate.connect()) {
            return client.get("/assets/app.js");
        }
    }

    /** An origin on {@code address} that answers every path with {@code body}, keeping connections open. */
    private static HttpServer origin(InetSocketAddress address, String body) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        return server;
    }
}
