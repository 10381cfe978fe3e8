package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.config.GateSettings;
import dev.mapgate.config.RequestRules;
import dev.mapgate.exchange.Responses;
import dev.mapgate.gate.ThrottleSettings;
import dev.mapgate.gate.AcceptedHosts;
import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.Check;
import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.PathGlobs;
import dev.mapgate.gate.Token;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The content guard's own states, on an {@link EmbeddedChannel}; the sockets are in ContentGuardIntegrationTest. */
class ContentGuardTest {

    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel(new ContentGuard());
        Exchange exchange = new Exchange(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/events"), 0);
        Exchange.begin(channel, exchange);
        GatePolicy policy = new GatePolicy(PathGlobs.compile(List.of("**/*.map")), EnumSet.of(Check.CREDENTIAL),
                CidrSet.parse(List.of()), new Credentials(List.of(new Token("t", "guard-unit-token-0123456789")), List.of()));
        ThrottleSettings throttle = new ThrottleSettings(true, 10, Duration.ofMinutes(1), Duration.ofMinutes(5), 1000);
        exchange.rules(new RequestRules(new GateSettings(policy, "X-Sentry-Token", "maps", 404, false, throttle, true),
                AcceptedHosts.NONE, ClientAddressResolver.peerOnly()));
        exchange.decision(Decision.pass());
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
        Exchange.current(channel).decision(Decision.allow("t"));
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);

        channel.writeAndFlush(head);

        assertThat((Object) channel.readOutbound()).as("an allowed map goes out as the origin sends it").isSameAs(head);
    }
}
