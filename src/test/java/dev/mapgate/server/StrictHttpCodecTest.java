package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.exchange.ConnectionEvent;
import dev.mapgate.wire.ResponseHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrictHttpCodecTest {

    /** A request that is fine on its own; appended to a bad one, it must never be decoded. */
    private static final String SMUGGLED = "GET /smuggled.js.map HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String CHUNKED_POST = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

    /** Counts the "request started" events the decoder fires. */
    private static final class StartCounter extends ChannelInboundHandlerAdapter {
        int starts;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ConnectionEvent.REQUEST_STARTED) {
                starts++;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    private StartCounter counter;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        counter = new StartCounter();
        channel = new EmbeddedChannel(new StrictHttpCodec(64, 256, 10), counter);
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private void send(String text) {
        channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    /** Everything decoded so far, released; requests are kept for their headers and decoder result. */
    private List<HttpObject> decoded() {
        List<HttpObject> all = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            all.add((HttpObject) msg);
            ReferenceCountUtil.release(msg);
        }
        return all;
    }

    /** Everything decoded so far, released, each message as its body text ("" for none). */
    private List<String> bodies() {
        List<String> all = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            all.add(msg instanceof HttpContent content ? content.content().toString(StandardCharsets.US_ASCII) : "");
            ReferenceCountUtil.release(msg);
        }
        return all;
    }

    private List<HttpRequest> requests(List<HttpObject> decoded) {
        return decoded.stream().filter(HttpRequest.class::isInstance).map(HttpRequest.class::cast).toList();
    }

    private void assertRejectedAlone(String raw, String why) {
        setUp();
        send(raw + SMUGGLED);
        List<HttpObject> decoded = decoded();
        assertThat(decoded).as(why + ": only the failed request, nothing after it").hasSize(1);
        assertThat(decoded.get(0)).isInstanceOf(HttpRequest.class);
        assertThat(decoded.get(0).decoderResult().isFailure()).as(why).isTrue();
        tearDown();
    }

    @Test
    void everyLeniencyNettyWouldAcceptIsARejectedRequestAndNothingAfterItIsDecoded() {
        String host = "Host: a\r\n";
        assertRejectedAlone("GET / HTTP/2.0\r\n" + host + "\r\n", "HTTP/2.0");
        assertRejectedAlone("GET / HTTP/1.2\r\n" + host + "\r\n", "HTTP/1.2");
        assertRejectedAlone("GET / http/1.1\r\n" + host + "\r\n", "lower-case version");
        assertRejectedAlone("GET  / HTTP/1.1\r\n" + host + "\r\n", "two spaces after the method");
        assertRejectedAlone("GET /  HTTP/1.1\r\n" + host + "\r\n", "two spaces before the version");
        assertRejectedAlone("GET\t/ HTTP/1.1\r\n" + host + "\r\n", "tab after the method");
        assertRejectedAlone("GET /\tHTTP/1.1\r\n" + host + "\r\n", "tab before the version");
        assertRejectedAlone("GET / HTTP/1.1\r\n" + host + "X-A: 1\r\n 2\r\n\r\n", "obs-fold with a space");
        assertRejectedAlone("GET / HTTP/1.1\r\n" + host + "X-A: 1\r\n\t2\r\n\r\n", "obs-fold with a tab");
        assertRejectedAlone("POST / HTTP/1.1\r\n" + host + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n", "Content-Length with chunked");
        assertRejectedAlone("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "gzip, chunked");
        assertRejectedAlone("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", "chunked, gzip");
        assertRejectedAlone("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: identity\r\n\r\n", "identity");
        assertRejectedAlone("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: xchunked\r\n\r\n", "xchunked");
        assertRejectedAlone("POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n", "two Transfer-Encoding lines");
        assertRejectedAlone("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "chunked in HTTP/1.0");
        assertRejectedAlone("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "two Host headers");
        assertRejectedAlone("GET / HTTP/1.1\r\n\r\n", "no Host in HTTP/1.1");
        assertRejectedAlone("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "Host that is no host[:port]");
        assertRejectedAlone("GET / HTTP/1.1\r\nHost: a:x\r\n\r\n", "Host with a bad port");
        assertRejectedAlone("GET /\r\n\r\n", "HTTP/0.9");
        assertRejectedAlone("GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key1: 1\r\nSec-WebSocket-Key2: 2\r\n\r\nGET /x ",
                "Hixie-76 keys, which Netty gives an 8-byte body");
        assertRejectedAlone("POST / HTTP/1.0\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nhello",
                "two lengths in HTTP/1.0, where Netty would keep the first");
        assertRejectedAlone("GET / HTTP/1.0\r\ncontent-length: 0\r\nCONTENT-LENGTH: 0\r\n\r\n",
                "two equal lengths in HTTP/1.0, names in any case");
        assertRejectedAlone("GET\u0012 / HTTP/1.1\r\n" + host + "\r\n", "a control byte after the method, which Netty trims");
        assertRejectedAlone("G\"ET / HTTP/1.1\r\n" + host + "\r\n", "a method that is no token");
    }

    @Test
    void whatNettyAlreadyRejectsStaysRejectedWithNothingDecodedAfterIt() {
        assertRejectedAlone("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "space before the colon");
        assertRejectedAlone("GET / HTTP/1.1\nHost: a\n\n", "bare LF");
        assertRejectedAlone("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "two lengths");
    }

    @Test
    void aBadChunkSizeEndsTheBodyWithAFailureAndNothingAfterItIsDecoded() {
        send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" + SMUGGLED);
        List<HttpObject> decoded = decoded();
        assertThat(decoded).hasSize(2);
        assertThat(decoded.get(0).decoderResult().isSuccess()).isTrue();
        assertThat(decoded.get(1)).isInstanceOf(LastHttpContent.class);
        assertThat(decoded.get(1).decoderResult().isFailure()).isTrue();
    }

    /**
     * Chunk lines Netty 4.2 takes on its own (17 digits its int wraps to 0x35; whitespace or a
     * bare ';' ending the size) and ones it refuses too (past 7FFFFFFF, bare LF): all end the body
     * the same way, refused before Netty reads them.
     */
    @ParameterizedTest
    @ValueSource(strings = {"10000000000000035\r\n", "FFFFFFFF\r\n", "80000000\r\n", "35 \r\n", " 35\r\n",
            "35;\r\n", "35;ext\n", "35\n"})
    void aChunkLineNettyWouldMisreadEndsTheBodyWithAFailureAndNothingAfterItIsDecoded(String line) {
        send(CHUNKED_POST + line + SMUGGLED + "\r\n0\r\n\r\n");
        List<HttpObject> decoded = decoded();
        assertThat(decoded).as("the request, then the failure; no chunk, no smuggled request").hasSize(2);
        assertThat(decoded.get(0).decoderResult().isSuccess()).isTrue();
        assertThat(decoded.get(1)).isInstanceOf(LastHttpContent.class);
        assertThat(decoded.get(1).decoderResult().cause()).hasMessageContaining("malformed chunked body");
    }

    @Test
    void aWrappingChunkSizeArrivingAByteAtATimeIsStillRefused() {
        String raw = CHUNKED_POST + "10000000000000035\r\n" + SMUGGLED + "\r\n0\r\n\r\n";
        List<HttpObject> decoded = new ArrayList<>();
        for (byte b : raw.getBytes(StandardCharsets.ISO_8859_1)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            decoded.addAll(decoded());
        }
        assertThat(decoded).hasSize(2);
        assertThat(decoded.get(1).decoderResult().cause()).hasMessageContaining("7FFFFFFF");
    }

    @Test
    void chunksReadBeforeTheBrokenOnePassButNoneFromTheReadThatBreaksTheBody() {
        send(CHUNKED_POST + "5\r\nhello\r\n");
        assertThat(bodies()).as("the request, then its first chunk").containsExactly("", "hello");
        send("5\r\nworld\r\nzz\r\n" + SMUGGLED);
        List<HttpObject> decoded = decoded();
        assertThat(decoded).as("a broken read is refused whole: not even its good chunk is passed on").hasSize(1);
        assertThat(decoded.get(0)).isInstanceOf(LastHttpContent.class);
        assertThat(decoded.get(0).decoderResult().isFailure()).isTrue();
    }

    @Test
    void extensionsAndTrailersAreAcceptedAndTheNextRequestsHeadIsCheckedAgain() {
        send(CHUNKED_POST + "3;a=\"q\" ; b\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /folded HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n");
        List<HttpObject> decoded = new ArrayList<>();
        for (Object msg; (msg = channel.readInbound()) != null; ) {
            decoded.add((HttpObject) msg);
        }
        try {
            assertThat(requests(decoded)).extracting(HttpRequest::uri).containsExactly("/", "/next", "/bad-request");
            assertThat(((HttpContent) decoded.get(1)).content().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
            assertThat(((LastHttpContent) decoded.get(2)).trailingHeaders().get("X-Sum")).isEqualTo("1");
            assertThat(requests(decoded).get(1).decoderResult().isSuccess()).isTrue();
            assertThat(requests(decoded).get(2).decoderResult().cause()).hasMessageContaining("obs-fold");
        } finally {
            decoded.forEach(ReferenceCountUtil::release);
        }
    }

    @Test
    void wellFormedRequestsPassIncludingPipelinedOnesAndBodies() {
        send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: a:8080\r\nContent-Length: 5\r\n\r\nhello"
                + "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                + "GET http://a/d HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /e HTTP/1.0\r\n\r\n");
        List<HttpObject> decoded = decoded();
        assertThat(decoded).allMatch(m -> m.decoderResult().isSuccess());
        assertThat(requests(decoded)).extracting(HttpRequest::uri).containsExactly("/a", "/b", "/c", "http://a/d", "/e");
        assertThat(decoded.stream().filter(LastHttpContent.class::isInstance)).hasSize(5);
        assertThat(counter.starts).as("one start per request").isEqualTo(5);
    }

    @Test
    void aFoldedHeaderArrivingAByteAtATimeIsStillRejected() {
        String raw = "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n" + SMUGGLED;
        List<HttpObject> decoded = new ArrayList<>();
        for (byte b : raw.getBytes(StandardCharsets.ISO_8859_1)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            decoded.addAll(decoded());
        }
        assertThat(requests(decoded)).extracting(HttpRequest::uri).containsExactly("/a", "/bad-request");
        assertThat(requests(decoded).get(0).decoderResult().isSuccess()).isTrue();
        assertThat(requests(decoded).get(1).decoderResult().cause()).hasMessageContaining("obs-fold");
        assertThat(counter.starts).isEqualTo(2);
    }

    @Test
    void aRequestStartsWithItsFirstByteAndBlankLinesBeforeItDoNotCount() {
        send("\r\n");
        assertThat(counter.starts).isZero();
        send("G");
        assertThat(counter.starts).isEqualTo(1);
        send("ET / HTTP/1.1\r\nHost: a\r\n");
        assertThat(counter.starts).as("still the same request").isEqualTo(1);
        send("\r\n");
        assertThat(decoded()).hasSize(2);
    }

    @Test
    void tooLongALineTooManyHeaderBytesOrTooManyHeadersAreTooLongFailures() {
        send("GET /" + "a".repeat(100) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(decoded().get(0).decoderResult().cause()).isInstanceOf(TooLongHttpLineException.class);
        tearDown();

        setUp();
        send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(300) + "\r\n\r\n");
        assertThat(decoded().get(0).decoderResult().cause()).isInstanceOf(TooLongHttpHeaderException.class);
        tearDown();

        setUp();
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < 10; i++) {
            many.append("X").append(i).append(": 1\r\n");
        }
        send(many + "\r\n");
        assertThat(decoded().get(0).decoderResult().cause()).isInstanceOf(TooLongHttpHeaderException.class)
                .hasMessageContaining("more than 10 header fields");
    }

    /** Encodes {@code responses} and returns the bytes on the wire. */
    private String wire(Object... responses) {
        for (Object response : responses) {
            channel.writeOutbound(response);
        }
        StringBuilder out = new StringBuilder();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    private FullHttpResponse ok(String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return response;
    }

    @Test
    void theResponseToAHeadHasNoBodyAndPipelinedResponsesKeepTheirOwnMethods() {
        send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: a\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n");
        decoded();
        assertThat(wire(ok("one"), ok("two"), ok("three")))
                .isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\none"
                        + "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nthree");
    }

    @Test
    void aHundredContinueDoesNotUseUpTheMethodOfTheRequestItPrecedes() {
        send("HEAD /1 HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n");
        decoded();
        String wire = wire(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE), ok("body"));
        assertThat(wire).isEqualTo("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\n");
    }

    @Test
    void aStreamedResponseIsEncodedPartByPart() {
        send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n");
        decoded();
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        HttpContent last = new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII));
        assertThat(wire(head, last)).isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
    }

    @Test
    void anOriginsHeaderFieldsGoOutAsTheyCameLessWhatWasRemoved() throws Exception {
        byte[] bytes = ("HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nx-odd:  v \r\nConnection: keep-alive\r\n"
                + "Content-Length: 2\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ResponseHead origin = ResponseHead.parse(bytes, bytes.length);
        DefaultHttpResponse head = new DefaultHttpResponse(origin.version(), origin.status(), origin.headers());
        head.headers().remove(HttpHeaderNames.CONNECTION).set(HttpHeaderNames.CACHE_CONTROL, "private");
        HttpContent last = new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
        assertThat(wire(head, last)).isEqualTo("HTTP/1.1 200 OK\r\nContent-Type: text/javascript\r\nx-odd: v\r\n"
                + "Content-Length: 2\r\ncache-control: private\r\n\r\nok");
    }
}
