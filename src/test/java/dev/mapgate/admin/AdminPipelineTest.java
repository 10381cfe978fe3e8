package dev.mapgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin pipeline as a whole, bytes in and bytes out, as a client on a socket sees it. */
class AdminPipelineTest {

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(3);

    private final StubProbes probes = new StubProbes();
    private final Metrics metrics = Metrics.inMemory();
    private final List<EmbeddedChannel> opened = new ArrayList<>();
    /** One clock for every connection of a test, moved only by {@link #advance}. */
    private final MockTicker clock = Ticker.newMockTicker();
    private AdminChannelInitializer initializer;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        initializer = initializer(AdminLimits.DEFAULTS.maxConnections(), HEALTH_TIMEOUT);
        channel = connect();
    }

    private AdminChannelInitializer initializer(int maxConnections, Duration healthTimeout) {
        AdminLimits defaults = AdminLimits.DEFAULTS;
        return new AdminChannelInitializer(new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE), probes, metrics,
                new AdminLimits(defaults.headerTimeout(), defaults.idleTimeout(), maxConnections).at("127.0.0.1", 0),
                healthTimeout);
    }

    /** A new admin connection through {@link #initializer}, as the listener accepts one. */
    private EmbeddedChannel connect() {
        EmbeddedChannel ch = EmbeddedChannel.builder().register(false).ticker(clock).handlers(initializer).build();
        // As AdminServer sets it on every admin connection.
        ch.config().setAutoRead(false);
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        opened.add(ch);
        return ch;
    }

    @AfterEach
    void tearDown() {
        for (EmbeddedChannel ch : opened) {
            assertThat(ch.finishAndReleaseAll()).as("every byte written must have been checked").isFalse();
        }
    }

    private void send(String bytes) {
        send(channel, bytes);
    }

    private static void send(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    /** Everything written to the client so far. */
    private String written() {
        return written(channel);
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf; (buf = ch.readOutbound()) != null; ) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    /** Moves every connection's clock on, and runs what fell due. */
    private void advance(Duration by) {
        clock.advance(by.toNanos(), TimeUnit.NANOSECONDS);
        opened.forEach(EmbeddedChannel::runScheduledPendingTasks);
    }

    private double overLimit(String closed) {
        return metrics.registry().get("mapgate.admin.connections.over.limit").tag("closed", closed).counter().count();
    }

    @Test
    void thePipelineHasItsHandlersInOrder() {
        assertThat(channel.pipeline().names()).containsSubsequence(AdminChannelInitializer.REQUEST_BYTES,
                AdminChannelInitializer.IDLE_TIMEOUT, AdminChannelInitializer.HTTP_CODEC,
                AdminChannelInitializer.WAITS, AdminChannelInitializer.DEMAND,
                AdminChannelInitializer.BODY_REFUSAL, AdminChannelInitializer.ENDPOINTS);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstWaitsForItsProbe() {
        probes.loops = new CompletableFuture<>();
        send("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /readyz HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(written()).as("/readyz must not overtake the /healthz still waiting").isEmpty();

        probes.loops.complete(true);
        channel.runPendingTasks();

        String out = written();
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\n\r\nok\n");
        assertThat(out.indexOf("ok\n")).as("answers leave in request order").isLessThan(out.indexOf("ready\n"));
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void headGetsHeadersOnlyOnTheWire() {
        send("HEAD /readyz HTTP/1.1\r\nHost: a\r\n\r\n");

        String out = written();
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 6\r\n")
                .as("nothing may follow the header section of a HEAD response").endsWith("\r\n\r\n");
    }

    @Test
    void aBodyOnTheWireIsRefusedAndTheConnectionClosed() {
        send("POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
                + "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n");

        String out = written();
        assertThat(out).startsWith("HTTP/1.1 413 ").contains("connection: close\r\n");
        assertThat(out).as("nothing after the body is answered").doesNotContain("HTTP/1.1 200");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aRequestLineOverTheLimitIsRefused() {
        send("GET /metrics?" + "x".repeat(AdminChannelInitializer.MAX_INITIAL_LINE) + " HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat(written()).startsWith("HTTP/1.1 414 ");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void headersOverTheLimitAreRefused() {
        send("GET /metrics HTTP/1.1\r\nHost: a\r\nX-Filler: " + "x".repeat(AdminChannelInitializer.MAX_HEADER_SIZE)
                + "\r\n\r\n");

        assertThat(written()).startsWith("HTTP/1.1 431 ");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void somethingThatIsNotHttpIsRefused() {
        send("\u0016\u0003\u0001\u0000\u00a5 not http at all\r\n\r\n");

        assertThat(written()).startsWith("HTTP/1.1 400 ");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aKeptAliveConnectionWithNoRequestIsClosedAfterTheIdleTimeout() {
        send("GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(written()).startsWith("HTTP/1.1 200 ");

        advance(AdminLimits.DEFAULTS.idleTimeout().minusMillis(1));
        assertThat(channel.isOpen()).as("a scraper may wait up to admin.idle-timeout between scrapes").isTrue();
        advance(Duration.ofMillis(1));

        assertThat(channel.isOpen()).as("a silent kept-alive connection is dropped at admin.idle-timeout").isFalse();
    }

    @Test
    void aNewConnectionThatSendsNoWholeHeadWithinTheHeaderTimeoutIsClosedUnanswered() {
        Duration headerTimeout = AdminLimits.DEFAULTS.headerTimeout();
        send("GET /heal");
        advance(headerTimeout.minusSeconds(1));
        send("thz HTTP/1.1\r\n");
        advance(Duration.ofMillis(999));
        assertThat(channel.isOpen()).isTrue();

        advance(Duration.ofMillis(1));

        assertThat(channel.isOpen()).as("the clock runs from the accept, whatever arrives meanwhile").isFalse();
        assertThat(written()).isEmpty();
    }

    @Test
    void onAKeptAliveConnectionTheHeaderClockStartsAtTheRequestsFirstByte() {
        Duration headerTimeout = AdminLimits.DEFAULTS.headerTimeout();
        send("GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(written()).startsWith("HTTP/1.1 200 ");
        advance(Duration.ofMinutes(1));

        send("GET /rea");
        advance(headerTimeout.minusMillis(1));
        assertThat(channel.isOpen()).isTrue();
        advance(Duration.ofMillis(1));

        assertThat(channel.isOpen()).as("a head begun must be complete within admin.header-timeout").isFalse();
    }

    @Test
    void aWholeHeadInTimeIsAnsweredAndTheConnectionKept() {
        send("GET /readyz HTTP/1.1\r\n");
        advance(AdminLimits.DEFAULTS.headerTimeout().minusMillis(1));
        send("Host: a\r\n\r\n");

        assertThat(written()).startsWith("HTTP/1.1 200 ");
        advance(Duration.ofMinutes(5));
        assertThat(channel.isOpen()).as("answered, it waits for the next request under admin.idle-timeout").isTrue();
    }

    @Test
    void aConnectionOwedAnAnswerThatGoesSilentIsClosedOnlyAfterTheAnswerIdleTime() {
        initializer = initializer(AdminLimits.DEFAULTS.maxConnections(), Duration.ofMinutes(1));
        EmbeddedChannel waiting = connect();
        probes.loops = new CompletableFuture<>();
        send(waiting, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");

        advance(AdminChannelInitializer.ANSWER_IDLE.minusMillis(1));
        assertThat(waiting.isOpen()).as("the header timeout does not apply while an answer is owed").isTrue();
        advance(Duration.ofMillis(1));

        assertThat(waiting.isOpen()).isFalse();
    }

    @Test
    void whenTheListenerIsFullTheConnectionSilentLongestMakesRoomForANewOne() {
        initializer = initializer(2, HEALTH_TIMEOUT);
        EmbeddedChannel kept = connect();
        send(kept, "GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(written(kept)).startsWith("HTTP/1.1 200 ");
        EmbeddedChannel slow = connect();
        send(slow, "GET /hea");

        EmbeddedChannel probe = connect();
        send(probe, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat(slow.isOpen()).as("part-way through a head: the first to give way").isFalse();
        assertThat(kept.isOpen()).as("a kept-alive scraper outlasts a slow sender").isTrue();
        assertThat(written(probe)).startsWith("HTTP/1.1 200 ").endsWith("ok\n");
        assertThat(overLimit("oldest-waiting")).isEqualTo(1);
        assertThat(written(slow)).isEmpty();
    }

    @Test
    void aConnectionBeingAnsweredNeverMakesRoomSoTheNewOneIsClosed() {
        initializer = initializer(1, HEALTH_TIMEOUT);
        EmbeddedChannel answering = connect();
        probes.loops = new CompletableFuture<>();
        send(answering, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");

        EmbeddedChannel refused = connect();
        probes.loops.complete(true);
        answering.runPendingTasks();

        assertThat(refused.isOpen()).isFalse();
        assertThat(overLimit("new")).isEqualTo(1);
        assertThat(written(answering)).as("the answer in progress is not cut off").endsWith("ok\n");
        assertThat(answering.isOpen()).isTrue();
    }

    @Test
    void theOpenConnectionsAreAGauge() {
        connect();
        EmbeddedChannel closing = connect();
        closing.close();

        assertThat(metrics.registry().get("mapgate.admin.connections").gauge().value())
                .as("this test's first connection and one more still open").isEqualTo(2);
    }
}
