package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.gate.Decision;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Review of the Mapgate-Site header: only mapgate may name a site. Failed before its fix (commit 0e4f95d). */
class GatedResponseHeadersReviewTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new GatedResponseHeaders("X-Sentry-Token"));

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /**
     * `mapgate verify --site shop` passes on a Mapgate-Site header alone. On a gated path the
     * origin's is removed, but on an ungated one (a map the paths miss, the content guard off, or a
     * map it cannot recognise) the origin's header reaches verify as if mapgate's shop had judged it.
     */
    @Test
    void anOriginsMapgateSiteHeaderIsRemovedOnAnUngatedPathToo() {
        TestExchanges.begin(channel, new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/shop/app.js"),
                "/shop/app.js", Decision.pass("shop"));
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set("Mapgate-Site", "shop");

        channel.writeOutbound(response);
        HttpResponse out = channel.readOutbound();

        assertThat(out.headers().get("Mapgate-Site")).as("no site judged a credential here: the origin's claim")
                .isNull();
    }
}
