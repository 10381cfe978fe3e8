package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.exchange.Admissions;
import dev.mapgate.exchange.AdmittedRequest;
import dev.mapgate.exchange.Responses;
import dev.mapgate.exchange.Verdict;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.RequestTarget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The content guard's own states, on an {@link EmbeddedChannel}; the sockets are in ContentGuardIntegrationTest. */
class ContentGuardTest {

    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel(new ContentGuard());
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/events");
        Exchange.slot(channel).set(new Exchange(request, 0));
        // The guard learns the gate's verdict from the admitted request on its way to the origin.
        channel.writeInbound(Admissions.admit(request, "/api/events"));
        assertThat((Object) channel.readInbound()).isInstanceOf(AdmittedRequest.class);
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Test
    void anotherAnswerWrittenWhileAResponseIsHeldReplacesIt() {
        // The origin began an answer that could still become a map; then ExchangeHandler answers a
        // broken request body itself. Only that answer may leave, and whole.
        ByteBuf start = Unpooled.copiedBuffer("{\"version\":3,\"fi", StandardCharsets.US_ASCII);
        channel.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        channel.write(new DefaultHttpContent(start));
        FullHttpResponse badRequest = Responses.plain(channel.alloc(), HttpResponseStatus.BAD_REQUEST, false);
        channel.writeAndFlush(badRequest);

        Object out = channel.readOutbound();
        assertThat(out).as("the 400 alone goes out").isSameAs(badRequest);
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(start.refCnt()).as("the held start of the origin's answer is released").isZero();
        badRequest.release();
    }

    @Test
    void aBrowsersUsualOfferIsLeftAsItIsAndOthersLoseWhatTheGuardCannotRead() {
        String browser = "gzip, deflate, br, zstd";

        assertThat(ContentGuard.readableCodings(browser)).isSameAs(browser);
        assertThat(ContentGuard.readableCodings("dcb, br;q=1.0, zstd, compress, gzip;q=0.5, *"))
                .isEqualTo("br;q=1.0, zstd, gzip;q=0.5");
        assertThat(ContentGuard.readableCodings("gzip, dcz")).isEqualTo("gzip");
        assertThat(ContentGuard.readableCodings("dcz")).isEmpty();
        assertThat(ContentGuard.readableCodings("identity;q=1")).isEqualTo("identity;q=1");
    }

    @Test
    void aResponseOnAGatedPathIsNotHeld() {
        HttpRequest map = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/app.js.map");
        channel.writeInbound(new AdmittedRequest(map, new Verdict(Admissions.RULES,
                ClientAddress.untrustedPeer(InetAddress.getLoopbackAddress()),
                new RequestTarget("/app.js.map", "/app.js.map", null, null), Decision.allow("t"))));
        channel.readInbound();
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);

        channel.writeAndFlush(head);

        assertThat((Object) channel.readOutbound()).as("an allowed map goes out as the origin sends it").isSameAs(head);
    }
}
