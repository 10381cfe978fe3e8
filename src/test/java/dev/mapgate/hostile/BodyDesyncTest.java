package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request hidden in another request's body (CL.0), against an origin that answers without
 * reading bodies and keeps its connections, as Python's http.server and many small servers do.
 * Such an origin takes the body for the next request on that connection. mapgate pools origin
 * connections across clients, so the answer to the hidden request, the map, would go to whoever
 * sent the next request: a bystander, under the name of an ungated file, and cacheable.
 */
class BodyDesyncTest {

    private static final String MAP = "{\"version\":3,\"mappings\":\"AAAA\",\"sources\":[\"FeePaymentForm.tsx\"]}";
    private static final String HIDDEN = "GET /assets/app.js.map HTTP/1.1\r\nX-Ignore: ";
    private static final int BYSTANDERS = 8;

    @TempDir
    Path dir;
    private RawOrigin origin;
    private TestMapgate mapgate;
    /** How often the origin answered a request for the map: only a smuggled one could reach it. */
    private final AtomicInteger mapAnswers = new AtomicInteger();

    @BeforeEach
    void start() {
        origin = RawOrigin.start()
                .ok("/assets/other.js", "console.log(1)\n")
                .ok("/assets/upload", "stored\n")
                .route("/assets/slow.js", link -> {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    link.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nslow\n");
                    return After.KEEP_ALIVE;
                })
                .route("/assets/app.js.map", link -> {
                    mapAnswers.incrementAndGet();
                    link.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + MAP.length()
                            + "\r\n\r\n" + MAP);
                    return After.KEEP_ALIVE;
                });
        // One event loop, so that every client shares one origin pool, as the attack needs.
        mapgate = TestMapgate.start(dir, """
                listen.io-threads = 1
                origin.url = "%s"
                gate { allow-ips = ["192.0.2.1"], token.tokens = [ { name = "sentry", value = "desync-token-3b7f0e" } ] }
                """.formatted(origin.url()));
    }

    @AfterEach
    void stop() {
        mapgate.close();
        origin.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD"})
    void aRequestHiddenInTheBodyOfAGetOrHeadIsRefusedAndNeverReachesTheOrigin(String method) throws Exception {
        try (RawClient attacker = mapgate.connectFrom("127.0.0.2")) {
            attacker.send(method + " /assets/other.js HTTP/1.1\r\nHost: cdn.example\r\nContent-Length: " + HIDDEN.length()
                    + "\r\n\r\n" + HIDDEN);
            ResponseReader.Response response = attacker.read(method.equals("HEAD"));

            assertThat(response.status()).as("content on a %s is refused", method).isEqualTo(400);
            assertThat(response.header("Connection")).isEqualTo("close");
            assertThat(attacker.isClosedByServer()).as("and the connection closed, so the body is never read").isTrue();
        }
        List<String> seen = bystanders();

        assertThat(seen).as("what %d bystanders got for /assets/other.js", BYSTANDERS)
                .allMatch(body -> body.equals("console.log(1)\n")).noneMatch(body -> body.contains("mappings"));
        assertThat(mapAnswers).as("the hidden request never reached the origin").hasValue(0);
        assertThat(origin.links().stream().mapToInt(RawOrigin.Link::requests).sum())
                .as("the attacker's request itself was not forwarded either").isEqualTo(BYSTANDERS);
    }

    @Test
    void aRequestHiddenInTheSameConnectionsNextBytesIsNotReadAfterTheRefusal() throws Exception {
        try (RawClient attacker = mapgate.connectFrom("127.0.0.2")) {
            attacker.send("GET /assets/other.js HTTP/1.1\r\nHost: cdn.example\r\nContent-Length: " + HIDDEN.length()
                    + "\r\n\r\n" + HIDDEN + "Host: cdn.example\r\n\r\n");
            assertThat(attacker.read(false).status()).isEqualTo(400);
            assertThat(attacker.isClosedByServer()).isTrue();
        }
        assertThat(mapAnswers).hasValue(0);
    }

    @Test
    void anOriginConnectionThatCarriedContentIsClosedNotPooled() throws Exception {
        // A POST may carry content. The origin here answers without reading it, so on that
        // connection the body is the next request, and its answer is the map.
        try (RawClient attacker = mapgate.connectFrom("127.0.0.2")) {
            attacker.send("POST /assets/upload HTTP/1.1\r\nHost: cdn.example\r\nContent-Length: " + HIDDEN.length()
                    + "\r\n\r\n" + HIDDEN);
            ResponseReader.Response response = attacker.read(false);
            assertThat(response.bodyText()).as("the upload itself is passed through").isEqualTo("stored\n");
        }
        List<String> seen = bystanders();

        assertThat(seen).as("what %d bystanders got for /assets/other.js", BYSTANDERS)
                .allMatch(body -> body.equals("console.log(1)\n"));
        // The origin may well have read the body as a second request and answered it with the
        // map; mapgate closed that connection after the POST's response, so nobody read that answer.
        RawOrigin.Link carried = origin.links().get(0);
        assertThat(carried.hungUp()).as("mapgate closed it after the response instead of pooling it").isTrue();
        assertThat(origin.links()).as("each bystander was served on a connection that never carried content")
                .hasSizeGreaterThan(1);
    }

    @Test
    void aPipelinedRequestDoesNotLetTheConnectionThatCarriedContentBackIntoThePool() throws Exception {
        // Two idle pooled origin connections: the POST takes one, and the request pipelined behind
        // it takes the other at once, inside the POST's completion, before that decides whether
        // the POST's connection may be pooled.
        try (RawClient a = mapgate.connectFrom("127.0.0.3"); RawClient b = mapgate.connectFrom("127.0.0.3")) {
            a.send(RawClient.request("GET", "/assets/slow.js"));
            b.send(RawClient.request("GET", "/assets/slow.js"));
            assertThat(a.read(false).bodyText()).isEqualTo("slow\n");
            assertThat(b.read(false).bodyText()).isEqualTo("slow\n");
        }
        try (RawClient attacker = mapgate.connectFrom("127.0.0.2")) {
            attacker.send("POST /assets/upload HTTP/1.1\r\nHost: cdn.example\r\nContent-Length: " + HIDDEN.length()
                    + "\r\n\r\n" + HIDDEN + RawClient.request("GET", "/assets/other.js"));
            assertThat(attacker.read(false).bodyText()).isEqualTo("stored\n");
            assertThat(attacker.read(false).bodyText()).isEqualTo("console.log(1)\n");
        }
        // At once, so that every pooled connection is used, the most recently pooled one included.
        List<String> seen = concurrentBystanders();

        assertThat(seen).as("what %d bystanders got for /assets/other.js", BYSTANDERS)
                .allMatch(body -> body.equals("console.log(1)\n"));
    }

    /** {@code BYSTANDERS} clients without a credential, all asking before any reads its answer. */
    private List<String> concurrentBystanders() throws Exception {
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < BYSTANDERS; i++) {
                RawClient client = mapgate.connectFrom("127.0.0.3");
                clients.add(client);
                client.send(RawClient.request("GET", "/assets/other.js"));
            }
            List<String> bodies = new ArrayList<>();
            for (RawClient client : clients) {
                bodies.add(new String(client.read(false).body(), StandardCharsets.UTF_8));
            }
            return bodies;
        } finally {
            for (RawClient client : clients) {
                client.close();
            }
        }
    }

    /** {@code BYSTANDERS} clients without a credential, one after another, each asking for an ungated asset. */
    private List<String> bystanders() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < BYSTANDERS; i++) {
            try (RawClient bystander = mapgate.connectFrom("127.0.0.3")) {
                bodies.add(new String(bystander.get("/assets/other.js").body(), StandardCharsets.UTF_8));
            }
        }
        return bodies;
    }
}
