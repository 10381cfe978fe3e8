package dev.mapgate.flow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.ReadCounter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The handler between the decoder and mapgate's handlers, on an {@link EmbeddedChannel} with
 * AUTO_READ off as on the listeners. Inbound messages stand in for what the decoder produced; a
 * counter before the handler sees the reads that would reach the socket.
 */
class DemandHandlerTest {

    private final ReadCounter socketReads = new ReadCounter();
    private final Consumer consumer = new Consumer();
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(socketReads, new DemandHandler(), consumer);
    }

    @Test
    void anAskWithNothingWaitingReadsTheSocket() {
        consumer.ask();

        assertThat(socketReads.count()).isEqualTo(1);
        assertThat(consumer.seen).isEmpty();
    }

    @Test
    void pipelinedMessagesDecodedFromOneReadAreHandedOnOnePerAsk() {
        consumer.ask();
        channel.writeInbound("GET /a", "GET /b", "GET /c");

        assertThat(consumer.seen).as("only what was asked for").containsExactly("GET /a");

        int readsBefore = socketReads.count();
        consumer.ask();
        assertThat(consumer.seen).containsExactly("GET /a", "GET /b");
        assertThat(socketReads.count()).as("a waiting message meets the ask without reading the socket")
                .isEqualTo(readsBefore);
        consumer.ask();
        assertThat(consumer.seen).containsExactly("GET /a", "GET /b", "GET /c");
    }

    @Test
    void aReadThatEndsWithoutAMessageAsksTheSocketAgain() {
        consumer.ask();
        int readsBefore = socketReads.count();

        // A read cycle in which the decoder produced nothing: half a request head.
        channel.pipeline().fireChannelReadComplete();

        assertThat(socketReads.count()).as("the ask is still open, so more input is read").isEqualTo(readsBefore + 1);

        channel.writeInbound("GET /a");
        assertThat(consumer.seen).as("the request is handed on the moment it is decoded").containsExactly("GET /a");
    }

    @Test
    void aReadCycleThatMetTheAskDoesNotReadOn() {
        consumer.ask();
        channel.writeInbound("GET /a");
        int readsBefore = socketReads.count();

        channel.pipeline().fireChannelReadComplete();

        assertThat(socketReads.count()).as("nobody asked for more").isEqualTo(readsBefore);
    }

    @Test
    void aConsumerThatAsksAgainFromItsChannelReadGetsTheNextInOrder() {
        consumer.askAgainOnEveryMessage = true;
        channel.writeInbound("body 1", "body 2", "end");

        consumer.ask();

        assertThat(consumer.seen).containsExactly("body 1", "body 2", "end");
    }

    @Test
    void waitingBuffersAreReleasedWhenTheConnectionCloses() {
        ByteBuf waiting = Unpooled.copiedBuffer("GET /b", StandardCharsets.US_ASCII);
        channel.writeInbound(waiting);

        channel.close();

        assertThat(waiting.refCnt()).as("released, not leaked").isZero();
    }

    @Test
    void aBufferThatArrivesAfterTheConnectionEndedIsReleased() {
        // As the decoder's last decode can produce one, after the handlers behind it have seen the end.
        channel.pipeline().fireChannelInactive();
        ByteBuf late = Unpooled.copiedBuffer("GET /late", StandardCharsets.US_ASCII);

        channel.pipeline().fireChannelRead(late);

        assertThat(late.refCnt()).isZero();
        assertThat(consumer.seen).isEmpty();
    }

    @Test
    void waitingBuffersAreReleasedWhenTheHandlerIsRemoved() {
        ByteBuf waiting = Unpooled.copiedBuffer("GET /b", StandardCharsets.US_ASCII);
        channel.writeInbound(waiting);

        channel.pipeline().remove(DemandHandler.class);

        assertThat(waiting.refCnt()).isZero();
        channel.finishAndReleaseAll();
    }

    /** Stands for mapgate's handlers: records what it was handed and asks when told to. */
    private static final class Consumer extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();
        boolean askAgainOnEveryMessage;
        private ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        void ask() {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(msg instanceof ByteBuf buf ? buf.toString(StandardCharsets.US_ASCII) : msg);
            io.netty.util.ReferenceCountUtil.release(msg);
            if (askAgainOnEveryMessage) {
                ctx.read();
            }
        }
    }
}
