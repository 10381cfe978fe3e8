package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mapgate on real sockets in front of a real HTTP origin on loopback, configured the way the
 * README tells users to: Sentry's token from an allowed address gets the map, nobody else does,
 * and every other asset passes through untouched.
 */
class ProxyGateIntegrationTest {

    static final String TOKEN = "s3cr3t-sentry-token-4f1d";
    static final String ROTATED_TOKEN = "n3xt-sentry-token-99ab";
    static final String PASSWORD = "hunter2-but-longer";
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(("sentry:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static TestMapgate mapgate;
    static TestMapgate onlyFrom127002;

    @BeforeAll
    static void start() throws Exception {
        origin = new TestOrigin();
        String hash = BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());
        String gate = """
                origin { url = "%s", response-timeout = 1s }
                gate {
                  allow-ips = %s
                  token.tokens = [ { name = "sentry-2026", value = "%s" }, { name = "sentry-next", value = "%s" } ]
                  basic.users = [ { name = "sentry", password-hash = "%s" } ]
                }
                """;
        mapgate = TestMapgate.start(dir, gate.formatted(origin.url(), "[\"127.0.0.1\"]", TOKEN, ROTATED_TOKEN, hash));
        onlyFrom127002 = TestMapgate.start(dir, gate.formatted(origin.url(), "[\"127.0.0.2/32\"]", TOKEN, ROTATED_TOKEN, hash));
    }

    @AfterAll
    static void stop() {
        mapgate.close();
        onlyFrom127002.close();
        origin.close();
        assertThat(LogCapture.lines())
                .as("no log line may ever contain a presented secret")
                .noneMatch(l -> l.contains(TOKEN) || l.contains(ROTATED_TOKEN) || l.contains(PASSWORD)
                        || l.contains(BASIC.substring(6)));
    }

    @BeforeEach
    void clearOrigin() {
        origin.clear();
    }

    @Test
    void assetPassesThroughUntouchedWithItsCachingHeaders() throws Exception {
        try (RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(TestOrigin.APP_JS);
            assertThat(r.header("Cache-Control")).as("a public asset keeps the origin's caching")
                    .isEqualTo("public, max-age=31536000, immutable");
        }
    }

    @Test
    void mapWithTokenFromAllowedAddressIsServedUncacheable() throws Exception {
        try (RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(TestOrigin.APP_MAP);
            assertThat(r.header("Cache-Control")).isEqualTo("private, no-store");
            assertThat(r.header("Vary")).as("caches that ignore no-store must still key on the credential")
                    .contains("Accept-Encoding").contains("X-Sentry-Token").contains("Authorization");
            assertThat(r.hasHeader("Expires") || r.hasHeader("Surrogate-Control") || r.hasHeader("CDN-Cache-Control"))
                    .as("headers that let a CDN store the map for everyone are removed").isFalse();
        }
    }

    @Test
    void eitherOfTwoTokensWorksSoATokenRotatesWithoutDowntime() throws Exception {
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN).status()).isEqualTo(200);
            assertThat(c.get("/assets/app.js.map", "X-Sentry-Token: " + ROTATED_TOKEN).status()).isEqualTo(200);
        }
    }

    @Test
    void sentryShapedRequestGetsTheWholeMap() throws Exception {
        try (RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js.map",
                    "user-agent: symbolicator/26.8.0",
                    "accept-encoding: br, deflate, gzip, zstd",
                    "range: bytes=0-134217727",
                    "x-sentry-token: " + TOKEN);
            assertThat(r.status()).isIn(200, 206);
            assertThat(r.bodyText()).isEqualTo(TestOrigin.APP_MAP);
            assertThat(origin.lastSeen().header("Range")).as("Range reaches the origin unchanged")
                    .isEqualTo("bytes=0-134217727");
        }
    }

    @Test
    void deniedRequestsAllLookTheSameWhateverTheReason() throws Exception {
        Response missing;
        Response wrong;
        Response wrongAddress;
        Response absent;
        try (RawClient c = mapgate.connect()) {
            missing = c.get("/assets/app.js.map");
            wrong = c.get("/assets/app.js.map", "X-Sentry-Token: not-the-token");
            absent = c.get("/assets/no-such-file.js.map");
        }
        try (RawClient c = onlyFrom127002.connectFrom("127.0.0.1")) {
            wrongAddress = c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN);
        }
        for (Response r : new Response[] {missing, wrong, wrongAddress, absent}) {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).as("the body must not tell a missing token from a missing map")
                    .isEqualTo(missing.bodyText());
            assertThat(r.header("Cache-Control")).isEqualTo("private, no-store");
        }
        assertThat(origin.seen()).as("a denied request never reaches the origin").isEmpty();
        LogCapture.awaitLine("mapgate.access", "reason=no-credential");
        LogCapture.awaitLine("mapgate.access", "reason=bad-credential");
        // This test's own line: the log holds every earlier test's lines too.
        assertThat(LogCapture.awaitLine("mapgate.access", "client=127.0.0.1 ", "path=/assets/app.js.map ", "reason=ip"))
                .as("a valid token from a refused address is named: Sentry's addresses may have changed")
                .contains("credential=sentry-2026");
    }

    @Test
    void allowedAddressIsCheckedPerConnectionSource() throws Exception {
        try (RawClient c = onlyFrom127002.connectFrom("127.0.0.2")) {
            assertThat(c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN).status()).isEqualTo(200);
        }
    }

    @Test
    void originConnectionsAreKeptAliveAndReused() throws Exception {
        try (RawClient c = mapgate.connect()) {
            for (int i = 0; i < 5; i++) {
                assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
            }
        }
        assertThat(origin.seen()).hasSize(5);
        assertThat(origin.seen().stream().map(TestOrigin.Seen::peerPort).distinct().count())
                .as("five sequential requests should share one pooled origin connection")
                .isEqualTo(1);
    }

    @Test
    void tokenHeaderNameIsMatchedCaseInsensitively() throws Exception {
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/app.js.map", "x-SENTRY-token: " + TOKEN).status()).isEqualTo(200);
        }
    }

    @Test
    void basicCredentialsAreAcceptedAndAWrongPasswordIsNot() throws Exception {
        String wrong = "Basic " + Base64.getEncoder().encodeToString("sentry:nope".getBytes(StandardCharsets.UTF_8));
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/app.js.map", "Authorization: " + BASIC).status()).isEqualTo(200);
            assertThat(c.get("/assets/app.js.map", "Authorization: " + wrong).status()).isEqualTo(404);
            assertThat(c.get("/assets/app.js.map", "Authorization: " + BASIC).status())
                    .as("a cached success still works").isEqualTo(200);
        }
    }

    @Test
    void credentialsNeverReachTheOriginButForwardingHeadersDo() throws Exception {
        try (RawClient c = mapgate.connect()) {
            c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN, "Authorization: " + BASIC,
                    "X-Forwarded-For: 6.6.6.6");
        }
        TestOrigin.Seen seen = origin.lastSeen();
        assertThat(seen.header("X-Sentry-Token")).isNull();
        assertThat(seen.header("Authorization")).isNull();
        assertThat(seen.header("X-Forwarded-For")).as("a client's own claim is replaced by its address")
                .isEqualTo("127.0.0.1");
        assertThat(seen.header("X-Forwarded-Proto")).isEqualTo("http");
        assertThat(seen.header("X-Forwarded-Host")).isEqualTo("test");
    }

    @Test
    void theOriginReceivesTheCanonicalPathNotTheRawTarget() throws Exception {
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/%61pp.js?v=1").status()).isEqualTo(200);
        }
        assertThat(origin.lastSeen().uri()).isEqualTo("/assets/app.js?v=1");
    }

    @Test
    void aDotSegmentIsRejectedBeforeItCanHideAMap() throws Exception {
        try (RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/x/../app.js.map");
            assertThat(r.status()).isEqualTo(400);
        }
        assertThat(origin.seen()).isEmpty();
    }

    @Test
    void conditionalAndRangeHeadersReachTheOrigin() throws Exception {
        try (RawClient c = mapgate.connect()) {
            c.get("/assets/app.js", "If-None-Match: \"abc\"", "Range: bytes=5-9", "If-Range: \"abc\"");
        }
        TestOrigin.Seen seen = origin.lastSeen();
        assertThat(seen.header("If-None-Match")).isEqualTo("\"abc\"");
        assertThat(seen.header("Range")).isEqualTo("bytes=5-9");
        assertThat(seen.header("If-Range")).isEqualTo("\"abc\"");
    }

    @Test
    void contentEncodingPassesThroughWithoutDecoding() throws Exception {
        try (RawClient c = mapgate.connect()) {
            Response r = c.get("/gzip", "Accept-Encoding: gzip");
            assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
            assertThat(r.body()).isEqualTo(TestOrigin.gzip(TestOrigin.APP_JS));
        }
    }

    @Test
    void aChunkedResponseArrivesWholeAndTheConnectionStaysUsable() throws Exception {
        try (RawClient c = mapgate.connect()) {
            Response r = c.get("/chunked");
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.bodyText()).startsWith("line 0\n").endsWith("line 99\n");
            assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
        }
    }

    @Test
    void anHttp10ClientIsServedAndTheConnectionThenCloses() throws Exception {
        try (RawClient c = mapgate.connect()) {
            c.send("GET /chunked HTTP/1.0\r\n\r\n");
            Response r = c.read(false);
            assertThat(r.hasHeader("Transfer-Encoding")).as("HTTP/1.0 cannot read chunked framing").isFalse();
            assertThat(r.bodyText()).startsWith("line 0\n").endsWith("line 99\n");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndEachIsGatedOnItsOwn() throws Exception {
        try (RawClient c = mapgate.connect()) {
            c.send(RawClient.request("GET", "/assets/app.js.map", "X-Sentry-Token: " + TOKEN)
                    + RawClient.request("GET", "/assets/app.js.map")
                    + RawClient.request("HEAD", "/assets/app.js"));
            assertThat(c.read(false).status()).isEqualTo(200);
            assertThat(c.read(false).status()).as("the token of the first request does not carry over").isEqualTo(404);
            Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(String.valueOf(TestOrigin.APP_JS.length()));
            assertThat(c.get("/assets/app.js").bodyText()).as("the stream is still in step").isEqualTo(TestOrigin.APP_JS);
        }
    }

    @Test
    void requestBodiesStreamToTheOrigin() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024];
        try (RawClient c = mapgate.connect()) {
            c.send(("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            c.send(body);
            Response r = c.read(false);
            assertThat(r.bodyText()).isEqualTo(body.length + "\n");
        }
    }

    @Test
    void anUnreachableOriginGives502AndMapgateKeepsServing() throws Exception {
        try (TestMapgate broken = TestMapgate.start(dir, "origin.url = \"http://127.0.0.1:9\"\ngate.require = [ip]\ngate.allow-ips = [\"127.0.0.1\"]");
             RawClient c = broken.connect()) {
            assertThat(c.get("/assets/app.js").status()).isEqualTo(502);
            assertThat(c.get("/assets/app.js").status()).as("the connection survives an origin failure").isEqualTo(502);
        }
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
        }
    }

    @Test
    void aSlowOriginGives504AfterTheResponseTimeout() throws Exception {
        try (RawClient c = mapgate.connect()) {
            long start = System.nanoTime();
            Response r = c.get("/slow?ms=3000");
            assertThat(r.status()).isEqualTo(504);
            assertThat((System.nanoTime() - start) / 1_000_000).as("response-timeout is 1s").isLessThan(2900);
            assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
        }
    }

    @Test
    void anOriginThatDiesMidBodyLeavesTheClientWithAVisiblyCutResponse() throws Exception {
        try (RawClient c = mapgate.connect()) {
            c.send(RawClient.request("GET", "/cut"));
            Response head = c.read(true);
            assertThat(head.header("Content-Length")).isEqualTo("100000");
            byte[] got = c.input().readAllBytes();
            assertThat(got.length).as("the client must never see a complete-looking body").isLessThan(100_000);
        }
        try (RawClient c = mapgate.connect()) {
            assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
        }
    }
}
