package dev.mapgate.server;

import dev.mapgate.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With PROXY protocol on, a peer outside client-ip.trusted-proxies could otherwise pick its own
 * address by sending a PROXY header: such a connection is closed unanswered. A plain HTTP
 * connection passes untouched, and this handler leaves the pipeline once it has seen enough.
 */
final class UntrustedProxyHeaderGuard extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(UntrustedProxyHeaderGuard.class);

    private final Metrics metrics;

    UntrustedProxyHeaderGuard(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (ProxyHeaderPrefix.classify(in)) {
            case PROXY -> {
                LOG.debug("event=proxy-header-refused reason=untrusted-peer peer={}", ctx.channel().remoteAddress());
                metrics.proxyHeaderRefused();
                in.skipBytes(in.readableBytes());
                ctx.close();
            }
            // Removing a ByteToMessageDecoder hands what it has buffered to the next handler.
            case PLAIN -> ctx.pipeline().remove(this);
            // Nothing decoded, so ByteToMessageDecoder asks for the next read itself.
            case UNDECIDED -> { }
        }
    }
}
