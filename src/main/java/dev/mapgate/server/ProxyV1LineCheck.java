package dev.mapgate.server;

import dev.mapgate.gate.ProxyV1Line;
import dev.mapgate.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a trusted peer's PROXY v1 line back from Netty's decoder until {@link ProxyV1Line} has
 * found it spelled exactly per specification, and refuses it as any bad header is refused
 * otherwise. Anything that does not start as a v1 line (a v2 header, or no header at all) is left
 * to the decoder. Either way this handler leaves the pipeline, handing on every byte it holds.
 */
final class ProxyV1LineCheck extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyV1LineCheck.class);

    private final Metrics metrics;
    /** Bytes that arrive between the refusal and the close speak for nobody; they are dropped. */
    private boolean refused;

    ProxyV1LineCheck(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        switch (ProxyHeaderPrefix.classifyV1(in)) {
            // Removing a ByteToMessageDecoder hands what it has buffered to the decoder behind it.
            case PLAIN -> ctx.pipeline().remove(this);
            case PROXY -> checkLine(ctx, in);
            // Nothing decoded, so ByteToMessageDecoder asks for the next read itself.
            case UNDECIDED -> { }
        }
    }

    private void checkLine(ChannelHandlerContext ctx, ByteBuf in) {
        int end = crlf(in);
        if (end < 0) {
            if (in.readableBytes() >= ProxyV1Line.MAX_BYTES) {
                refuse(ctx, in, ProxyV1Line.Problem.TOO_LONG);
            }
            return;
        }
        // ISO-8859-1 keeps one character per byte, so a byte outside ASCII stays visible as one.
        String line = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
        Optional<ProxyV1Line.Problem> problem = ProxyV1Line.check(line);
        if (problem.isPresent()) {
            refuse(ctx, in, problem.get());
        } else {
            ctx.pipeline().remove(this);
        }
    }

    /** Where the first CRLF starts within the longest line allowed, as Netty's decoder finds it; or -1. */
    private static int crlf(ByteBuf in) {
        int start = in.readerIndex();
        int last = start + Math.min(in.readableBytes(), ProxyV1Line.MAX_BYTES) - 1;
        for (int i = start; i < last; i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, ProxyV1Line.Problem problem) {
        refused = true;
        LOG.debug("event=proxy-header-refused reason=invalid peer={} problem=v1-{}", ctx.channel().remoteAddress(),
                problem.label());
        metrics.proxyHeaderRefused();
        in.skipBytes(in.readableBytes());
        ctx.close();
    }
}
