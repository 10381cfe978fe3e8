package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The origin side's codec over an {@link EmbeddedChannel}: what the proxy handler is given for what the origin sends. */
class OriginCodecTest {

    private final EmbeddedChannel origin = new EmbeddedChannel(new OriginCodec());

    @AfterEach
    void close() {
        origin.finishAndReleaseAll();
    }

    /** One line per message: "head 200 len=5", "part hello", "end hello", "end", "failed head: ...", "failed end: ...". */
    private List<String> receive(String... reads) {
        for (String read : reads) {
            origin.writeInbound(Unpooled.copiedBuffer(read, StandardCharsets.ISO_8859_1));
        }
        return drain();
    }

    private List<String> drain() {
        List<String> seen = new ArrayList<>();
        for (Object m; (m = origin.readInbound()) != null; ) {
            try {
                seen.add(describe((HttpObject) m));
            } finally {
                ReferenceCountUtil.release(m);
            }
        }
        return seen;
    }

    private static String describe(HttpObject m) {
        if (m.decoderResult().isFailure()) {
            return "failed " + (m instanceof HttpResponse ? "head" : "end") + ": " + m.decoderResult().cause().getMessage();
        }
        if (m instanceof HttpResponse r) {
            return "head " + r.status().code() + " " + r.headers().entries();
        }
        HttpContent c = (HttpContent) m;
        String text = c.content().toString(StandardCharsets.ISO_8859_1);
        if (m instanceof LastHttpContent last) {
            assertThat(last.trailingHeaders().isEmpty()).as("trailers are dropped").isTrue();
            return text.isEmpty() ? "end" : "end " + text;
        }
        return "part " + text;
    }

    private void send(HttpMethod method) {
        origin.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/app.js"));
        for (Object m; (m = origin.readOutbound()) != null; ) {
            ReferenceCountUtil.release(m);
        }
    }

    @Test
    void aLengthDelimitedBodyEndsAtItsLengthAndTheNextResponseFollows() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")).containsExactly(
                "head 200 [Content-Length=5]", "end hello");
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n")).containsExactly(
                "head 304 [Content-Length=5]", "end");
        assertThat(origin.isOpen()).isTrue();
    }

    @Test
    void aResponseReadOneByteAtATimeIsTheSame() {
        send(HttpMethod.GET);
        String response = "\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-A: b\r\n\r\nabc";
        List<String> seen = new ArrayList<>();
        for (char c : response.toCharArray()) {
            seen.addAll(receive(String.valueOf(c)));
        }
        assertThat(seen).containsExactly("head 200 [Content-Length=3, X-A=b]", "part a", "part b", "end c");
    }

    @Test
    void theAnswerToAHeadHasNoBody() {
        send(HttpMethod.HEAD);
        assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 1427\r\n\r\n")).containsExactly(
                "head 200 [Content-Length=1427]", "end");
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")).containsExactly(
                "head 200 [Content-Length=2]", "end ok");
    }

    @Test
    void chunksAreJoinedAndTrailersDropped() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                "5;name=value\r\nhello\r\n", "1 \r\n!\r\n0\r\nX-Checksum: abc\r\n\r\n")).containsExactly(
                "head 200 [Transfer-Encoding=chunked]", "part hello", "part !", "end");
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 204 No Content\r\n\r\n")).containsExactly("head 204 []", "end");
    }

    @Test
    void anInterimResponseIsFollowedByItsEmptyEndThenTheRealOne() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"))
                .containsExactly("head 100 []", "end", "head 200 [Content-Length=1]", "end x");
    }

    @Test
    void aBodyWithoutFramingEndsWhenTheOriginCloses() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.0 200 OK\r\n\r\nsome", " more")).containsExactly(
                "head 200 []", "part some", "part  more");
        origin.close();
        assertThat(drain()).containsExactly("end");
    }

    @Test
    void aBodyCutShortGetsNoEnd() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")).containsExactly(
                "head 200 [Content-Length=10]", "part half");
        origin.close();
        assertThat(drain()).as("the proxy learns from the close that the body was cut").isEmpty();
    }

    @Test
    void aMalformedHeadIsOneFailedMessageAndWhatFollowsIsDropped() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
                "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")).containsExactly(
                "failed head: more than one Content-Length");
    }

    @Test
    void aHeadTooLongIsRefusedWithoutWaitingForItsEnd() {
        send(HttpMethod.GET);
        String big = "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(OriginResponseDecoder.MAX_HEAD) + "\r\n\r\n";
        assertThat(receive(big.substring(0, OriginResponseDecoder.MAX_HEAD + 10))).containsExactly(
                "failed head: a response head longer than 12288 bytes");
    }

    @Test
    void aBrokenChunkEndsTheBodyAsFailed() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n"))
                .containsExactly("head 200 [Transfer-Encoding=chunked]", "part abc",
                        "failed end: chunk data longer than its size");
    }

    @Test
    void aChunkSizeThatWouldOverflowIsRefused() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n"))
                .containsExactly("head 200 [Transfer-Encoding=chunked]",
                        "failed end: a chunk size of more than 15 hex digits");
    }

    @Test
    void aChunkSizeLineMustBeHexAndExtensionsOnly() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n"))
                .containsExactly("head 200 [Transfer-Encoding=chunked]",
                        "failed end: something other than an extension after a chunk size");
    }

    @Test
    void aBodyPartIsWhatOneReadBroughtNotMore() {
        send(HttpMethod.GET);
        ByteBuf body = Unpooled.buffer();
        origin.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n", StandardCharsets.US_ASCII));
        origin.writeInbound(body.writeZero(70000));
        List<Integer> sizes = new ArrayList<>();
        for (Object m; (m = origin.readInbound()) != null; ) {
            if (m instanceof HttpContent c) {
                sizes.add(c.content().readableBytes());
            }
            ReferenceCountUtil.release(m);
        }
        assertThat(sizes).containsExactly(70000);
    }

    @Test
    void aTrailerSectionIsBoundedLikeAHead() {
        send(HttpMethod.GET);
        List<String> seen = new ArrayList<>(receive("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"));
        String line = "X-T: " + "a".repeat(1000) + "\r\n";
        for (int i = 0; i < 20; i++) {
            seen.addAll(receive(line));
        }
        assertThat(seen).containsExactly("head 200 [Transfer-Encoding=chunked]",
                "failed end: a trailer section longer than 12288 bytes");
    }

    @Test
    void bytesAfterTheAnswerInTheSameReadCloseTheConnectionAndAreNotPassedOn() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra")).containsExactly(
                "head 200 [Content-Length=2]", "end ok");
        assertThat(origin.isOpen()).as("nobody asked for those bytes: the connection is not lent again").isFalse();
    }

    @Test
    void aBodyAfterTheAnswerToAHeadClosesTheConnection() {
        send(HttpMethod.HEAD);
        assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody")).containsExactly(
                "head 200 [Content-Length=4]", "end");
        assertThat(origin.isOpen()).isFalse();
    }

    @Test
    void anEmptyLineAfterABodyIsToleratedAndTheConnectionKept() {
        send(HttpMethod.GET);
        assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\r\n")).containsExactly(
                "head 200 [Content-Length=2]", "end ok");
        assertThat(origin.isOpen()).isTrue();
    }

    @Test
    void bytesBeforeAnyRequestCloseTheConnection() {
        assertThat(receive("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")).isEmpty();
        assertThat(origin.isOpen()).isFalse();
    }
}
