package dev.mapgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin pipeline as a whole, bytes in and bytes out, as a client on a socket sees it. */
class AdminPipelineTest {

    private final StubProbes probes = new StubProbes();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        channel = new EmbeddedChannel(false, false, new AdminChannelInitializer(
                new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE), probes,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), Duration.ofSeconds(30), Duration.ofSeconds(3)));
        // As AdminServer sets it on every admin connection.
        channel.config().setAutoRead(false);
        channel.register();
    }

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll()).as("every byte written must have been checked").isFalse();
    }

    private void send(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    /** Everything written to the client so far. */
    private String written() {
        StringBuilder out = new StringBuilder();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; ) {
            out.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void thePipelineHasItsHandlersInOrder() {
        assertThat(channel.pipeline().names()).containsSubsequence(AdminChannelInitializer.IDLE_TIMEOUT,
                AdminChannelInitializer.HTTP_CODEC, AdminChannelInitializer.DEMAND,
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
    void anIdleConnectionIsClosed() {
        channel.freezeTime();
        send("GET /readyz HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(written()).startsWith("HTTP/1.1 200 ");

        channel.advanceTimeBy(29, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        channel.advanceTimeBy(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).as("a silent connection is dropped after 30 s").isFalse();
    }
}
