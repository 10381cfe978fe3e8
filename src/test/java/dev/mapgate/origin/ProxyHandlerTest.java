package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.config.OriginSettings;
import dev.mapgate.exchange.Admissions;
import dev.mapgate.exchange.AdmittedRequest;
import dev.mapgate.exchange.ConnectionEvent;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.limits.WarnThrottle;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.testing.ReadCounter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every branch of an exchange through {@link ProxyHandler}, driven by hand: the client and each
 * origin connection are {@link EmbeddedChannel}s, and {@link FakeOrigins} hands them out, fails to,
 * or holds them back, as each test needs.
 */
class ProxyHandlerTest {

    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POOL_IDLE = Duration.ofSeconds(20);

    private final Metrics metrics = Metrics.inMemory();
    private final FakeOrigins origins = new FakeOrigins();
    private final ReadCounter clientReads = new ReadCounter();
    private EmbeddedChannel client;

    @BeforeEach
    void setUp() {
        client = new EmbeddedChannel();
        // As on the server: reads happen only when a handler asks for one.
        client.config().setAutoRead(false);
        client.pipeline().addLast(clientReads, new ProxyHandler(origins, false, metrics));
    }

    @AfterEach
    void tearDown() {
        client.finishAndReleaseAll();
        for (Link link : origins.opened) {
            link.channel.finishAndReleaseAll();
        }
    }

    // --- the request on its way -------------------------------------------------------------

    @Test
    void theOriginGetsTheCanonicalPathUnderItsBasePathAndItsOwnHost() {
        HttpRequest head = request(HttpMethod.GET, "/static/./app.js");
        head.headers().set(HttpHeaderNames.HOST, "maps.example.com");
        head.headers().set(HttpHeaderNames.CONNECTION, "keep-alive, x-secret-hop");
        head.headers().set("X-Secret-Hop", "1");
        head.headers().set("X-Original-URL", "/static/app.js.map");
        head.headers().set("X-Forwarded-For", "203.0.113.9");

        client.writeInbound(Admissions.admit(head, "/static/app.js",
                ClientAddress.untrustedPeer(InetAddress.getLoopbackAddress())));
        client.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);

        HttpRequest forwarded = origins.last().readRequest();
        assertThat(forwarded.uri()).as("the path the gate checked, never the raw one").isEqualTo("/base/static/app.js");
        assertThat(forwarded.headers().get(HttpHeaderNames.HOST)).isEqualTo("origin.internal:8080");
        assertThat(forwarded.headers().get("X-Forwarded-Host")).isEqualTo("maps.example.com");
        assertThat(forwarded.headers().get("X-Forwarded-For"))
                .as("the address the gate judged by, not the client's claim").isEqualTo("127.0.0.1");
        assertThat(forwarded.headers().contains("X-Secret-Hop")).as("hop-by-hop, named in Connection").isFalse();
        assertThat(forwarded.headers().contains("X-Original-URL"))
                .as("some origins serve this path instead of the checked one").isFalse();
        assertThat(origins.last().<Object>readOutbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    @Test
    void theAnswerIsStreamedAndTheConnectionGoesBackToThePool() {
        sendGet("/app.js");
        Link origin = origins.last();
        origin.readRequest();
        origin.releaseOutbound();

        origin.answer(response(200, "Content-Length", "5", "Connection", "keep-alive", "Keep-Alive", "timeout=5"));
        origin.answer(content("hel"));
        assertThat(clientReceived()).hasSize(2);
        origin.answer(lastContent("lo"));

        assertThat(clientStatus()).isNull();
        assertThat(origins.released).as("a clean keep-alive exchange leaves its connection reusable")
                .containsExactly(origin.channel);
        assertThat(origin.channel.isOpen()).isTrue();
        assertThat(origins.releasedIdleNanos.get(0)).as("the origin's own Keep-Alive hint, less a margin")
                .isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(metrics.registry().find("mapgate.origin.response.time").timer().count()).isEqualTo(1);
    }

    @Test
    void aRequestWithABodyIsRelayedAPartAtATimeAndItsConnectionNeverPooled() {
        client.writeInbound(post("/upload", 6));
        Link origin = origins.last();
        assertThat(origin.readRequest().headers().get(HttpHeaderNames.CONNECTION))
                .as("the origin learns the connection ends with this exchange").isEqualTo("close");
        int readsAfterHead = clientReads.count();

        client.writeInbound(new DefaultHttpContent(bytes("abc")));
        assertThat(bodyOf(origin.readOutbound())).isEqualTo("abc");
        assertThat(clientReads.count()).as("the next part is read once this one is written").isEqualTo(readsAfterHead + 1);
        client.writeInbound(new DefaultLastHttpContent(bytes("def")));
        assertThat(bodyOf(origin.readOutbound())).isEqualTo("def");

        origin.answer(response(201, "Content-Length", "0"));
        origin.answer(LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(clientStatus()).isEqualTo(201);
        assertThat(origins.released).as("the origin may have left some of the body unread").isEmpty();
        assertThat(origin.channel.isOpen()).isFalse();
    }

    @Test
    void aBodyPartNobodyAskedForWhileConnectingClosesTheConnectionAndTheOriginGetsNothing() {
        Promise<Channel> connection = origins.holdNext(client.eventLoop());
        int readsBefore = clientReads.count();
        client.writeInbound(post("/upload", 6));
        HttpContent unasked = new DefaultHttpContent(bytes("abc"));
        client.writeInbound(unasked);

        Link origin = origins.complete(connection);

        assertThat(clientReads.count()).as("nothing reads the client while connecting").isEqualTo(readsBefore);
        assertThat(unasked.refCnt()).isZero();
        assertThat(client.isOpen())
                .as("a front that hands on more than was asked for could hand on the next request: fail closed")
                .isFalse();
        assertThat(sent(origin)).as("nothing of the request goes out").isEmpty();
        assertThat(origins.released).as("parked unused").containsExactly(origin.channel);
    }

    @Test
    void aRequestHandedOverMidExchangeClosesTheClientConnectionRatherThanMixTheTwo() {
        PipelinedNext next = new PipelinedNext(admitted(HttpMethod.GET, "/next.js.map"));
        client.pipeline().addFirst(next);
        client.writeInbound(post("/upload", 6));
        Link first = origins.last();
        assertThat(next.handedOver).as("the read for the body met the next request instead").isTrue();

        assertThat(client.isOpen()).as("fails closed").isFalse();
        assertThat(origins.opened).as("the second request never reaches an origin").hasSize(1);
        assertThat(first.channel.isOpen()).isFalse();
        assertThat(origins.released).isEmpty();
    }

    // --- no connection ----------------------------------------------------------------------

    @Test
    void aRefusedConnectionIs502AndTheClientConnectionIsKept() {
        origins.failNext(new ConnectException("Connection refused"));
        client.writeInbound(admitted(HttpMethod.GET, "/app.js"));
        assertThat(client.outboundMessages()).as("the answer waits for the request's end").isEmpty();

        client.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);

        FullHttpResponse answer = client.readOutbound();
        assertThat(answer.status().code()).isEqualTo(502);
        assertThat(answer.headers().get(HttpHeaderNames.CONNECTION)).isNull();
        assertThat(answer.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        answer.release();
        assertThat(client.isOpen()).isTrue();
        assertThat(originErrors("connect")).isEqualTo(1);
    }

    @Test
    void aConnectTimeoutIs504() {
        origins.failNext(new ConnectTimeoutException("connection timed out: origin.internal"));
        sendGet("/app.js");

        assertThat(clientStatus()).isEqualTo(504);
        assertThat(originErrors("connect")).isEqualTo(1);
    }

    @Test
    void aFullPoolIs503WithRetryAfter() {
        origins.failNext(new TimeoutException("acquire timed out"));
        sendGet("/app.js");

        FullHttpResponse answer = client.readOutbound();
        assertThat(answer.status().code()).isEqualTo(503);
        assertThat(answer.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
        answer.release();
        assertThat(originErrors("pool-full")).isEqualTo(1);
    }

    @Test
    void aFailedConnectWithABodyStillComingIsAnsweredAtOnceAndCloses() {
        origins.failNext(new ConnectException("Connection refused"));
        client.writeInbound(post("/upload", 1_000_000));

        FullHttpResponse answer = client.readOutbound();
        assertThat(answer.status().code()).isEqualTo(502);
        assertThat(answer.headers().get(HttpHeaderNames.CONNECTION))
                .as("reading an unwanted megabyte only helps whoever sends it").isEqualTo("close");
        answer.release();
    }

    // --- the answer -------------------------------------------------------------------------

    @Test
    void interimResponsesAreDroppedAndTheFinalOneForwarded() {
        Link origin = forwarded("/app.js");

        origin.answer(response(100), LastHttpContent.EMPTY_LAST_CONTENT);
        origin.answer(response(103, "Link", "</app.css>; rel=preload"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(client.outboundMessages()).as("no 1xx reaches the client").isEmpty();
        origin.answer(response(200, "Content-Length", "2"), lastContent("ok"));

        assertThat(client.<HttpResponse>readOutbound().status().code()).isEqualTo(200);
        assertThat(bodyOf(client.readOutbound())).isEqualTo("ok");
    }

    @Test
    void anOriginThatClosesMidBodyCutsTheClientConnectionShort() {
        Link origin = forwarded("/big.js");
        origin.answer(response(200, "Content-Length", "100"), content("first ten."));

        origin.close();

        List<Object> received = clientReceived();
        assertThat(received).as("the head and the part that came, and no end").hasSize(2);
        assertThat(received.get(1)).isNotInstanceOf(LastHttpContent.class);
        assertThat(client.isOpen()).as("fewer bytes than Content-Length is the only honest signal").isFalse();
        assertThat(originErrors("reset")).isEqualTo(1);
    }

    @Test
    void aNewConnectionThatClosesUnansweredIs502WithoutARetry() {
        sendGet("/app.js");
        origins.last().close();

        assertThat(clientStatus()).isEqualTo(502);
        assertThat(origins.acquiredNew).as("a new connection that closes is no stale-connection race").isZero();
        assertThat(originErrors("reset")).isEqualTo(1);
    }

    @Test
    void aMalformedAnswerIs502() {
        sendGet("/app.js");
        Link origin = origins.last();
        HttpResponse broken = response(200);
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("invalid header: secret=1")));

        origin.answer(broken);

        assertThat(clientStatus()).isEqualTo(502);
        assertThat(origin.channel.isOpen()).isFalse();
        assertThat(originErrors("protocol")).isEqualTo(1);
    }

    @Test
    void noAnswerWithinTheResponseTimeoutIs504AndTheConnectionIsClosed() {
        client.freezeTime();
        sendGet("/slow.js");
        Link origin = origins.last();

        client.advanceTimeBy(RESPONSE_TIMEOUT.minusSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
        client.runScheduledPendingTasks();
        assertThat(client.outboundMessages()).as("still within the timeout").isEmpty();
        client.advanceTimeBy(1, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();

        assertThat(clientStatus()).isEqualTo(504);
        assertThat(origin.channel.isOpen()).isFalse();
        assertThat(origins.released).isEmpty();
        assertThat(originErrors("timeout")).isEqualTo(1);
    }

    @Test
    void anAnswerInTimeLeavesTheNextRequestItsWholeTimeout() {
        client.freezeTime();
        sendGet("/a.js");
        client.advanceTimeBy(RESPONSE_TIMEOUT.minusSeconds(5).toNanos(), TimeUnit.NANOSECONDS);
        Link first = origins.last();
        first.releaseOutbound();
        first.answer(response(200, "Content-Length", "0"), LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(clientStatus()).isEqualTo(200);

        sendGet("/b.js");
        client.advanceTimeBy(10, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();

        assertThat(client.outboundMessages()).as("the second request has waited 10 s of its 30").isEmpty();
        assertThat(originErrors("timeout")).isZero();
    }

    // --- the retry ----------------------------------------------------------------------------

    @Test
    void aReusedConnectionThatClosesUnansweredSendsTheRequestOnceMoreOnANewOne() {
        origins.reuseNext();
        sendGet("/app.js");
        Link stale = origins.last();
        stale.readRequest();

        stale.close();

        assertThat(origins.acquiredNew).as("not another idle one, likely as stale").isEqualTo(1);
        Link fresh = origins.last();
        assertThat(fresh).isNotSameAs(stale);
        assertThat(fresh.readRequest().uri()).isEqualTo("/base/app.js");
        assertThat(fresh.<Object>readOutbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        fresh.answer(response(200, "Content-Length", "2"), lastContent("ok"));
        assertThat(clientStatus()).isEqualTo(200);
        assertThat(metrics.registry().find("mapgate.origin.retries").counter().count()).isEqualTo(1);
    }

    @Test
    void aRetryIsMadeOnlyOnce() {
        origins.reuseNext();
        origins.reuseNext();
        sendGet("/app.js");
        origins.last().close();

        origins.last().close();

        assertThat(clientStatus()).isEqualTo(502);
        assertThat(origins.acquiredNew).isEqualTo(1);
    }

    @Test
    void noRetryOnceAnyByteOfAnAnswerCame() {
        origins.reuseNext();
        sendGet("/app.js");
        Link origin = origins.last();
        origins.bytesArrived.add(origin.channel);

        origin.close();

        assertThat(clientStatus()).as("the origin may have acted on it").isEqualTo(502);
        assertThat(origins.acquiredNew).isZero();
    }

    @Test
    void noRetryForARequestWithABody() {
        origins.reuseNext();
        HttpRequest put = request(HttpMethod.PUT, "/upload");
        put.headers().set(HttpHeaderNames.CONTENT_LENGTH, 1);
        client.writeInbound(Admissions.admit(put, "/upload"), new DefaultLastHttpContent(bytes("x")));

        origins.last().close();

        assertThat(clientStatus()).isEqualTo(502);
        assertThat(origins.acquiredNew).isZero();
    }

    // --- backpressure ---------------------------------------------------------------------------

    @Test
    void theOriginIsReadOnlyWhileTheClientKeepsUp() {
        Link origin = forwarded("/big.js");
        origin.answer(response(200, "Content-Length", "20"));
        int readsBefore = origin.reads.count();

        client.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        origin.answer(content("0123456789"));
        assertThat(origin.reads.count()).as("the client is full: the origin waits").isEqualTo(readsBefore);

        client.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        client.runPendingTasks();
        assertThat(origin.reads.count()).as("read again once the client drains").isEqualTo(readsBefore + 1);
    }

    @Test
    void theClientsBodyIsReadOnlyOnceThePartBeforeReachedTheOrigin() {
        origins.holdWrites();
        client.writeInbound(post("/upload", 6));
        Link origin = origins.last();
        int readsAfterHead = clientReads.count();

        client.writeInbound(new DefaultHttpContent(bytes("abc")));
        assertThat(clientReads.count()).as("the origin has not taken the part yet").isEqualTo(readsAfterHead);

        origin.heldWrites.completeAll();
        assertThat(clientReads.count()).isEqualTo(readsAfterHead + 1);
    }

    // --- abandoned exchanges -----------------------------------------------------------------------

    @Test
    void aClientBodyThatBreaksMidStreamCutsTheOriginOff() {
        HttpRequest post = request(HttpMethod.POST, "/upload");
        post.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        client.writeInbound(Admissions.admit(post, "/upload"), new DefaultHttpContent(bytes("part")));
        Link origin = origins.last();

        client.pipeline().fireUserEventTriggered(ConnectionEvent.REQUEST_BODY_BROKEN);

        assertThat(origin.channel.isOpen()).as("the origin would wait for the rest").isFalse();
        assertThat(origins.released).isEmpty();
        assertThat(client.outboundMessages()).as("the server answers the broken request, not this handler").isEmpty();
    }

    @Test
    void aBodyThatBreaksWhileConnectingLeavesTheConnectionUnused() {
        Promise<Channel> connection = origins.holdNext(client.eventLoop());
        HttpRequest post = request(HttpMethod.POST, "/upload");
        post.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
        client.writeInbound(Admissions.admit(post, "/upload"));
        client.pipeline().fireUserEventTriggered(ConnectionEvent.REQUEST_BODY_BROKEN);

        Link origin = origins.complete(connection);

        assertThat(origin.channel.outboundMessages()).as("nothing of the broken request goes out").isEmpty();
        assertThat(origins.released).as("parked unused").containsExactly(origin.channel);
    }

    @Test
    void theContentGuardsRefusalStopsTheAnswerAndEndsIt() {
        Link origin = forwarded("/app.js");
        origin.answer(response(200, "Content-Length", "1000"), content("{\"version\":3,"));
        clientReceived();

        client.pipeline().fireUserEventTriggered(ConnectionEvent.RESPONSE_REFUSED);

        assertThat(origin.channel.isOpen()).as("the rest of the map is not read").isFalse();
        assertThat(client.<Object>readOutbound()).as("the end the guard answers in place of the map")
                .isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(origins.released).isEmpty();
    }

    @Test
    void aClientThatLeavesMidExchangeTakesTheOriginConnectionWithIt() {
        Link origin = forwarded("/big.js");
        origin.answer(response(200, "Content-Length", "100"), content("part"));
        clientReceived();

        client.close();

        assertThat(origin.channel.isOpen()).as("its state is unknown, so it cannot be pooled").isFalse();
        assertThat(origins.released).isEmpty();
    }

    private static AdmittedRequest post(String path, int length) {
        HttpRequest post = request(HttpMethod.POST, path);
        post.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        return Admissions.admit(post, path);
    }

    /** What went out on {@code link}, in order: the request line, then each body part; released. */
    private static List<String> sent(Link link) {
        List<String> out = new ArrayList<>();
        Object msg;
        while ((msg = link.readOutbound()) != null) {
            if (msg instanceof HttpRequest r) {
                out.add(r.method() + " " + r.uri());
            }
            if (msg instanceof HttpContent c) {
                out.add((msg instanceof LastHttpContent ? "end:" : "part:") + c.content().toString(StandardCharsets.UTF_8));
            }
            ReferenceCountUtil.release(msg);
        }
        return out;
    }

    /** As the demand handler with a pipelined request decoded and waiting: the next read hands it over. */
    private static final class PipelinedNext extends ChannelOutboundHandlerAdapter {
        private Object next;
        boolean handedOver;

        PipelinedNext(Object next) {
            this.next = next;
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            if (next != null) {
                Object msg = next;
                next = null;
                handedOver = true;
                ctx.fireChannelRead(msg);
                return;
            }
            ctx.read();
        }
    }

    // --- helpers ------------------------------------------------------------------------------------

    private void sendGet(String path) {
        client.writeInbound(admitted(HttpMethod.GET, path), LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** A GET sent and gone out to the origin; what went out is released. */
    private Link forwarded(String path) {
        sendGet(path);
        Link origin = origins.last();
        origin.releaseOutbound();
        return origin;
    }

    private static AdmittedRequest admitted(HttpMethod method, String path) {
        return Admissions.admit(request(method, path), path);
    }

    private static HttpRequest request(HttpMethod method, String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    }

    private static HttpResponse response(int status, String... headerPairs) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        for (int i = 0; i < headerPairs.length; i += 2) {
            response.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return response;
    }

    private static HttpContent content(String text) {
        return new DefaultHttpContent(bytes(text));
    }

    private static LastHttpContent lastContent(String text) {
        return new DefaultLastHttpContent(bytes(text));
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    private static String bodyOf(Object content) {
        try {
            return ((HttpContent) content).content().toString(StandardCharsets.UTF_8);
        } finally {
            ReferenceCountUtil.release(content);
        }
    }

    /** Everything written to the client so far; the messages are released. */
    private List<Object> clientReceived() {
        List<Object> received = new ArrayList<>();
        Object msg;
        while ((msg = client.readOutbound()) != null) {
            received.add(msg);
            ReferenceCountUtil.release(msg);
        }
        return received;
    }

    /** The status of the response written to the client, or {@code null} when none was; the rest is released. */
    private Integer clientStatus() {
        Integer status = null;
        for (Object msg : clientReceived()) {
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
        }
        return status;
    }

    private double originErrors(String kind) {
        return metrics.registry().find("mapgate.origin.errors").tag("kind", kind).counter().count();
    }

    /** Keeps write promises open until the test completes them: an origin slow to take the body. */
    private static final class HeldWrites extends ChannelOutboundHandlerAdapter {
        private final List<ChannelPromise> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ReferenceCountUtil.release(msg);
            if (promise.isVoid()) {
                return;
            }
            held.add(promise);
        }

        void completeAll() {
            List<ChannelPromise> now = new ArrayList<>(held);
            held.clear();
            now.forEach(ChannelPromise::setSuccess);
        }
    }

    /** One origin connection: the channel ProxyHandler writes to, as OriginPool would set it up. */
    private static final class Link {
        final EmbeddedChannel channel;
        final ReadCounter reads = new ReadCounter();
        final HeldWrites heldWrites;

        Link(boolean holdWrites) {
            channel = new EmbeddedChannel();
            channel.config().setAutoRead(false);
            heldWrites = holdWrites ? new HeldWrites() : null;
            if (heldWrites != null) {
                channel.pipeline().addLast(heldWrites);
            }
            channel.pipeline().addLast(reads, new OriginResponseHandler());
        }

        HttpRequest readRequest() {
            Object first = channel.readOutbound();
            assertThat(first).as("the request head, first").isInstanceOf(HttpRequest.class);
            return (HttpRequest) first;
        }

        <T> T readOutbound() {
            return channel.readOutbound();
        }

        void releaseOutbound() {
            channel.releaseOutbound();
        }

        void answer(HttpObject... messages) {
            channel.writeInbound((Object[]) messages);
        }

        void close() {
            channel.close();
            channel.runPendingTasks();
        }
    }

    /** Hands out {@link Link}s; can fail, hold back, or mark the next one as reused. */
    private static final class FakeOrigins implements OriginConnector {
        final List<Link> opened = new ArrayList<>();
        final List<Channel> released = new ArrayList<>();
        final List<Long> releasedIdleNanos = new ArrayList<>();
        final Set<Channel> reused = new HashSet<>();
        final Set<Channel> bytesArrived = new HashSet<>();
        private final WarnThrottle warnings = new WarnThrottle(Duration.ofSeconds(1), System::nanoTime);
        private Throwable failNext;
        private Promise<Channel> holdNext;
        private int reuseNext;
        private boolean holdWrites;
        int acquired;
        int acquiredNew;

        void failNext(Throwable cause) {
            failNext = cause;
        }

        void reuseNext() {
            reuseNext++;
        }

        void holdWrites() {
            holdWrites = true;
        }

        Promise<Channel> holdNext(EventLoop loop) {
            holdNext = loop.newPromise();
            return holdNext;
        }

        Link complete(Promise<Channel> promise) {
            Link link = open();
            promise.setSuccess(link.channel);
            return link;
        }

        Link last() {
            assertThat(opened).as("a connection was asked for").isNotEmpty();
            return opened.get(opened.size() - 1);
        }

        @Override
        public Future<Channel> acquire(EventLoop loop) {
            acquired++;
            return next(loop);
        }

        @Override
        public Future<Channel> acquireNew(EventLoop loop) {
            acquiredNew++;
            return next(loop);
        }

        private Future<Channel> next(EventLoop loop) {
            if (failNext != null) {
                Throwable cause = failNext;
                failNext = null;
                return loop.newFailedFuture(cause);
            }
            if (holdNext != null) {
                Promise<Channel> held = holdNext;
                holdNext = null;
                return held;
            }
            return loop.newSucceededFuture(open().channel);
        }

        private Link open() {
            Link link = new Link(holdWrites);
            if (reuseNext > 0) {
                reuseNext--;
                reused.add(link.channel);
            }
            opened.add(link);
            return link;
        }

        @Override
        public void release(Channel channel, long idleNanos) {
            released.add(channel);
            releasedIdleNanos.add(idleNanos);
        }

        @Override
        public boolean isReused(Channel channel) {
            return reused.contains(channel);
        }

        @Override
        public boolean responseBytesArrived(Channel channel) {
            return bytesArrived.contains(channel);
        }

        @Override
        public String authority() {
            return "origin.internal:8080";
        }

        @Override
        public String basePath() {
            return "/base";
        }

        @Override
        public OriginSettings settings() {
            return new OriginSettings(URI.create("http://origin.internal:8080/base/"), null, Duration.ofSeconds(5),
                    RESPONSE_TIMEOUT, POOL_IDLE, 16, null, false);
        }

        @Override
        public WarnThrottle warnings() {
            return warnings;
        }
    }
}
