package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.exchange.Admissions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticFileHandlerTest {

    private static final String JS = "console.log('hello from mapgate');\n";
    private static final String MAP = "{\"version\":3,\"sources\":[\"app.ts\"],\"mappings\":\"AAAA\"}";
    // 2024-01-02T03:04:05Z
    private static final Instant MTIME = Instant.ofEpochSecond(1704164645L);
    private static final String LAST_MODIFIED = "Tue, 02 Jan 2024 03:04:05 GMT";

    @TempDir
    Path tmp;

    private Path root;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(tmp.resolve("www"));
        Files.createDirectories(root.resolve("assets"));
        write("assets/app.js", JS);
        write("assets/app.js.map", MAP);
        channel = new EmbeddedChannel(new StaticFileHandler(root));
    }

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll())
                .as("every response message must have been read and checked by the test")
                .isFalse();
    }

    private void write(String relative, String content) throws IOException {
        Path file = root.resolve(relative);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.from(MTIME));
    }

    private static String etagOf(String content) {
        return "\"" + Long.toHexString(MTIME.getEpochSecond()) + "-"
                + Long.toHexString(content.getBytes(StandardCharsets.UTF_8).length) + "\"";
    }

    private static HttpRequest request(HttpMethod method, String uri, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    /** What the client would receive: status line and headers, the body bytes, and the region sent. */
    private record Response(HttpResponse head, String body, long regionPosition, long regionCount) {
        int status() {
            return head.status().code();
        }

        String header(CharSequence name) {
            return head.headers().get(name);
        }
    }

    private Response send(HttpRequest request, String path) throws IOException {
        channel.writeInbound(Admissions.admit(request, path));
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
        return readResponse();
    }

    private Response get(String path, String... headerPairs) throws IOException {
        return send(request(HttpMethod.GET, path, headerPairs), path);
    }

    private Response readResponse() throws IOException {
        Object first = channel.readOutbound();
        assertThat(first).as("a response must be written").isInstanceOf(HttpResponse.class);
        HttpResponse head = (HttpResponse) first;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        long position = -1;
        long count = -1;
        Object message = first;
        try {
            while (true) {
                if (message instanceof HttpContent content) {
                    ByteBuf buf = content.content();
                    body.write(ByteBufUtil.getBytes(buf));
                } else if (message instanceof FileRegion region) {
                    assertThat(region).isInstanceOf(DefaultFileRegion.class);
                    position = region.position();
                    count = region.count();
                    WritableByteChannel sink = Channels.newChannel(body);
                    while (region.transferred() < region.count()) {
                        region.transferTo(sink, region.transferred());
                    }
                }
                if (message instanceof LastHttpContent) {
                    break;
                }
                ReferenceCountUtil.release(message);
                message = channel.readOutbound();
                assertThat(message).as("the response must end with LastHttpContent").isNotNull();
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
        assertThat(channel.outboundMessages()).as("nothing may follow the response's last content").isEmpty();
        if (head instanceof FullHttpResponse full) {
            // Its headers stay readable after release; only the content is freed.
            assertThat(full.refCnt()).isZero();
        }
        return new Response(head, body.toString(StandardCharsets.UTF_8), position, count);
    }

    @Test
    void getReturnsTheExactFileWithValidatorsAndType() throws IOException {
        Response response = get("/assets/app.js");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(JS);
        assertThat(response.header(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(String.valueOf(JS.length()));
        assertThat(response.header(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/javascript; charset=utf-8");
        assertThat(response.header(HttpHeaderNames.ETAG)).isEqualTo(etagOf(JS));
        assertThat(response.header(HttpHeaderNames.LAST_MODIFIED)).isEqualTo(LAST_MODIFIED);
        assertThat(response.header(HttpHeaderNames.ACCEPT_RANGES)).isEqualTo("bytes");
        assertThat(response.header(HttpHeaderNames.DATE)).isNotBlank();
        assertThat(response.header(HttpHeaderNames.CONNECTION))
                .as("keep-alive is decided upstream, not by the origin")
                .isNull();
        assertThat(response.regionCount())
                .as("the body goes out as one zero-copy region of the whole file")
                .isEqualTo(JS.length());
    }

    @Test
    void sourceMapIsServedAsJson() throws IOException {
        Response response = get("/assets/app.js.map");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json; charset=utf-8");
        assertThat(response.body()).isEqualTo(MAP);
    }

    @Test
    void headGetsTheSameHeadersAsGetAndNoBody() throws IOException {
        Response response = send(request(HttpMethod.HEAD, "/assets/app.js"), "/assets/app.js");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header(HttpHeaderNames.CONTENT_LENGTH))
                .as("HEAD announces the length a GET would send")
                .isEqualTo(String.valueOf(JS.length()));
        assertThat(response.header(HttpHeaderNames.ETAG)).isEqualTo(etagOf(JS));
        assertThat(response.body()).isEmpty();
        assertThat(response.regionCount()).as("no file region for HEAD").isEqualTo(-1);
    }

    @Test
    void missingFileIs404() throws IOException {
        Response response = get("/assets/nope.js");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(String.valueOf(response.body().length()));
        assertThat(response.body()).doesNotContain("Exception");
    }

    @Test
    void symlinkPointingOutsideTheRootIs404() throws IOException {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "top secret");
        Files.createSymbolicLink(root.resolve("assets/leak.txt"), secret);
        Files.createSymbolicLink(root.resolve("outside"), tmp);

        assertThat(get("/assets/leak.txt").status()).isEqualTo(404);
        Response viaDirectory = get("/outside/secret.txt");
        assertThat(viaDirectory.status()).isEqualTo(404);
        assertThat(viaDirectory.body()).doesNotContain("top secret");
    }

    @Test
    void symlinkStayingInsideTheRootIsServed() throws IOException {
        Files.createSymbolicLink(root.resolve("latest.js"), root.resolve("assets/app.js"));

        Response response = get("/latest.js");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(JS);
    }

    @Test
    void directoryServesItsIndexHtml() throws IOException {
        write("index.html", "<h1>home</h1>");

        Response response = get("/");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/html; charset=utf-8");
        assertThat(response.body()).isEqualTo("<h1>home</h1>");
    }

    @Test
    void directoryWithoutIndexIs404() throws IOException {
        assertThat(get("/assets").status())
                .as("no directory listings: they would reveal map file names")
                .isEqualTo(404);
    }

    @Test
    void matchingEtagGives304WithoutBody() throws IOException {
        Response response = get("/assets/app.js", "If-None-Match", etagOf(JS));

        assertThat(response.status()).isEqualTo(304);
        assertThat(response.header(HttpHeaderNames.ETAG)).isEqualTo(etagOf(JS));
        assertThat(response.header(HttpHeaderNames.LAST_MODIFIED)).isEqualTo(LAST_MODIFIED);
        assertThat(response.header(HttpHeaderNames.CONTENT_LENGTH)).isNull();
        assertThat(response.body()).isEmpty();
    }

    @Test
    void unchangedDateGives304() throws IOException {
        Response response = get("/assets/app.js", "If-Modified-Since", LAST_MODIFIED);

        assertThat(response.status()).isEqualTo(304);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void changedFileIsSentInFullDespiteOldValidators() throws IOException {
        Response response = get("/assets/app.js", "If-None-Match", "\"1-1\"");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(JS);
    }

    @Test
    void singleRangeGives206WithThatPart() throws IOException {
        Response response = get("/assets/app.js", "Range", "bytes=8-10");

        assertThat(response.status()).isEqualTo(206);
        assertThat(response.header(HttpHeaderNames.CONTENT_RANGE)).isEqualTo("bytes 8-10/" + JS.length());
        assertThat(response.header(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("3");
        assertThat(response.body()).isEqualTo(JS.substring(8, 11));
        assertThat(response.regionPosition()).as("the region starts at the range, not at 0").isEqualTo(8);
        assertThat(response.regionCount()).isEqualTo(3);
    }

    @Test
    void sentryRangeOnSmallMapReturnsWholeFileAs206() throws IOException {
        Response response = get("/assets/app.js.map", "Range", "bytes=0-134217727");

        assertThat(response.status()).isEqualTo(206);
        assertThat(response.header(HttpHeaderNames.CONTENT_RANGE))
                .as("Sentry rejects a Content-Range whose end or total is not the real file's")
                .isEqualTo("bytes 0-" + (MAP.length() - 1) + "/" + MAP.length());
        assertThat(response.header(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(String.valueOf(MAP.length()));
        assertThat(response.body()).isEqualTo(MAP);
    }

    @Test
    void rangePastTheEndGives416WithTheSize() throws IOException {
        Response response = get("/assets/app.js", "Range", "bytes=1000-");

        assertThat(response.status()).isEqualTo(416);
        assertThat(response.header(HttpHeaderNames.CONTENT_RANGE)).isEqualTo("bytes */" + JS.length());
        assertThat(response.body()).doesNotContain(JS);
    }

    @Test
    void multipleRangesGetTheWholeFileAs200() throws IOException {
        Response response = get("/assets/app.js", "Range", "bytes=0-1,4-5");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header(HttpHeaderNames.CONTENT_RANGE)).isNull();
        assertThat(response.body()).isEqualTo(JS);
    }

    @Test
    void ifRangeForAnOlderVersionGetsTheWholeFile() throws IOException {
        Response response = get("/assets/app.js", "Range", "bytes=0-3", "If-Range", "\"0-0\"");

        assertThat(response.status())
                .as("a part of the new file would corrupt the client's partial copy of the old one")
                .isEqualTo(200);
        assertThat(response.body()).isEqualTo(JS);
    }

    @Test
    void ifRangeForTheCurrentVersionHonoursTheRange() throws IOException {
        Response response = get("/assets/app.js", "Range", "bytes=0-3", "If-Range", etagOf(JS));

        assertThat(response.status()).isEqualTo(206);
        assertThat(response.body()).isEqualTo(JS.substring(0, 4));
    }

    @Test
    void emptyFileGives200WithZeroLengthAndRangeOnItGives416() throws IOException {
        write("empty.txt", "");

        Response whole = get("/empty.txt");
        assertThat(whole.status()).isEqualTo(200);
        assertThat(whole.header(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo("0");
        assertThat(whole.body()).isEmpty();

        Response ranged = get("/empty.txt", "Range", "bytes=0-");
        assertThat(ranged.status()).isEqualTo(416);
        assertThat(ranged.header(HttpHeaderNames.CONTENT_RANGE)).isEqualTo("bytes */0");
    }

    @Test
    void otherMethodsGet405WithAllow() throws IOException {
        Response response = send(request(HttpMethod.POST, "/assets/app.js"), "/assets/app.js");

        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
    }

    @Test
    void requestBodyIsReleasedAndTheResponseWaitsForItsEnd() throws IOException {
        HttpRequest request = Admissions.admit(request(HttpMethod.POST, "/assets/app.js"), "/assets/app.js");
        HttpContent chunk = new DefaultHttpContent(Unpooled.copiedBuffer("a=1", StandardCharsets.UTF_8));
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.copiedBuffer("&b=2", StandardCharsets.UTF_8));

        channel.writeInbound(request);
        channel.writeInbound(chunk);
        assertThat(channel.outboundMessages())
                .as("answering before the body is drained would desynchronise the next request")
                .isEmpty();
        channel.writeInbound(last);

        assertThat(chunk.refCnt()).as("body chunks must be released").isZero();
        assertThat(last.refCnt()).as("the last chunk must be released").isZero();
        assertThat(readResponse().status()).isEqualTo(405);
    }

    @Test
    void aRequestTheGateNeverJudgedGetsNoFileAndItsContentIsReleased() throws IOException {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/assets/app.js.map", Unpooled.copiedBuffer("ignored", StandardCharsets.UTF_8));

        channel.writeInbound(request);

        assertThat(request.refCnt()).isZero();
        Response response = readResponse();
        assertThat(response.status())
                .as("only the gate may let a request reach the files; an unjudged one could be a map for anyone")
                .isEqualTo(500);
        assertThat(response.body()).doesNotContain("sources");
    }

    @Test
    void unexpectedIoErrorGivesShort500WithoutDetails() throws IOException {
        Files.delete(root.resolve("assets/app.js"));
        Files.delete(root.resolve("assets/app.js.map"));
        Files.delete(root.resolve("assets"));
        Files.delete(root);

        Response response = get("/assets/app.js");

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.header(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(String.valueOf(response.body().length()));
        assertThat(response.body())
                .as("file system paths and exception names stay in the log")
                .isEqualTo("Internal Server Error\n");
    }

    @Test
    void keepAliveConnectionServesOneResponsePerRequest() throws IOException {
        assertThat(get("/assets/app.js").body()).isEqualTo(JS);
        assertThat(get("/assets/app.js.map").body())
                .as("state from the first request must not leak into the second")
                .isEqualTo(MAP);
        assertThat(channel.isOpen()).as("the origin never closes the connection itself").isTrue();
    }
}
