package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.RawOrigin.After;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gate.content-guard over real sockets: a source map that reaches an ungated name (a hashed .js,
 * a CDN rewrite) is refused by what it is, and everything else passes byte for byte.
 */
class ContentGuardIntegrationTest {

    /** A map as Vite writes it, with its compressed copies made by the brotli and zstd tools. */
    static final byte[] MAP = resource("vite-app.js.map");
    static final byte[] MAP_BR = resource("vite-app.js.map.br");
    static final byte[] MAP_ZSTD = resource("vite-app.js.map.zst");

    static final String CSS = "body{margin:0;font:16px/1.4 system-ui}\n/*# sourceMappingURL=app.css.map */\n";
    static final String HTML = "<!doctype html><html><head><script type=\"module\" src=\"/assets/index-4b1c9e2a.js\">"
            + "</script></head><body><div id=\"root\"></div></body></html>\n";
    static final String PACKAGE_JSON = "{\"name\":\"shop\",\"version\":\"1.4.2\",\"private\":true,"
            + "\"files\":[\"dist\"],\"scripts\":{\"build\":\"vite build\"}}\n";
    /** The benchmark's small JS asset and its 64 MiB binary, in small (src/bench/run writes them). */
    static final String BENCH_JS = "\"use strict\";\n"
            + "function r(e,t){return e.reduce(function(n,a){return n+t(a)},0)}\n".repeat(20)
            + "//# sourceMappingURL=app.js.map\n";
    static final byte[] RANDOM = new java.util.Random(42).ints(2 << 20, 0, 256).collect(java.io.ByteArrayOutputStream::new,
            (out, b) -> out.write(b), (a, b) -> a.writeBytes(b.toByteArray())).toByteArray();
    static final byte[] RANDOM_100 = java.util.Arrays.copyOf(RANDOM, 100);
    static final String MANIFEST = "{\"short_name\":\"Shop\",\"name\":\"Shop\",\"icons\":[{\"src\":\"icon.png\"}],"
            + "\"start_url\":\"/\",\"display\":\"standalone\"}\n";

    @TempDir
    Path dir;
    private RawOrigin origin;
    private TestMapgate mapgate;
    private final Metrics metrics = Metrics.inMemory();

    @BeforeEach
    void start() {
        origin = RawOrigin.start();
        serve("/assets/index-4b1c9e2a.js", "application/javascript", null, MAP);
        serve("/assets/gzip.js", "application/javascript", "gzip", gzip(MAP));
        serve("/assets/br.js", "application/javascript", "br", MAP_BR);
        serve("/assets/zstd.js", "application/javascript", "zstd", MAP_ZSTD);
        serve("/assets/xssi.js", "application/javascript", null, concat(")]}'\n".getBytes(StandardCharsets.US_ASCII), MAP));
        serve("/assets/app.js", "application/javascript", null, TestOrigin.APP_JS.getBytes(StandardCharsets.UTF_8));
        serve("/assets/app.gz.js", "application/javascript", "gzip", gzip(TestOrigin.APP_JS.getBytes(StandardCharsets.UTF_8)));
        serve("/assets/app.css", "text/css", null, CSS.getBytes(StandardCharsets.UTF_8));
        serve("/index.html", "text/html", null, HTML.getBytes(StandardCharsets.UTF_8));
        serve("/package.json", "application/json", null, PACKAGE_JSON.getBytes(StandardCharsets.UTF_8));
        serve("/manifest.json", "application/manifest+json", null, MANIFEST.getBytes(StandardCharsets.UTF_8));
        serve("/app.js", "application/javascript", null, BENCH_JS.getBytes(StandardCharsets.UTF_8));
        serve("/large.bin", "application/octet-stream", null, RANDOM);
        origin.route("/assets/chunked.js", link -> {
            // One byte, then the rest in chunks: the guard must wait for enough of the start.
            StringBuilder body = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: application/javascript\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            String map = new String(MAP, StandardCharsets.ISO_8859_1);
            body.append("1\r\n").append(map, 0, 1).append("\r\n");
            for (int at = 1; at < map.length(); at += 7) {
                String piece = map.substring(at, Math.min(map.length(), at + 7));
                body.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
            }
            link.out().write(body.append("0\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            return After.KEEP_ALIVE;
        });
        origin.route("/assets/huge.js", link -> {
            // A map whose sourcesContent goes on for 32 MiB: refused from its first bytes.
            long size = 32L << 20;
            String start = "{\"version\":3,\"sources\":[\"a.ts\"],\"sourcesContent\":[\"";
            link.out().write(("HTTP/1.1 200 OK\r\nContent-Type: application/javascript\r\nContent-Length: " + size
                    + "\r\n\r\n" + start).getBytes(StandardCharsets.US_ASCII));
            link.sendPattern(size - start.length());
            return After.KEEP_ALIVE;
        });
        byte[] mapFromSecondByte = java.util.Arrays.copyOfRange(MAP, 1, MAP.length);
        serveRaw("/assets/range-inside.js", "206 Partial Content", "Content-Type: application/javascript\r\n"
                + "Content-Range: bytes 1-" + (MAP.length - 1) + "/" + MAP.length + "\r\n", mapFromSecondByte);
        // The map's first 40 bytes: its version and file, none of the keys that would make it a map.
        serveRaw("/assets/range-prefix.js", "206 Partial Content", "Content-Type: application/javascript\r\n"
                + "Content-Range: bytes 0-39/" + MAP.length + "\r\n", java.util.Arrays.copyOf(MAP, 40));
        serveRaw("/assets/multipart.js", "206 Partial Content",
                "Content-Type: multipart/byteranges; boundary=00000000000000000001\r\n",
                ("--00000000000000000001\r\nContent-Type: application/javascript\r\nContent-Range: bytes 0-0/"
                        + MAP.length + "\r\n\r\n{\r\n--00000000000000000001\r\nContent-Range: bytes 1-"
                        + (MAP.length - 1) + "/" + MAP.length + "\r\n\r\n" + new String(mapFromSecondByte,
                        StandardCharsets.ISO_8859_1) + "\r\n--00000000000000000001--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        serveRaw("/assets/mislabelled.js", "200 OK", "Content-Type: application/javascript\r\nContent-Encoding: gzip\r\n", MAP);
        serveRaw("/assets/compress.js", "200 OK", "Content-Type: application/javascript\r\nContent-Encoding: compress\r\n",
                MAP);
        serveRaw("/assets/js-part.js", "206 Partial Content", "Content-Type: application/javascript\r\n"
                + "Content-Range: bytes 0-9/" + TestOrigin.APP_JS.length() + "\r\n",
                TestOrigin.APP_JS.substring(0, 10).getBytes(StandardCharsets.UTF_8));
        serveRaw("/media/clip.mp4", "206 Partial Content", "Content-Type: video/mp4\r\n"
                + "Content-Range: bytes 1000-1099/5000\r\n", RANDOM_100);
        serveRaw("/downloads/data.bin", "206 Partial Content", "Content-Type: application/octet-stream\r\n"
                + "Content-Range: bytes 1000-1099/5000\r\n", RANDOM_100);
        mapgate = TestMapgate.in(dir).metrics(metrics).config("""
                origin.url = "%s"
                gate { allow-ips = ["192.0.2.1"], token.tokens = [ { name = "sentry", value = "guard-token-8d2c41" } ] }
                """.formatted(origin.url())).start();
    }

    @AfterEach
    void stop() {
        mapgate.close();
        origin.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/assets/index-4b1c9e2a.js", "/assets/gzip.js", "/assets/br.js", "/assets/zstd.js",
        "/assets/xssi.js", "/assets/chunked.js", "/assets/range-inside.js", "/assets/range-prefix.js",
        "/assets/multipart.js", "/assets/mislabelled.js", "/assets/compress.js"})
    void aMapUnderAnUngatedNameIsReplacedByTheDenial(String path) throws Exception {
        try (RawClient client = mapgate.connectFrom("127.0.0.2")) {
            ResponseReader.Response response = client.get(path, "Accept-Encoding: br, deflate, gzip, zstd");

            assertThat(response.status()).as("the gate's uniform denial").isEqualTo(404);
            assertThat(response.bodyText()).isEqualTo("404 Not Found\n");
            assertThat(response.header("Content-Encoding")).isNull();
            assertThat(response.header("Cache-Control")).as("kept out of shared caches").isEqualTo("private, no-store");
            assertThat(client.get("/assets/app.js").bodyText()).as("the connection serves on")
                    .isEqualTo(TestOrigin.APP_JS);
        }
        assertThat(LogCapture.awaitLine("mapgate.access", "path=" + path + " ", "status=404", "route=pass",
                "reason=content-guard")).isNotNull();
        assertThat(LogCapture.linesFrom(ContentGuard.class.getName()))
                .anyMatch(l -> l.contains("event=content-guard path=" + path));
        assertThat(metrics.registry().get("mapgate.requests").tags("route", "pass", "outcome", "denied",
                "reason", "content-guard").counter().count()).isEqualTo(1);
    }

    @Test
    void aHugeMapIsRefusedFromItsStartAndItsOriginConnectionDropped() throws Exception {
        try (RawClient client = mapgate.connectFrom("127.0.0.2")) {
            long start = System.nanoTime();
            ResponseReader.Response response = client.get("/assets/huge.js");
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.status()).isEqualTo(404);
            assertThat(millis).as("refused without reading the 32 MiB").isLessThan(5000);
        }
        RawOrigin.Link link = origin.links().get(0);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!link.hungUp() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(link.hungUp()).as("mapgate dropped the origin connection mid-body").isTrue();
        assertThat(origin.bytesWritten()).as("and read little of it").isLessThan(16L << 20);
    }

    @Test
    void partsOfJavascriptFromItsFirstByteAndOfBinaryFromAnywherePass() throws Exception {
        try (RawClient client = mapgate.connectFrom("127.0.0.2")) {
            ResponseReader.Response js = client.get("/assets/js-part.js", "Range: bytes=0-9");
            assertThat(js.status()).as("Sentry asks for JavaScript with Range from byte 0").isEqualTo(206);
            assertThat(js.bodyText()).isEqualTo(TestOrigin.APP_JS.substring(0, 10));
            ResponseReader.Response clip = client.get("/media/clip.mp4", "Range: bytes=1000-1099");
            assertThat(clip.status()).as("video seeking").isEqualTo(206);
            assertThat(clip.body()).isEqualTo(RANDOM_100);
            ResponseReader.Response resumed = client.get("/downloads/data.bin", "Range: bytes=1000-1099");
            assertThat(resumed.status()).as("a resumed binary download: no part of a map").isEqualTo(206);
            assertThat(resumed.body()).isEqualTo(RANDOM_100);
        }
    }

    @Test
    void theOriginIsOfferedOnlyTheCodingsTheGuardReadsOnAnUngatedPath() throws Exception {
        try (TestOrigin plain = new TestOrigin();
             TestMapgate gate = TestMapgate.start(dir, """
                     origin.url = "%s"
                     gate { allow-ips = ["192.0.2.1"], token.tokens = [ { name = "s", value = "guard-token-8d2c41" } ] }
                     """.formatted(plain.url()));
             RawClient client = gate.connect()) {
            client.get("/assets/app.js", "Accept-Encoding: dcb, br;q=1.0, zstd, compress, gzip;q=0.5, *");
            assertThat(plain.lastSeen().header("Accept-Encoding")).isEqualTo("br;q=1.0, zstd, gzip;q=0.5");
            client.get("/assets/app.js", "Accept-Encoding: dcz");
            assertThat(plain.lastSeen().header("Accept-Encoding")).as("nothing readable offered: identity").isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/assets/app.js", "/assets/app.gz.js", "/assets/app.css", "/index.html", "/package.json",
        "/manifest.json", "/app.js", "/large.bin"})
    void everythingElsePassesByteForByte(String path) throws Exception {
        byte[] expected = switch (path) {
            case "/assets/app.js" -> TestOrigin.APP_JS.getBytes(StandardCharsets.UTF_8);
            case "/assets/app.gz.js" -> gzip(TestOrigin.APP_JS.getBytes(StandardCharsets.UTF_8));
            case "/assets/app.css" -> CSS.getBytes(StandardCharsets.UTF_8);
            case "/index.html" -> HTML.getBytes(StandardCharsets.UTF_8);
            case "/package.json" -> PACKAGE_JSON.getBytes(StandardCharsets.UTF_8);
            case "/app.js" -> BENCH_JS.getBytes(StandardCharsets.UTF_8);
            case "/large.bin" -> RANDOM;
            default -> MANIFEST.getBytes(StandardCharsets.UTF_8);
        };
        try (RawClient client = mapgate.connectFrom("127.0.0.2")) {
            ResponseReader.Response response = client.get(path, "Accept-Encoding: gzip");

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).as("%s byte for byte", path).isEqualTo(expected);
        }
    }

    @Test
    void theMapItselfStillReachesSentryOnItsGatedName() throws Exception {
        origin.route("/assets/index-4b1c9e2a.js.map", link -> {
            link.out().write(concat(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + MAP.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), MAP));
            return After.KEEP_ALIVE;
        });
        try (RawClient sentry = mapgate.connectFrom("127.0.0.2")) {
            ResponseReader.Response response = sentry.get("/assets/index-4b1c9e2a.js.map");
            assertThat(response.status()).as("denied by the gate: 127.0.0.2 is not allowed").isEqualTo(404);
        }
        try (TestMapgate open = TestMapgate.start(dir, """
                origin.url = "%s"
                gate { require = [credential], token.tokens = [ { name = "sentry", value = "guard-token-8d2c41" } ] }
                """.formatted(origin.url()));
             RawClient sentry = open.connect()) {
            ResponseReader.Response response = sentry.get("/assets/index-4b1c9e2a.js.map", "X-Sentry-Token: guard-token-8d2c41");
            assertThat(response.status()).as("a gated, allowed map is not the guard's business").isEqualTo(200);
            assertThat(response.body()).isEqualTo(MAP);
        }
    }

    @Test
    void theStaticOriginsFilesAreCheckedToo() throws Exception {
        Path www = Files.createDirectories(dir.resolve("www/assets"));
        Files.write(www.resolve("index-4b1c9e2a.js"), MAP);
        Files.write(www.resolve("app.js"), TestOrigin.APP_JS.getBytes(StandardCharsets.UTF_8));
        Files.write(www.resolve("data.json"), PACKAGE_JSON.getBytes(StandardCharsets.UTF_8));
        try (TestMapgate staticGate = TestMapgate.start(dir, """
                origin.directory = "%s"
                gate { allow-ips = ["192.0.2.1"], token.tokens = [ { name = "s", value = "guard-token-8d2c41" } ] }
                """.formatted(dir.resolve("www")));
             RawClient client = staticGate.connect()) {
            ResponseReader.Response map = client.get("/assets/index-4b1c9e2a.js");
            assertThat(map.status()).as("a map file under a .js name").isEqualTo(404);
            assertThat(map.bodyText()).isEqualTo("404 Not Found\n");
            assertThat(client.get("/assets/app.js").body()).isEqualTo(TestOrigin.APP_JS.getBytes(StandardCharsets.UTF_8));
            assertThat(client.get("/assets/data.json").body()).isEqualTo(PACKAGE_JSON.getBytes(StandardCharsets.UTF_8));
            ResponseReader.Response part = client.get("/assets/index-4b1c9e2a.js", "Range: bytes=0-99");
            assertThat(part.status()).as("a range from the map's start is refused too").isEqualTo(404);
            ResponseReader.Response rest = client.get("/assets/index-4b1c9e2a.js", "Range: bytes=1-");
            assertThat(rest.status()).as("and one from inside it, which does not look like a map").isEqualTo(404);
            ResponseReader.Response jsPart = client.get("/assets/app.js", "Range: bytes=0-9");
            assertThat(jsPart.status()).as("JavaScript from its first byte passes").isEqualTo(206);
        }
    }

    @Test
    void theGuardCanBeTurnedOff() throws Exception {
        try (TestMapgate unguarded = TestMapgate.start(dir, """
                origin.url = "%s"
                gate { content-guard = off, allow-ips = ["192.0.2.1"], token.tokens = [ { name = "s", value = "guard-token-8d2c41" } ] }
                """.formatted(origin.url()));
             RawClient client = unguarded.connect()) {
            assertThat(client.get("/assets/index-4b1c9e2a.js").body()).isEqualTo(MAP);
        }
    }

    private void serveRaw(String path, String status, String headers, byte[] body) {
        origin.route(path, link -> {
            link.out().write(concat(("HTTP/1.1 " + status + "\r\n" + headers + "Content-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), body));
            return After.KEEP_ALIVE;
        });
    }

    private void serve(String path, String type, String encoding, byte[] body) {
        origin.route(path, link -> {
            String head = "HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\n"
                    + (encoding == null ? "" : "Content-Encoding: " + encoding + "\r\nVary: Accept-Encoding\r\n")
                    + "Cache-Control: public, max-age=31536000, immutable\r\nContent-Length: " + body.length + "\r\n\r\n";
            link.out().write(concat(head.getBytes(StandardCharsets.US_ASCII), body));
            return After.KEEP_ALIVE;
        });
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static byte[] resource(String name) {
        try (InputStream in = ContentGuardIntegrationTest.class.getResourceAsStream("/guard/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
