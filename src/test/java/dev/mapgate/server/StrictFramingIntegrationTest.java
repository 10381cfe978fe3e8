package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests whose end or host two HTTP parsers could read differently, sent over real sockets to
 * mapgate in front of a real origin. Each is refused with 400 and {@code Connection: close}, the
 * connection is closed, and a second request smuggled behind it in the same bytes is neither
 * answered nor forwarded.
 */
class StrictFramingIntegrationTest {

    /** Harmless on its own; if it is ever answered or forwarded, a request was smuggled. */
    private static final String SMUGGLED = "GET /assets/app.js?smuggled=1 HTTP/1.1\r\nHost: test\r\n\r\n";

    @TempDir
    static Path dir;
    static TestMapgate mapgate;
    static TestOrigin origin;

    @BeforeAll
    static void start() throws IOException {
        mapgate = TestMapgate.in(dir).ownOrigin().config("listen.hosts = [\"assets.example.com\"]").start();
        origin = mapgate.origin();
    }

    @AfterAll
    static void stop() {
        mapgate.close();
    }

    @BeforeEach
    void clearOrigin() {
        origin.clear();
    }

    /** Sends {@code request} with the smuggled one behind it and checks that only a 400 came back. */
    private void assertRefused(String why, String request) throws IOException {
        assertRefusedWith(400, why, request);
    }

    private void assertRefusedWith(int status, String why, String request) throws IOException {
        try (RawClient c = mapgate.connect()) {
            c.send(request + SMUGGLED);
            Response r = c.read(false);
            assertThat(r.status()).as(why).isEqualTo(status);
            assertThat(r.header("Connection")).as(why).isEqualTo("close");
            assertThat(c.isClosedByServer()).as(why + ": the connection closes and nothing more is answered").isTrue();
        }
        assertThat(origin.seen()).as(why + ": nothing reaches the origin").isEmpty();
    }

    @Test
    void aVersionOtherThanExactlyHttp11OrHttp10IsRefused() throws IOException {
        assertRefused("HTTP/2.0", "GET /assets/app.js HTTP/2.0\r\nHost: test\r\n\r\n");
        assertRefused("HTTP/1.2", "GET /assets/app.js HTTP/1.2\r\nHost: test\r\n\r\n");
        assertRefused("lower-case version", "GET /assets/app.js http/1.1\r\nHost: test\r\n\r\n");
        assertRefused("HTTP/0.9", "GET /assets/app.js\r\n\r\n");
    }

    @Test
    void anythingButOneSpaceBetweenTheRequestLinePartsIsRefused() throws IOException {
        assertRefused("two spaces", "GET  /assets/app.js HTTP/1.1\r\nHost: test\r\n\r\n");
        assertRefused("a tab", "GET /assets/app.js\tHTTP/1.1\r\nHost: test\r\n\r\n");
    }

    @Test
    void aFoldedHeaderLineIsRefusedRatherThanJoined() throws IOException {
        assertRefused("obs-fold hiding a Transfer-Encoding", "POST /upload HTTP/1.1\r\nHost: test\r\n"
                + "Content-Length: 5\r\nX-Note: a\r\n Transfer-Encoding: chunked\r\n\r\nhello");
        assertRefused("obs-fold with a tab", "GET /assets/app.js HTTP/1.1\r\nHost: test\r\nX-A: 1\r\n\t2\r\n\r\n");
    }

    @Test
    void contentLengthBesideTransferEncodingIsRefused() throws IOException {
        assertRefused("CL.TE", "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 6\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertRefused("TE.CL", "POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n"
                + "Content-Length: 3\r\n\r\n0\r\n\r\n");
    }

    @Test
    void anyTransferEncodingButOneChunkedIsRefused() throws IOException {
        for (String coding : new String[] {"gzip, chunked", "chunked, gzip", "identity", "xchunked"}) {
            assertRefused("Transfer-Encoding: " + coding, "POST /upload HTTP/1.1\r\nHost: test\r\n"
                    + "Transfer-Encoding: " + coding + "\r\n\r\n0\r\n\r\n");
        }
        assertRefused("two Transfer-Encoding lines", "POST /upload HTTP/1.1\r\nHost: test\r\n"
                + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertRefused("Transfer-Encoding in HTTP/1.0", "POST /upload HTTP/1.0\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void aHixie76HandshakeCannotSmuggleEightBytesToTheOrigin() throws IOException {
        assertRefused("Sec-WebSocket-Key1 and Key2", "GET /assets/app.js HTTP/1.1\r\nHost: test\r\n"
                + "Sec-WebSocket-Key1: 1\r\nSec-WebSocket-Key2: 2\r\n\r\nGET /adm");
    }

    @Test
    void hostMustBeExactlyOneValidHostAndPort() throws IOException {
        assertRefused("two Host headers", "GET /assets/app.js HTTP/1.1\r\nHost: test\r\nHost: other\r\n\r\n");
        assertRefused("no Host in HTTP/1.1", "GET /assets/app.js HTTP/1.1\r\n\r\n");
        assertRefused("a Host that is no host[:port]", "GET /assets/app.js HTTP/1.1\r\nHost: test/../x\r\n\r\n");
    }

    @Test
    void whatNettyAlreadyRefusesEndsTheConnectionToo() throws IOException {
        assertRefused("bare LF", "GET /assets/app.js HTTP/1.1\nHost: test\n\n");
        assertRefused("two Content-Length", "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n"
                + "Content-Length: 0\r\n\r\nhello");
        assertRefused("space before the colon", "GET /assets/app.js HTTP/1.1\r\nHost : test\r\n\r\n");
    }

    @Test
    void aBrokenChunkedBodyIsRefusedAndTheOriginNeverSeesItComplete() throws IOException {
        String head = "POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertRefused("bad chunk size", head + "zz\r\nhello\r\n0\r\n\r\n");
        // Netty alone adds these 17 digits up in an int that wraps to 5: "hello" would be a chunk.
        assertRefused("chunk size past 7FFFFFFF", head + "10000000000000005\r\nhello\r\n0\r\n\r\n");
        assertRefused("space after the chunk size", head + "5 \r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void aTooLongRequestLineGets414() throws IOException {
        assertRefusedWith(414, "request line over 8KiB",
                "GET /" + "a".repeat(9 * 1024) + " HTTP/1.1\r\nHost: test\r\n\r\n");
    }

    @Test
    void tooManyHeaderBytesOrTooManyHeaderLinesGet431() throws IOException {
        assertRefusedWith(431, "header section over 16KiB",
                "GET /assets/app.js HTTP/1.1\r\nHost: test\r\nX-Big: " + "b".repeat(17 * 1024) + "\r\n\r\n");
        StringBuilder many = new StringBuilder("GET /assets/app.js HTTP/1.1\r\nHost: test\r\n");
        for (int i = 0; i < 100; i++) {
            many.append("X-").append(i).append(": 1\r\n");
        }
        assertRefusedWith(431, "101 header lines", many + "\r\n");
    }

    @Test
    void aHeadResponseHasNoBodyAndPipelinedGetHeadGetStayInStep() throws IOException {
        try (RawClient c = mapgate.connect()) {
            c.send(RawClient.request("GET", "/assets/app.js") + RawClient.request("HEAD", "/assets/app.js")
                    + RawClient.request("GET", "/assets/app.js.map"));
            assertThat(c.read(false).bodyText()).isEqualTo(TestOrigin.APP_JS);
            Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(TestOrigin.APP_JS.length()));
            Response map = c.read(false);
            assertThat(map.bodyText()).as("no body bytes followed the HEAD response").isEqualTo(TestOrigin.APP_MAP);
        }
    }

    @Test
    void expectContinueStillGetsAHundredContinueBeforeTheBodyIsSent() throws IOException {
        try (RawClient c = mapgate.connect()) {
            c.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read(false).status()).isEqualTo(100);
            c.send("hello");
            Response r = c.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("5\n");
        }
    }

    @Test
    void anH2cUpgradeIsIgnoredAndNeitherUpgradeHeaderReachesTheOrigin() throws IOException {
        try (RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js", "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c",
                    "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA");
            assertThat(r.version()).isEqualTo("HTTP/1.1");
            assertThat(r.status()).as("a normal response, not 101 Switching Protocols").isEqualTo(200);
            assertThat(r.hasHeader("Upgrade")).isFalse();
            assertThat(c.get("/assets/app.js").status()).as("the connection still speaks HTTP/1.1").isEqualTo(200);
        }
        TestOrigin.Seen seen = origin.seen().get(0);
        assertThat(seen.header("Upgrade")).isNull();
        assertThat(seen.header("HTTP2-Settings")).isNull();
    }

    @Test
    void pathOverrideHeadersNeverReachTheOrigin() throws IOException {
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/app.js", "X-Original-URL: /assets/app.js.map",
                    "X-Rewrite-URL: /assets/app.js.map").status()).isEqualTo(200);
        }
        TestOrigin.Seen seen = origin.lastSeen();
        assertThat(seen.header("X-Original-URL")).as("IIS and Symfony would serve this path instead").isNull();
        assertThat(seen.header("X-Rewrite-URL")).isNull();
    }

    @Test
    void anAbsoluteFormTargetForAnAcceptedHostIsServedUnderThatHost() throws IOException {
        try (RawClient c = mapgate.connect()) {
            c.send("GET http://assets.example.com/assets/app.js HTTP/1.1\r\nHost: somewhere.else\r\n\r\n");
            Response r = c.read(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(TestOrigin.APP_JS);
        }
        TestOrigin.Seen seen = origin.lastSeen();
        assertThat(seen.uri()).as("forwarded in origin-form").isEqualTo("/assets/app.js");
        assertThat(seen.header("X-Forwarded-Host")).as("the target's host wins over Host").isEqualTo("assets.example.com");
    }

    @Test
    void anAbsoluteFormTargetForAnyOtherHostIsRefused() throws IOException {
        assertRefused("absolute-form for a host not in listen.hosts",
                "GET http://evil.example/assets/app.js HTTP/1.1\r\nHost: assets.example.com\r\n\r\n");
    }

    @Test
    void aRefusalOnOneConnectionLeavesOthersWorking() throws IOException {
        assertRefused("two Host headers", "GET /assets/app.js HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/app.js").bodyText()).isEqualTo(TestOrigin.APP_JS);
        }
        assertThat(origin.seen()).extracting(TestOrigin.Seen::uri)
                .as("the smuggled request never arrived").containsExactly("/assets/app.js");
    }
}
