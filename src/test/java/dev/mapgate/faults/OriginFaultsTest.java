package dev.mapgate.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.origin.ProxyHandler;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.RawOrigin.Link;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An origin that dies mid-body or answers garbage: its own client sees a visibly broken
 * response, nobody else notices, and mapgate never hands that origin connection out again.
 *
 * <p>Proven elsewhere and not repeated here: {@code ProxyGateIntegrationTest}'s
 * {@code anOriginThatDiesMidBodyLeavesTheClientWithAVisiblyCutResponse} (a Content-Length body
 * cut short reaches a lone client short) and {@code aSlowOriginGives504AfterTheResponseTimeout}.
 * Refused and black-holed connections are in {@link UnreachableOriginTest}.
 */
class OriginFaultsTest {

    private static final long BODY = 4L << 20;
    private static final String OK = "ok\n";

    @TempDir
    static Path dir;
    RawOrigin origin;
    TestMapgate mapgate;

    @BeforeEach
    void start() {
        origin = RawOrigin.start().ok("/ok", OK);
        // One event loop, so one origin pool: a connection that is not reused was refused reuse,
        // not merely left in another loop's pool. The idle-timeout is what ends a body the origin
        // stops sending without closing.
        mapgate = TestMapgate.in(dir).metrics(Metrics.inMemory()).config("""
                listen { io-threads = 1, idle-timeout = 2s }
                origin { url = "%s", connect-timeout = 1s, response-timeout = 1s }
                gate { require = [ip], allow-ips = ["127.0.0.1"] }
                """.formatted(origin.url())).start();
    }

    @AfterEach
    void stop() {
        mapgate.close();
        origin.close();
    }

    /** How the origin frames the body it breaks off. */
    enum Framing {
        CONTENT_LENGTH("Content-Length: " + BODY),
        CHUNKED("Transfer-Encoding: chunked");

        final String header;

        Framing(String header) {
            this.header = header;
        }

        void sendHalf(Link link) throws IOException {
            link.send("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n" + header + "\r\n\r\n");
            if (this == CHUNKED) {
                link.sendPatternChunks(BODY / 2);
            } else {
                link.sendPattern(BODY / 2);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Framing.class)
    void aConnectionThatDiesMidBodyCutsOffItsOwnClientAndNoOther(Framing framing) throws Exception {
        origin.route("/whole", link -> {
            link.send("HTTP/1.1 200 OK\r\nContent-Length: " + BODY + "\r\n\r\n");
            link.sendPattern(BODY);
            return After.KEEP_ALIVE;
        });
        origin.route("/dies", link -> {
            framing.sendHalf(link);
            return After.CLOSE;
        });
        try (RawClient other = mapgate.connect().readTimeout(5000); RawClient cut = mapgate.connect().readTimeout(5000)) {
            other.send(RawClient.request("GET", "/whole"));
            assertThat(other.read(true).status()).isEqualTo(200);
            long before = other.reader().pattern(0, 64 * 1024);

            cut.send(RawClient.request("GET", "/dies"));
            Response head = cut.read(true);
            assertThat(head.status()).isEqualTo(200);
            long got;
            if (framing == Framing.CHUNKED) {
                ResponseReader.Chunked body = cut.reader().patternChunked();
                assertThat(body.lastChunk()).as("a chunked body cut off must end without its last chunk").isFalse();
                got = body.bytes();
            } else {
                assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(BODY));
                got = cut.reader().patternUntilClosed();
            }
            assertThat(got).as("fewer bytes than the origin promised, then the end of the connection").isLessThan(BODY);

            long after = other.reader().pattern(before, BODY - before);
            assertThat(before + after).as("the download beside it, on another origin connection, arrives whole")
                    .isEqualTo(BODY);
            assertThat(other.get("/ok").bodyText()).as("and its connection stays in step").isEqualTo(OK);
            System.out.printf("origin-dies-mid-body (%s): the client got %d of %d bytes, then the connection closed;"
                    + " a concurrent download got %d/%d bytes intact%n",
                    framing.name().toLowerCase().replace('_', '-'), got, BODY, before + after, BODY);
        }
        try (RawClient next = mapgate.connect()) {
            assertThat(next.get("/ok").bodyText()).isEqualTo(OK);
        }
    }

    @Test
    void anOriginThatDiesMidBodyGives502ToTheNextRequestUntilItIsBack() throws Exception {
        origin.route("/dies", link -> {
            Framing.CONTENT_LENGTH.sendHalf(link);
            origin.kill();
            return After.CLOSE;
        });
        try (RawClient waiting = mapgate.connect(); RawClient cut = mapgate.connect().readTimeout(5000)) {
            assertThat(waiting.get("/ok").status()).isEqualTo(200);

            cut.send(RawClient.request("GET", "/dies"));
            assertThat(cut.read(true).status()).isEqualTo(200);
            long got = cut.reader().patternUntilClosed();
            assertThat(got).as("the body is cut short").isLessThan(BODY);

            long start = System.nanoTime();
            assertThat(waiting.get("/ok").status()).as("the origin is gone: its port refuses").isEqualTo(502);
            long refusedMs = Measure.millisSince(start);
            assertThat(refusedMs).as("a refusal is answered at once, not after connect-timeout").isLessThan(1000);
            assertThat(waiting.get("/ok").status()).as("the client's own connection survives").isEqualTo(502);

            try (RawOrigin back = RawOrigin.start(origin.port(), null).ok("/ok", "back\n")) {
                assertThat(waiting.get("/ok").bodyText()).as("served again once the origin is back").isEqualTo("back\n");
            }
            System.out.printf("origin-dies: the client got %d of %d bytes, then the connection closed;"
                    + " the next request got 502 in %d ms, and 200 once the origin was back%n", got, BODY, refusedMs);
        }
    }

    /** What the client of a garbled response gets. */
    enum Seen {
        /** 502, nothing of the origin's answer. */
        BAD_GATEWAY,
        /** The connection closes before a complete response: the head and part of the body, or nothing. */
        CUT_OFF,
        /** The response as far as its own framing goes; what followed it is dropped. */
        FRAMED_PART
    }

    static Stream<Arguments> garbage() {
        return Stream.of(
                garbled("a status line of another protocol", "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\r\n", Seen.BAD_GATEWAY),
                garbled("a stray word before a valid response",
                        "Welcome\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Seen.BAD_GATEWAY),
                garbled("a status code that is no number", "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok", Seen.BAD_GATEWAY),
                garbled("binary bytes", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u00fc\u0003\u0003\r\n\r\n", Seen.BAD_GATEWAY),
                garbled("a Content-Length that is no number", "HTTP/1.1 200 OK\r\nContent-Length: 2x\r\n\r\nok", Seen.BAD_GATEWAY),
                garbled("two Content-Lengths that disagree",
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 30\r\n\r\nok", Seen.BAD_GATEWAY),
                garbled("a negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok", Seen.BAD_GATEWAY),
                garbled("a body shorter than Content-Length, the connection kept open",
                        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly 23 of the 100 byte", Seen.CUT_OFF),
                garbled("a chunk size that is no number", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n", Seen.CUT_OFF),
                garbled("a body longer than Content-Length, shaped as a second response",
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                                + "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nnot for you", Seen.FRAMED_PART));
    }

    private static Arguments garbled(String name, String response, Seen seen) {
        return Arguments.of(name, response, seen);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void garbageFromTheOriginNeverReachesTheClientAsAResponseAndItsConnectionIsDropped(String name, String response,
                                                                                      Seen seen) throws Exception {
        origin.route("/garbage", link -> {
            link.send(response);
            // Kept open: were it reused, the next request would be answered from it.
            return After.HOLD;
        });
        try (RawClient c = mapgate.connect().readTimeout(5000)) {
            assertThat(c.get("/ok").bodyText()).isEqualTo(OK);
            long start = System.nanoTime();
            switch (seen) {
                case BAD_GATEWAY -> {
                    assertThat(c.get("/garbage").status()).isEqualTo(502);
                    List<String> errors = LogCapture.linesFrom(ProxyHandler.class.getName()).stream()
                            .filter(l -> l.contains("event=origin-failure")).toList();
                    // What was wrong, in mapgate's words, never the origin's bytes: its headers can
                    // carry a cookie or a token.
                    assertThat(errors).as("the log says what was wrong with the origin's answer").last()
                            .asString().contains("status=502 reason=invalid-response")
                            .containsPattern("cause=\"MalformedResponseException: [a-z][^\"]+\"")
                            .satisfies(line -> response.lines().skip(1).filter(l -> l.contains(":"))
                                    .forEach(field -> assertThat(line).doesNotContain(field)));
                }
                case CUT_OFF -> {
                    c.send(RawClient.request("GET", "/garbage"));
                    String arrived = new String(c.readUntilClosed(), StandardCharsets.ISO_8859_1);
                    assertThat(ResponseReader.isComplete(arrived))
                            .as("what arrived before the connection closed is no complete response: %s", arrived)
                            .isFalse();
                }
                case FRAMED_PART -> assertThat(c.get("/garbage").bodyText()).isEqualTo("hello");
            }
            long answeredMs = Measure.millisSince(start);

            Link garbled = origin.links().get(0);
            assertThat(garbled.requests()).as("the pool did hand out its connection again before the garbage")
                    .isEqualTo(2);
            assertThat(Measure.eventually(garbled::hungUp, Duration.ofSeconds(3)))
                    .as("mapgate closes the connection that carried garbage").isTrue();
            try (RawClient next = mapgate.connect()) {
                assertThat(next.get("/ok").bodyText()).as("the next request gets the origin's real answer").isEqualTo(OK);
            }
            assertThat(origin.links()).as("and gets it on a new connection").hasSize(2);
            assertThat(origin.links().get(1).requests()).isEqualTo(1);
            System.out.printf("origin-garbage (%s): %s after %d ms; the connection was closed by mapgate and the"
                    + " next request went out on a new one%n", name, seen.name().toLowerCase().replace('_', '-'),
                    answeredMs);
        }
    }
}
