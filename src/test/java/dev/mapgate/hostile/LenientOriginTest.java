package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.LenientOrigin;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestSite;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lenient origin asked directly, without mapgate: it must really resolve every bypass
 * spelling to the map. Otherwise a target that mapgate wrongly forwards could come back as a
 * harmless 404 from it, and the hostile suites would pass while the gate leaks.
 */
class LenientOriginTest {

    @TempDir
    static Path dir;
    static LenientOrigin origin;

    @BeforeAll
    static void start() {
        origin = LenientOrigin.start(TestSite.hostile().writeTo(dir));
    }

    @AfterAll
    static void stop() {
        origin.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/assets/app.js.map",
            "/assets/APP.JS.MAP",
            "/assets/app.js.map;.js",
            "/assets/app.js.map%3b.js",
            "/assets;x/app.js.map",
            "/assets/app.js.map/x.js",
            "/assets/app.js.map::$DATA",
            "/assets/app.js.map.",
            "/assets/app.js.map%20",
            "/assets/app.js.map%c2%a0",
            "/assets/app.js.map%00.js",
            "/assets/app.js.map%3f.js",
            "/assets/app.js.map%23.js",
            "/assets%5capp.js.map",
            "/assets\\app.js.map",
            "/assets/app.js%252emap",
            "/assets%25252fapp.js.map",
            "/assets/app.js%u002emap",
            "/assets/app.js%c0%aemap",
            "/assets/app.js%e0%80%aemap",
            "/assets/x/%2e%2e/app.js.map",
            "/assets/x/.%2e/app.js.map",
            "/x/../assets/app.js.map",
            "//assets//app.js.map",
            "/assets%ef%bc%8fapp.js.map",
            "/assets/app.js%ef%bc%8emap",
            "/assets/x/%e2%80%a5/app.js.map",
            "/assets/app.js.%ef%bd%8d%ef%bd%81%ef%bd%90",
            "http://evil.example/assets/app.js.map",
    })
    void resolvesEveryBypassSpellingToTheMap(String target) throws IOException {
        Response response = get(target);
        assertThat(response.status()).as("the lenient origin must serve the map for %s", target).isEqualTo(200);
        assertThat(TestSite.hostile().containsMarker(response.body())).isTrue();
    }

    @Test
    void anIisRewriteHeaderOverridesThePath() throws IOException {
        Response response = get(TestSite.SCRIPT, "X-Original-URL: " + TestSite.MAP);
        assertThat(TestSite.hostile().containsMarker(response.body())).as("X-Original-URL names the file served").isTrue();
        assertThat(TestSite.hostile().containsMarker(get(TestSite.SCRIPT, "X-Rewrite-URL: " + TestSite.MAP).body()))
                .as("and so does X-Rewrite-URL").isTrue();
    }

    @Test
    void legitimateNamesAreServedAsThemselves() throws IOException {
        assertThat(get("/assets/my%20file.js").body()).isEqualTo(TestSite.hostile().content("/assets/my file.js"));
        assertThat(get("/assets/caf%C3%A9.js").body()).isEqualTo(TestSite.hostile().content("/assets/café.js"));
        assertThat(get("/assets/app.js?x=../app.js.map").body()).isEqualTo(TestSite.hostile().content(TestSite.SCRIPT));
        assertThat(get("/").body()).isEqualTo(TestSite.hostile().content(TestSite.INDEX));
        assertThat(get("/assets/nothing-here.js").status()).isEqualTo(404);
    }

    @Test
    void recordsEveryRequestAndEveryByteBodiesIncluded() throws Exception {
        origin.clear();
        get("/assets/app.js", "X-Probe: 1");
        assertThat(origin.seen()).singleElement().satisfies(seen -> {
            assertThat(seen.requestLine()).isEqualTo("GET /assets/app.js HTTP/1.1");
            assertThat(seen.header("x-probe")).isEqualTo("1");
        });
        try (RawClient client = connect()) {
            // A body the origin skips is still bytes that reached it: a smuggled request can hide
            // there. Sent after a pause, as a proxy forwards it, so it is not read ahead with the headers.
            client.send("POST /assets/app.js HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\n");
            Thread.sleep(200);
            client.send("hidden-body").read(false);
        }
        assertThat(new String(origin.received(), StandardCharsets.ISO_8859_1))
                .startsWith("GET /assets/app.js HTTP/1.1\r\n").endsWith("\r\n\r\nhidden-body");
    }

    @Test
    void aBodyItCannotFrameIsReadOnUntilThePeerHangsUpSoEveryByteAfterItIsRecordedToo() throws Exception {
        origin.clear();
        try (RawClient client = connect()) {
            client.send("POST /assets/app.js HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
            Thread.sleep(200);
            client.send("sent-after-the-bad-chunk");
            assertThat(origin.connectionsOnceHungUp(Duration.ofMillis(200))).singleElement()
                    .satisfies(c -> assertThat(c.hungUp()).as("the client is still connected").isFalse());
        }
        assertThat(origin.connectionsOnceHungUp(Duration.ofSeconds(3))).singleElement().satisfies(c -> {
            assertThat(c.hungUp()).as("the client has closed").isTrue();
            assertThat(new String(c.received(), StandardCharsets.ISO_8859_1))
                    .endsWith("zz\r\nsent-after-the-bad-chunk");
        });
    }

    private static Response get(String target, String... headers) throws IOException {
        try (RawClient client = connect()) {
            return client.get(target, headers);
        }
    }

    private static RawClient connect() throws IOException {
        URI url = URI.create(origin.url());
        return RawClient.connect(new InetSocketAddress(url.getHost(), url.getPort()));
    }
}
