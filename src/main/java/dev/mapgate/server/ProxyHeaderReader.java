package dev.mapgate.server;

import dev.mapgate.metrics.Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the PROXY header that Netty's {@code HAProxyMessageDecoder} decoded from a trusted peer
 * and records its source address as the connection's peer, then leaves the pipeline. A header
 * that does not decode (or its absence) has already made the decoder close the connection.
 */
final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyHeaderReader.class);

    private final Metrics metrics;
    /** The decoder reports a bad header again when the close it made runs its last decode. */
    private boolean refused;

    ProxyHeaderReader(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (refused) {
            // The close the decoder made runs its last decode over the rest of the input, which
            // may hold a valid header; it speaks for nobody now. Staying in the pipeline also
            // keeps the decoder's next failure here rather than at the end of the pipeline.
            header.release();
            return;
        }
        try {
            InetSocketAddress source = source(header);
            if (source != null) {
                ConnectionPeer.proxiedSource(ctx.channel(), source);
            } else {
                ConnectionPeer.proxiedWithoutSource(ctx.channel());
            }
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
        // The header may have been all that arrived; the HTTP side's read request was used up
        // on it, so ask for the request itself. An extra read is harmless if it was there too.
        ctx.read();
    }

    /**
     * The client's address, or {@code null} when the header gives none: a LOCAL header (the
     * balancer's own health check) or an UNKNOWN or UNIX source.
     */
    private static InetSocketAddress source(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return null;
        }
        HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
        if (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return null;
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(header.sourceAddress());
        if (bytes == null) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), header.sourcePort());
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Only the decoder's errors come this way, each wrapped in a DecoderException: besides
        // HAProxyProtocolException, a v2 TLV longer than the header can surface as an
        // IndexOutOfBoundsException. Either way the header is bad.
        if (cause instanceof DecoderException) {
            if (refused) {
                return;
            }
            refused = true;
            LOG.debug("event=proxy-header-refused reason=invalid peer={} cause=\"{}\"", ctx.channel().remoteAddress(),
                    cause.getMessage());
            metrics.proxyHeaderRefused();
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
