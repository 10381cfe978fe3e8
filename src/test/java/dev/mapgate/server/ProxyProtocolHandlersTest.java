package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.metrics.Metrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The two PROXY-protocol handlers on an embedded channel: trusted peers and untrusted ones. */
class ProxyProtocolHandlersTest {

    private static final InetSocketAddress BALANCER = new InetSocketAddress("10.0.0.5", 40000);
    private static final String REQUEST = "GET /app.js HTTP/1.1\r\nHost: cdn.example\r\n\r\n";

    private final Metrics metrics = Metrics.inMemory();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void closeChannels() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    @Test
    void aV1HeaderFromATrustedPeerBecomesTheConnectionsPeerAndTheRequestBytesFollowIntact() {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii("PROXY TCP4 203.0.113.7 10.0.0.9 51000 8080\r\n" + REQUEST));

        assertThat(ConnectionPeer.of(channel)).isEqualTo(new InetSocketAddress("203.0.113.7", 51000));
        assertThat(readAll(channel)).as("the request after the header reaches the HTTP codec untouched")
                .isEqualTo(REQUEST);
        assertThat(channel.pipeline().get(HAProxyMessageDecoder.class)).as("the decoder is done after one header").isNull();
        assertThat(channel.pipeline().get(ProxyHeaderReader.class)).isNull();
        assertThat(channel.pipeline().get(ProxyV1LineCheck.class)).isNull();
    }

    @Test
    void aV2HeaderSplitAcrossReadsIsAssembledBeforeTheRequest() {
        EmbeddedChannel channel = trusted();
        byte[] header = v2Proxy(new byte[] {(byte) 198, 51, 100, 23}, new byte[] {10, 0, 0, 9}, 44321, 8080);

        channel.writeInbound(Unpooled.wrappedBuffer(header, 0, 5));
        assertThat(readAll(channel)).as("nothing is passed on while the header is incomplete").isEmpty();
        channel.writeInbound(Unpooled.wrappedBuffer(header, 5, header.length - 5));
        channel.writeInbound(ascii(REQUEST));

        assertThat(ConnectionPeer.of(channel)).isEqualTo(new InetSocketAddress("198.51.100.23", 44321));
        assertThat(readAll(channel)).isEqualTo(REQUEST);
    }

    @Test
    void aV2LocalHeaderNamesNoSourceSoTheConnectionIsMarkedAsHavingNone() {
        EmbeddedChannel channel = trusted();
        byte[] local = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00};

        channel.writeInbound(Unpooled.wrappedBuffer(local), ascii(REQUEST));

        assertThat(ConnectionPeer.of(channel)).as("a health check has no client of its own").isEqualTo(BALANCER);
        assertThat(ConnectionPeer.isProxiedWithoutSource(channel))
                .as("headers after it were written by nobody the balancer vouches for").isTrue();
        assertThat(readAll(channel)).isEqualTo(REQUEST);
    }

    @Test
    void aV1UnknownHeaderIsMarkedAsHavingNoSourceToo() {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii("PROXY UNKNOWN\r\n" + REQUEST));

        assertThat(ConnectionPeer.isProxiedWithoutSource(channel)).isTrue();
        assertThat(readAll(channel)).isEqualTo(REQUEST);
    }

    @Test
    void aHeaderWithASourceDoesNotMarkTheConnection() {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii("PROXY TCP6 2001:db8::7 2001:db8::1 51000 443\r\n"));

        assertThat(ConnectionPeer.of(channel)).isEqualTo(new InetSocketAddress("2001:db8::7", 51000));
        assertThat(ConnectionPeer.isProxiedWithoutSource(channel)).isFalse();
    }

    @Test
    void withAutoReadOffAHeaderThatArrivesAloneAsksForTheRequestSoTheConnectionDoesNotStall() throws Exception {
        List<String> reads = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(false, false, new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void read(io.netty.channel.ChannelHandlerContext ctx) {
                reads.add("read");
                ctx.read();
            }
        }, new ProxyV1LineCheck(metrics), new HAProxyMessageDecoder(), new ProxyHeaderReader(metrics)) {
            @Override
            protected SocketAddress remoteAddress0() {
                return BALANCER;
            }
        };
        channels.add(channel);
        channel.config().setAutoRead(false);
        channel.register();

        channel.writeInbound(ascii("PROXY TCP4 203.0.113.7 10.0.0.9 51000 8080\r\n"));

        assertThat(reads).as("the HTTP side's read was spent on the header; a new one is asked for").hasSize(1);
        assertThat(ConnectionPeer.of(channel)).isEqualTo(new InetSocketAddress("203.0.113.7", 51000));
    }

    @Test
    void aTrustedPeerThatSendsNoHeaderIsCutOffAndCounted() {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii(REQUEST));

        assertThat(channel.isOpen()).as("the balancer is configured wrong; nothing may be guessed").isFalse();
        assertThat(readAll(channel)).isEmpty();
        assertThat(refused()).isEqualTo(1.0);
    }

    @Test
    void aMalformedV1HeaderFromATrustedPeerClosesTheConnection() {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii("PROXY TCP4 203.0.113.999 10.0.0.9 1 2\r\n" + REQUEST));

        assertThat(channel.isOpen()).isFalse();
        assertThat(ConnectionPeer.of(channel)).isEqualTo(BALANCER);
        assertThat(refused()).isEqualTo(1.0);
    }

    /** The first group Netty 4.2.18 reads as well-formed; the rest it refuses too, and must go on being refused. */
    @ParameterizedTest
    @ValueSource(strings = {
            "PROXY TCP4 203.0.113.7 10.0.0.9 51000 8080 ",
            "PROXY TCP4 203.0.113.7 10.0.0.9 51000 8080   ",
            "PROXY TCP4 203.0.113.7 10.0.0.9 051000 8080",
            "PROXY TCP4 203.0.113.7 10.0.0.9 51000 08080",
            "PROXY TCP4 203.0.113.7 10.0.0.9 +51000 8080",
            "PROXY TCP4 203.0.113.07 10.0.0.9 51000 8080",
            "PROXY TCP4 203.0.113.7 010.0.0.9 51000 8080",
            "PROXY TCP6 2001:db8::7 2001:db8::1 51000 443 ",
            "PROXY TCP6 [2001:db8::7] 2001:db8::1 51000 443",
            "PROXY TCP6 fe80::7%eth0 2001:db8::1 51000 443",
            "PROXY TCP6 ::ffff:203.0.113.07 2001:db8::1 51000 443",
            "PROXY UNKNOWN xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "PROXY TCP4 203.0.113.7  10.0.0.9 51000 8080",
            "PROXY\tTCP4 203.0.113.7 10.0.0.9 51000 8080",
            "PROXY TCP4 203.0.113.7 10.0.0.9 51000 8080\t",
            "PROXY tcp4 203.0.113.7 10.0.0.9 51000 8080",
            "PROXY TCP4 2001:db8::7 10.0.0.9 51000 8080",
            "PROXY TCP4 203.0.113.7 10.0.0.9 65536 8080",
            "PROXY TCP4 203.0.113.7 10.0.0.9 51000 8080 extra"})
    void aV1LineNotSpelledExactlyAsTheSpecificationSaysIsRefusedOnceAndItsAddressNeverTaken(String line) {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii(line + "\r\n" + REQUEST));

        assertThat(channel.isOpen()).as("closed after %s", line).isFalse();
        assertThat(ConnectionPeer.of(channel)).isEqualTo(BALANCER);
        assertThat(ConnectionPeer.isProxiedWithoutSource(channel)).isFalse();
        assertThat(readAll(channel)).as("nothing reaches the HTTP side").isEmpty();
        assertThat(refused()).as("counted once, not again by the decoder").isEqualTo(1.0);
    }

    @Test
    void aV1UnknownLineMayCarryAnythingUpToItsCrlf() {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii("PROXY UNKNOWN 203.0.113.7  \t\r anything\r\n" + REQUEST));

        assertThat(channel.isOpen()).isTrue();
        assertThat(ConnectionPeer.isProxiedWithoutSource(channel)).isTrue();
        assertThat(readAll(channel)).isEqualTo(REQUEST);
        assertThat(refused()).isZero();
    }

    @Test
    void aV1LineArrivingByteByByteIsCheckedOnceItIsWhole() {
        EmbeddedChannel channel = trusted();
        String line = "PROXY TCP4 203.0.113.7 10.0.0.9 51000 8080\r\n";

        for (char c : line.toCharArray()) {
            channel.writeInbound(ascii(String.valueOf(c)));
            assertThat(channel.isOpen()).isTrue();
        }
        channel.writeInbound(ascii(REQUEST));

        assertThat(ConnectionPeer.of(channel)).isEqualTo(new InetSocketAddress("203.0.113.7", 51000));
        assertThat(readAll(channel)).isEqualTo(REQUEST);
    }

    @Test
    void aSpaceBeforeTheCrlfIsRefusedEvenWhenTheCrlfComesInALaterRead() {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii("PROXY TCP4 203.0.113.7 10.0.0.9 51000 8080 "));
        assertThat(channel.isOpen()).as("the line may still be anything").isTrue();
        channel.writeInbound(ascii("\r\n" + REQUEST));

        assertThat(channel.isOpen()).isFalse();
        assertThat(ConnectionPeer.of(channel)).isEqualTo(BALANCER);
        assertThat(refused()).isEqualTo(1.0);
    }

    @Test
    void aV1LineWithoutACrlfInItsFirst107BytesIsRefusedWithoutWaitingForMore() {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii("PROXY UNKNOWN " + "x".repeat(93)));

        assertThat(channel.isOpen()).isFalse();
        assertThat(refused()).isEqualTo(1.0);
    }

    @Test
    void bytesArrivingAfterARefusalAreDroppedAndCountedNoFurther() {
        EmbeddedChannel channel = trusted();

        channel.writeInbound(ascii("PROXY TCP4 203.0.113.7 10.0.0.9 51000 +8080\r\n"), ascii(REQUEST),
                ascii("PROXY TCP4 203.0.113.7 10.0.0.9 51000 8080\r\n"));

        assertThat(readAll(channel)).isEmpty();
        assertThat(ConnectionPeer.of(channel)).isEqualTo(BALANCER);
        assertThat(refused()).isEqualTo(1.0);
    }

    @Test
    void anUntrustedPeerSendingAV1HeaderIsClosedWithoutItsAddressBeingTaken() {
        EmbeddedChannel channel = untrusted();

        channel.writeInbound(ascii("PROXY TCP4 35.184.238.160 10.0.0.9 51000 8080\r\n" + REQUEST));

        assertThat(channel.isOpen()).isFalse();
        assertThat(ConnectionPeer.of(channel)).as("the claimed Sentry address is never recorded").isEqualTo(BALANCER);
        assertThat(readAll(channel)).isEmpty();
        assertThat(refused()).isEqualTo(1.0);
    }

    @Test
    void anUntrustedPeerSendingAV2SignatureByteByByteIsClosedOnceItIsComplete() {
        EmbeddedChannel channel = untrusted();
        byte[] header = v2Proxy(new byte[] {35, (byte) 184, (byte) 238, (byte) 160}, new byte[] {10, 0, 0, 9}, 1, 2);

        for (int i = 0; i < 11; i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(header, i, 1));
            assertThat(channel.isOpen()).isTrue();
        }
        channel.writeInbound(Unpooled.wrappedBuffer(header, 11, header.length - 11));

        assertThat(channel.isOpen()).isFalse();
        assertThat(readAll(channel)).isEmpty();
    }

    @Test
    void anUntrustedPeerSpeakingPlainHttpIsServedUnderItsOwnAddress() {
        EmbeddedChannel channel = untrusted();

        channel.writeInbound(ascii("G"), ascii(REQUEST.substring(1)));

        assertThat(channel.isOpen()).isTrue();
        assertThat(readAll(channel)).isEqualTo(REQUEST);
        assertThat(channel.pipeline().get(UntrustedProxyHeaderGuard.class)).as("out of the way after the first byte").isNull();
        assertThat(ConnectionPeer.of(channel)).isEqualTo(BALANCER);
        assertThat(refused()).isZero();
    }

    private EmbeddedChannel trusted() {
        // As ClientChannelInitializer adds them for a trusted peer.
        return channel(new ProxyV1LineCheck(metrics), new HAProxyMessageDecoder(), new ProxyHeaderReader(metrics));
    }

    private EmbeddedChannel untrusted() {
        return channel(new UntrustedProxyHeaderGuard(metrics));
    }

    private EmbeddedChannel channel(io.netty.channel.ChannelHandler... handlers) {
        EmbeddedChannel channel = new EmbeddedChannel(handlers) {
            @Override
            protected SocketAddress remoteAddress0() {
                return BALANCER;
            }
        };
        channels.add(channel);
        return channel;
    }

    private double refused() {
        return metrics.registry().get("mapgate.proxy.protocol.refused").counter().count();
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String readAll(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }

    /** A PROXY v2 header for TCP over IPv4. */
    static byte[] v2Proxy(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        ByteBuf b = Unpooled.buffer();
        b.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.writeByte(0x21); // version 2, PROXY
        b.writeByte(0x11); // AF_INET, STREAM
        b.writeShort(12);
        b.writeBytes(source).writeBytes(destination).writeShort(sourcePort).writeShort(destinationPort);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        return bytes;
    }
}
