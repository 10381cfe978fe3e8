package dev.mapgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The body refusal and the endpoints, fed requests as the codec would decode them. */
class AdminRequestHandlerTest {

    private final StubProbes probes = new StubProbes();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        Counter.builder("mapgate.requests").tag("route", "gated").register(registry).increment(3);
        channel = new EmbeddedChannel(new RequestBodyRefusal(),
                new AdminRequestHandler(probes, registry, Duration.ofSeconds(3)));
    }

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll())
                .as("every response must have been read and checked by the test")
                .isFalse();
    }

    private static HttpRequest request(HttpMethod method, String uri, String... headerPairs) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        for (int i = 0; i < headerPairs.length; i += 2) {
            request.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return request;
    }

    /** Sends a bodiless request the way the codec delivers it: headers, then an empty end. */
    private void receive(HttpRequest request) {
        channel.writeInbound(request);
        channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private Answer exchange(HttpMethod method, String uri, String... headerPairs) {
        receive(request(method, uri, headerPairs));
        return answer();
    }

    /** Takes the one response off the wire, releasing it. */
    private Answer answer() {
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("a response was written").isNotNull();
        try {
            return new Answer(response.status().code(), response.headers().get(HttpHeaderNames.CONTENT_TYPE),
                    response.headers().get(HttpHeaderNames.CONTENT_LENGTH),
                    response.headers().get(HttpHeaderNames.CACHE_CONTROL),
                    response.headers().get(HttpHeaderNames.CONNECTION),
                    response.headers().get(HttpHeaderNames.ALLOW),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    /** Fails if a response was written; releases it first, so a failure is not also reported as a leak. */
    private void assertNothingWritten(String why) {
        Object written = channel.readOutbound();
        ReferenceCountUtil.release(written);
        assertThat(written).as(why).isNull();
    }

    private record Answer(int status, String contentType, String contentLength, String cacheControl,
                          String connection, String allow, String body) {
    }

    @Test
    void metricsServesTheRegistryInTheClassicTextFormat() {
        Answer answer = exchange(HttpMethod.GET, "/metrics");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        assertThat(answer.body()).contains("mapgate_requests_total{route=\"gated\"} 3.0");
        assertThat(answer.contentLength())
                .isEqualTo(String.valueOf(answer.body().getBytes(StandardCharsets.UTF_8).length));
        assertThat(answer.cacheControl()).as("a cached scrape would show stale counters").isEqualTo("no-store");
        assertThat(channel.isOpen()).as("HTTP/1.1 keeps the connection for the next scrape").isTrue();
        assertThat(answer.connection()).isNull();
    }

    @Test
    void metricsAnswersOpenMetricsToAScraperThatAsksForIt() {
        Answer answer = exchange(HttpMethod.GET, "/metrics",
                "Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");

        assertThat(answer.contentType()).isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(answer.body()).contains("mapgate_requests_total{route=\"gated\"} 3.0").endsWith("# EOF\n");
    }

    @Test
    void headGetsTheHeadersOfAGetButNoBody() {
        Answer get = exchange(HttpMethod.GET, "/readyz");
        Answer head = exchange(HttpMethod.HEAD, "/readyz");

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.contentLength()).as("HEAD announces the length a GET would send").isEqualTo(get.contentLength());
        assertThat(head.contentType()).isEqualTo(get.contentType());
        assertThat(head.cacheControl()).isEqualTo("no-store");
    }

    @Test
    void headOfMetricsAnnouncesTheScrapesLength() {
        Answer head = exchange(HttpMethod.HEAD, "/metrics");

        assertThat(head.body()).isEmpty();
        assertThat(Integer.parseInt(head.contentLength())).isGreaterThan(0);
    }

    @Test
    void readyzFollowsTheServersReadiness() {
        assertThat(exchange(HttpMethod.GET, "/readyz")).extracting(Answer::status, Answer::body)
                .containsExactly(200, "ready\n");
        probes.ready = false;
        Answer draining = exchange(HttpMethod.GET, "/readyz");
        assertThat(draining).extracting(Answer::status, Answer::body)
                .as("a draining server must be taken out of the load balancer")
                .containsExactly(503, "not ready\n");
        assertThat(draining.cacheControl()).isEqualTo("no-store");
    }

    @Test
    void healthzIsOkWhenTheEventLoopsAnswer() {
        assertThat(exchange(HttpMethod.GET, "/healthz")).extracting(Answer::status, Answer::body)
                .containsExactly(200, "ok\n");
    }

    @Test
    void healthzWaitsForTheProbeWithoutBlockingAndThenAnswers() {
        probes.loops = new CompletableFuture<>();
        receive(request(HttpMethod.GET, "/healthz"));
        channel.runPendingTasks();
        assertNothingWritten("no answer before the probe has one");

        probes.loops.complete(true);
        channel.runPendingTasks();

        assertThat(answer()).extracting(Answer::status, Answer::body).containsExactly(200, "ok\n");
    }

    @Test
    void healthzIsUnavailableWhenTheProbeSaysNo() {
        probes.loops = CompletableFuture.completedFuture(false);
        receive(request(HttpMethod.GET, "/healthz"));
        channel.runPendingTasks();

        Answer answer = answer();
        assertThat(answer).extracting(Answer::status, Answer::body)
                .as("the orchestrator restarts a process whose I/O loops are stuck")
                .containsExactly(503, "event loops not answering\n");
        assertThat(answer.cacheControl()).isEqualTo("no-store");
    }

    @Test
    void healthzIsUnavailableWhenTheProbeFails() {
        probes.loops = CompletableFuture.failedFuture(new IllegalStateException("group gone"));
        receive(request(HttpMethod.GET, "/healthz"));
        channel.runPendingTasks();

        assertThat(answer().status()).isEqualTo(503);
    }

    @Test
    void healthzGivesUpOnAProbeThatNeverCompletes() {
        // Otherwise the channel's clock also runs in real time, and a slow moment would fire the guard early.
        channel.freezeTime();
        probes.loops = new CompletableFuture<>();
        receive(request(HttpMethod.GET, "/healthz"));
        channel.advanceTimeBy(2999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        assertNothingWritten("still within the guard's 3 s");

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();

        assertThat(answer().status()).isEqualTo(503);
        probes.loops.complete(true);
        channel.runPendingTasks();
        assertNothingWritten("a late probe answer writes nothing more");
    }

    @Test
    void anUnknownPathIsNotFound() {
        Answer answer = exchange(HttpMethod.GET, "/metrics/");

        assertThat(answer).extracting(Answer::status, Answer::body).containsExactly(404, "not found\n");
        assertThat(answer.cacheControl()).isEqualTo("no-store");
        assertThat(channel.isOpen()).as("a 404 is an ordinary answer; the connection stays").isTrue();
    }

    @Test
    void anotherMethodOnAnEndpointIsNotAllowed() {
        Answer answer = exchange(HttpMethod.DELETE, "/metrics");

        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.allow()).isEqualTo("GET, HEAD");
        assertThat(answer.cacheControl()).isEqualTo("no-store");
    }

    @Test
    void aRequestWithAContentLengthIsRefusedAndTheConnectionClosed() {
        // As one read off the socket: the body is there before the 413 has gone out.
        channel.writeInbound(request(HttpMethod.POST, "/metrics", "Content-Length", "5"),
                new DefaultHttpContent(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)),
                LastHttpContent.EMPTY_LAST_CONTENT);

        Answer answer = answer();
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.connection()).isEqualTo("close");
        assertThat(answer.cacheControl()).isEqualTo("no-store");
        assertThat(channel.isOpen()).as("an unread body must not be taken for the next request").isFalse();
        Object passedOn = channel.readInbound();
        ReferenceCountUtil.release(passedOn);
        assertThat(passedOn).as("the body is dropped, not passed on").isNull();
    }

    @Test
    void aChunkedRequestIsRefusedEvenOnAGet() {
        channel.writeInbound(request(HttpMethod.GET, "/healthz", "Transfer-Encoding", "chunked"));

        Answer answer = answer();
        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.connection()).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aFullRequestWithContentIsRefused() {
        channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/readyz",
                Unpooled.copiedBuffer("x", StandardCharsets.US_ASCII)));

        assertThat(answer().status()).isEqualTo(413);
    }

    @Test
    void anEmptyContentLengthIsNoBody() {
        assertThat(exchange(HttpMethod.GET, "/readyz", "Content-Length", "0").status()).isEqualTo(200);
    }

    @Test
    void connectionCloseIsHonoured() {
        Answer answer = exchange(HttpMethod.GET, "/readyz", "Connection", "close");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.connection()).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void anHttp10ClientAskingForKeepAliveIsToldItIsKept() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/readyz");
        request.headers().set(HttpHeaderNames.CONNECTION, "keep-alive");
        receive(request);

        Answer answer = answer();
        assertThat(answer.connection())
                .as("an HTTP/1.0 client closes unless the response says keep-alive")
                .isEqualToIgnoringCase("keep-alive");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void anHttp10ClientWithoutKeepAliveIsClosed() {
        receive(new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/readyz"));

        assertThat(answer().status()).isEqualTo(200);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestTheDecoderGaveUpOnIsRefusedAndClosed() {
        HttpRequest broken = request(HttpMethod.GET, "/metrics");
        broken.setDecoderResult(DecoderResult.failure(new TooLongHttpLineException("line too long")));
        channel.writeInbound(broken);

        Answer answer = answer();
        assertThat(answer.status()).isEqualTo(414);
        assertThat(answer.connection()).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
    }
}
