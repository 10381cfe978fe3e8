package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.exchange.ConnectionEvent;
import dev.mapgate.limits.ClientWaits;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.ReadCounter;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExchangeHandlerTest {

    private final Metrics metrics = Metrics.inMemory();

    private final ReadCounter counter = new ReadCounter();
    private EmbeddedChannel channel;
    /** Unique per test, so the access log line of this test can be told from the others'. */
    private final String userAgent = "exchange-test/" + UUID.randomUUID();

    @BeforeEach
    void setUp() throws Exception {
        channel = new EmbeddedChannel(false, false, counter, new ExchangeHandler(new ClientWaits(Duration.ofSeconds(75), Duration.ofSeconds(10), Duration.ofSeconds(30)),
                metrics));
        // As on a real client connection: nothing is read unless a handler asks.
        channel.config().setAutoRead(false);
        channel.register();
    }

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll())
                .as("every message must have been read and checked by the test")
                .isFalse();
    }

    private HttpRequest request(HttpVersion version, HttpMethod method, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(version, method, "/assets/app.js");
        request.headers().set(HttpHeaderNames.USER_AGENT, userAgent);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    /** Passes a request through the handler as the decoder would, and takes it off the far end. */
    private void receive(HttpRequest request, boolean withEnd) {
        channel.writeInbound(request);
        assertThat((Object) channel.readInbound()).as("the request is passed on").isSameAs(request);
        if (withEnd) {
            channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
            assertThat((Object) channel.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    private static FullHttpResponse full(HttpResponseStatus status, String body, String... headerPairs) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        for (int i = 0; i < headerPairs.length; i += 2) {
            response.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return response;
    }

    private static HttpResponse head(HttpResponseStatus status, String... headerPairs) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        for (int i = 0; i < headerPairs.length; i += 2) {
            response.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return response;
    }

    private static HttpContent chunk(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static LastHttpContent lastChunk(String text) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** Takes one written message off the wire; returns the body text of content, releasing it. */
    private String readOutboundBody() {
        Object msg = channel.readOutbound();
        assertThat(msg).as("a body part must have been written").isInstanceOf(HttpContent.class);
        HttpContent content = (HttpContent) msg;
        try {
            return content.content().toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }

    private HttpResponse readOutboundFull() {
        Object msg = channel.readOutbound();
        assertThat(msg).as("a full response must have been written").isInstanceOf(FullHttpResponse.class);
        FullHttpResponse response = (FullHttpResponse) msg;
        response.release();
        return response;
    }

    private String accessLogLine() {
        assertThat(AccessLog.flush(Duration.ofSeconds(5))).as("the access log writer keeps up").isTrue();
        List<String> lines = LogCapture.linesFrom("mapgate.access").stream()
                .filter(l -> l.contains(userAgent)).toList();
        assertThat(lines).as("exactly one access log line per exchange").hasSize(1);
        return lines.get(0);
    }

    @Test
    void theFirstRequestIsReadAsSoonAsTheConnectionOpens() {
        assertThat(counter.count())
                .as("with AUTO_READ off, nothing would ever arrive without this read")
                .isEqualTo(1);
    }

    @Test
    void aKeepAliveExchangeLeavesTheConnectionOpenAndPullsTheNextRequestOnlyWhenBothSidesAreDone() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);
        assertThat(counter.count()).as("no read while the response is outstanding").isEqualTo(1);

        channel.writeOutbound(full(HttpResponseStatus.OK, "hello"));

        HttpResponse response = readOutboundFull();
        assertThat(response.headers().contains(HttpHeaderNames.CONNECTION))
                .as("HTTP/1.1 is persistent by default; no Connection header is needed")
                .isFalse();
        assertThat(channel.isOpen()).isTrue();
        assertThat(counter.count()).as("the next request is pulled once the response is written").isEqualTo(2);
    }

    @Test
    void aClientThatSentConnectionCloseGetsConnectionCloseAndTheConnectionIsClosed() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET, "Connection", "close"), true);

        channel.writeOutbound(full(HttpResponseStatus.OK, "hello"));

        assertThat(readOutboundFull().headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(counter.count()).as("nothing more is read from a connection being closed").isEqualTo(1);
    }

    @Test
    void aResponderThatSaysConnectionCloseClosesTheConnection() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);

        channel.writeOutbound(full(HttpResponseStatus.OK, "hello", "Connection", "close"));

        assertThat(readOutboundFull().headers().getAll(HttpHeaderNames.CONNECTION)).containsExactly("close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aChunkedBodyToAnHttp10ClientIsSentRawAndEndsWithTheConnection() {
        receive(request(HttpVersion.HTTP_1_0, HttpMethod.GET, "Connection", "keep-alive"), true);

        channel.writeOutbound(head(HttpResponseStatus.OK, "Transfer-Encoding", "chunked"), chunk("hel"));
        HttpResponse response = channel.readOutbound();
        assertThat(readOutboundBody()).isEqualTo("hel");

        assertThat(response.headers().contains(HttpHeaderNames.TRANSFER_ENCODING))
                .as("an HTTP/1.0 client cannot decode chunked framing")
                .isFalse();
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION))
                .as("without framing, only the end of the connection ends the body, so keep-alive is refused")
                .isEqualTo("close");
        assertThat(channel.isOpen()).as("not before the body is complete").isTrue();

        channel.writeOutbound(lastChunk("lo"));
        assertThat(readOutboundBody()).isEqualTo("lo");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anHttp10KeepAliveClientWithALengthDelimitedBodyIsToldKeepAliveAndStaysConnected() {
        receive(request(HttpVersion.HTTP_1_0, HttpMethod.GET, "Connection", "keep-alive"), true);

        channel.writeOutbound(full(HttpResponseStatus.OK, "hello"));

        HttpResponse response = readOutboundFull();
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION))
                .as("HTTP/1.0 closes by default, so persistence must be confirmed explicitly")
                .isEqualTo("keep-alive");
        assertThat(channel.isOpen()).isTrue();
        assertThat(counter.count()).isEqualTo(2);
    }

    @Test
    void anHttp10ClientWithoutKeepAliveIsAnsweredWithConnectionClose() {
        receive(request(HttpVersion.HTTP_1_0, HttpMethod.GET), true);

        channel.writeOutbound(full(HttpResponseStatus.OK, "hello"));

        assertThat(readOutboundFull().headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aBodyWithoutFramingEndsWithTheConnection() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);

        channel.writeOutbound(head(HttpResponseStatus.OK), lastChunk("until close"));

        HttpResponse response = channel.readOutbound();
        assertThat(readOutboundBody()).isEqualTo("until close");
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION))
                .as("no Content-Length and not chunked: the client can only find the end by the close")
                .isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aResponseThatCannotHaveABodyNeedsNoFramingToKeepTheConnection() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.HEAD), true);
        channel.writeOutbound(head(HttpResponseStatus.OK), LastHttpContent.EMPTY_LAST_CONTENT);
        HttpResponse headResponse = channel.readOutbound();
        assertThat((Object) channel.readOutbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(headResponse.headers().contains(HttpHeaderNames.CONNECTION)).as("HEAD").isFalse();

        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);
        channel.writeOutbound(full(HttpResponseStatus.NOT_MODIFIED, ""));
        assertThat(readOutboundFull().headers().contains(HttpHeaderNames.CONNECTION)).as("304").isFalse();

        assertThat(channel.isOpen()).isTrue();
        assertThat(counter.count()).isEqualTo(3);
    }

    @Test
    void aResponseThatEndsBeforeTheRequestBodyClosesTheConnection() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "Content-Length", "100000"), false);

        channel.writeOutbound(full(HttpResponseStatus.FORBIDDEN, "no"));

        readOutboundFull();
        assertThat(channel.isOpen())
                .as("the unread rest of the body would otherwise be parsed as the next request")
                .isFalse();
        assertThat(counter.count()).isEqualTo(1);
    }

    @Test
    void aHundredContinueDoesNotEndTheExchange() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "Content-Length", "5", "Expect", "100-continue"), false);

        FullHttpResponse interim = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER);
        channel.writeOutbound(interim);
        assertThat((Object) channel.readOutbound()).isSameAs(interim);
        assertThat(interim.headers().isEmpty()).as("the interim response is passed on untouched").isTrue();
        assertThat(channel.isOpen()).isTrue();
        assertThat(Exchange.current(channel)).as("the exchange is still in progress").isNotNull();
        assertThat(counter.count()).isEqualTo(1);

        channel.writeInbound(lastChunk("hello"));
        LastHttpContent body = channel.readInbound();
        body.release();
        channel.writeOutbound(full(HttpResponseStatus.CREATED, "done"));

        readOutboundFull();
        assertThat(channel.isOpen()).isTrue();
        assertThat(counter.count()).isEqualTo(2);
        assertThat(accessLogLine()).as("the final status is logged, not the interim one").contains(" status=201 ");
    }

    @Test
    void afterTheResponseTheExchangeIsClearedAndOneAccessLogLineShowsStatusAndBytes() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);
        assertThat(Exchange.current(channel)).isNotNull();

        channel.writeOutbound(head(HttpResponseStatus.OK, "Content-Length", "11"), chunk("hello "), lastChunk("world"));

        assertThat((Object) channel.readOutbound()).isInstanceOf(HttpResponse.class);
        assertThat(readOutboundBody() + readOutboundBody()).isEqualTo("hello world");
        assertThat(Exchange.current(channel))
                .as("a stale exchange would be blamed for whatever the connection does next")
                .isNull();
        assertThat(accessLogLine())
                .contains("client=embedded", " method=GET ", " status=200 ", " bytes=11 ", " completed=true ",
                        "ua=\"" + userAgent + "\"");
    }

    @Test
    void aConnectionLostMidResponseIsLoggedAsNotCompleted() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);
        channel.writeOutbound(head(HttpResponseStatus.OK, "Content-Length", "11"), chunk("hello "));
        assertThat((Object) channel.readOutbound()).isInstanceOf(HttpResponse.class);
        assertThat(readOutboundBody()).isEqualTo("hello ");

        channel.close();

        assertThat(Exchange.current(channel)).isNull();
        assertThat(accessLogLine()).contains(" status=200 ", " bytes=6 ", " completed=false ");
    }

    @Test
    void aConnectionIdleDuringAnExchangeIsClosed() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);

        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);

        assertThat(channel.isOpen()).isFalse();
        assertThat(accessLogLine()).contains(" completed=false ");
    }

    @Test
    void theIdleTimeoutDoesNotCutAKeepAliveWaitShort() {
        channel.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);

        assertThat(channel.isOpen()).as("between requests only keep-alive-timeout applies").isTrue();
    }

    /** Lets {@code seconds} pass on the channel's clock and runs the timers that came due. */
    private void elapse(long seconds) {
        channel.advanceTimeBy(seconds, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
    }

    private void requestStarts() {
        channel.pipeline().fireUserEventTriggered(ConnectionEvent.REQUEST_STARTED);
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAfterTheKeepAliveTimeout() {
        elapse(74);
        assertThat(channel.isOpen()).isTrue();
        elapse(2);
        assertThat(channel.isOpen()).as("75s without the first byte of a request").isFalse();
    }

    @Test
    void aKeptAliveConnectionGetsTheWholeKeepAliveTimeoutAfterEachResponse() {
        elapse(70);
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);
        channel.writeOutbound(full(HttpResponseStatus.OK, "hello"));
        readOutboundFull();

        elapse(70);
        assertThat(channel.isOpen()).as("the clock restarted after the response").isTrue();
        elapse(10);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aHeaderThatDoesNotCompleteWithinTheHeaderTimeoutClosesTheConnection() {
        elapse(30);
        requestStarts();
        elapse(9);
        assertThat(channel.isOpen()).isTrue();
        elapse(2);
        assertThat(channel.isOpen()).as("10s from the first byte, not 75s").isFalse();
    }

    @Test
    void aHeaderThatCompletesInTimeStopsTheHeaderClock() {
        requestStarts();
        elapse(9);
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);
        elapse(40);
        assertThat(channel.isOpen()).as("the exchange is the origin's to time now").isTrue();
    }

    @Test
    void aPipelinedRequestsHeaderClockStartsOnlyWhenItsTurnComes() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.GET), true);
        // The next request's first bytes arrive while a long response is being written.
        requestStarts();
        channel.writeOutbound(head(HttpResponseStatus.OK, "Content-Length", "5"));
        elapse(50);
        channel.writeOutbound(lastChunk("hello"));
        assertThat(channel.isOpen()).as("the download is not cut by the next request's clock").isTrue();
        assertThat((Object) channel.readOutbound()).isInstanceOf(HttpResponse.class);
        assertThat(readOutboundBody()).isEqualTo("hello");

        elapse(9);
        assertThat(channel.isOpen()).isTrue();
        elapse(2);
        assertThat(channel.isOpen()).as("its header clock ran from the end of the response").isFalse();
    }

    @Test
    void aBodyMayBeSlowAsLongAsNoGapWhileMapgateAsksIsLongerThanTheBodyTimeout() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "Content-Length", "10"), false);
        for (int i = 0; i < 3; i++) {
            channel.read();
            elapse(25);
            channel.writeInbound(chunk("ab"));
            assertThat(readBody()).isEqualTo("ab");
        }
        assertThat(channel.isOpen()).as("75s in all, but no gap longer than 30s").isTrue();

        channel.read();
        elapse(31);
        assertThat(channel.isOpen()).as("a stalled body").isFalse();
    }

    @Test
    void timeWhileMapgateHoldsBackReadsIsNotCountedAgainstTheBody() {
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "Content-Length", "10"), false);
        channel.read();
        elapse(20);
        channel.writeInbound(chunk("ab"));
        assertThat(readBody()).isEqualTo("ab");

        // The origin is slow to take the body, so nothing is asked of the client for a while.
        elapse(100);
        assertThat(channel.isOpen()).isTrue();
        channel.read();
        elapse(29);
        assertThat(channel.isOpen()).isTrue();
        elapse(2);
        assertThat(channel.isOpen()).isFalse();
    }

    /** Sits behind the exchange handler, where the proxy does, and notes when the body is reported broken. */
    private static final class BrokenBodyWatcher extends ChannelInboundHandlerAdapter {
        /** How many responses had been written when the report came; -1: it never came. */
        int writtenBeforeReport = -1;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == ConnectionEvent.REQUEST_BODY_BROKEN) {
                writtenBeforeReport = ((EmbeddedChannel) ctx.channel()).outboundMessages().size();
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    private static LastHttpContent brokenEnd() {
        LastHttpContent broken = new DefaultLastHttpContent();
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("malformed chunked body")));
        return broken;
    }

    @Test
    void aBrokenBodyGets400AndCloseWhenNoResponseHasStarted() {
        BrokenBodyWatcher watcher = new BrokenBodyWatcher();
        channel.pipeline().addLast(watcher);
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "Transfer-Encoding", "chunked"), false);
        LastHttpContent broken = brokenEnd();

        channel.writeInbound(broken);

        assertThat((Object) channel.readInbound()).as("a broken end must not look like the end of the body").isNull();
        assertThat(watcher.writtenBeforeReport)
                .as("the proxy hears of it before the 400 is written, so no origin answer can follow ours").isZero();
        HttpResponse response = readOutboundFull();
        assertThat(response.status().code()).isEqualTo(400);
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(broken.refCnt()).isZero();
    }

    @Test
    void aBrokenBodyAfterTheResponseStartedEndsTheConnectionWithNothingMoreWritten() {
        BrokenBodyWatcher watcher = new BrokenBodyWatcher();
        channel.pipeline().addLast(watcher);
        receive(request(HttpVersion.HTTP_1_1, HttpMethod.POST, "Transfer-Encoding", "chunked"), false);
        HttpResponse early = head(HttpResponseStatus.METHOD_NOT_ALLOWED, "Content-Length", "9");
        channel.writeOutbound(early);
        assertThat((Object) channel.readOutbound()).isSameAs(early);

        channel.writeInbound(brokenEnd());

        assertThat(watcher.writtenBeforeReport).as("the proxy is told to drop the origin").isNotNegative();
        assertThat((Object) channel.readOutbound()).as("no 400 inside a response already under way").isNull();
        assertThat(channel.isOpen()).as("the client sees the answer cut off by the close").isFalse();
    }

    @Test
    void aRequestTheDecoderRefusedIsPassedOnForTheGateToAnswer() {
        FullHttpRequest refused = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request");
        refused.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("obs-fold")));

        channel.writeInbound(refused);

        assertThat((Object) channel.readInbound()).as("a failed head is not a broken body").isSameAs(refused);
        assertThat(Exchange.current(channel)).isNotNull();
        assertThat(channel.isOpen()).isTrue();
        refused.release();
    }

    private String readBody() {
        HttpContent content = channel.readInbound();
        try {
            return content.content().toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }
}
