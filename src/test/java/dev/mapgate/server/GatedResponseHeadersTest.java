package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.gate.Decision;
import dev.mapgate.gate.DenyReason;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatedResponseHeadersTest {

    private static final String TOKEN_HEADER = "X-Sentry-Token";

    private final EmbeddedChannel channel = new EmbeddedChannel(new GatedResponseHeaders(TOKEN_HEADER));

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll())
                .as("every message written must have been read and checked by the test")
                .isFalse();
    }

    private void beginExchange(Decision decision) {
        TestExchanges.begin(channel,
                new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/assets/app.js.map"), "/assets/app.js.map",
                decision);
    }

    private static HttpResponse response(HttpResponseStatus status, String... headerPairs) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        for (int i = 0; i < headerPairs.length; i += 2) {
            response.headers().add(headerPairs[i], headerPairs[i + 1]);
        }
        return response;
    }

    private HttpResponse sent(HttpResponse response) {
        channel.writeOutbound(response);
        HttpResponse out = channel.readOutbound();
        assertThat(out).as("the response must be passed on").isSameAs(response);
        return out;
    }

    @Test
    void anAllowedGatedResponseIsMadeUncacheableByEveryCache() {
        beginExchange(Decision.allow("sentry"));

        HttpResponse out = sent(response(HttpResponseStatus.OK,
                "Cache-Control", "public, max-age=31536000, immutable",
                "Expires", "Thu, 01 Jan 2099 00:00:00 GMT",
                "Surrogate-Control", "max-age=3600",
                "CDN-Cache-Control", "max-age=3600",
                "Cloudflare-CDN-Cache-Control", "max-age=3600",
                "Edge-Control", "cache-maxage=3600",
                "Pragma", "cache",
                "ETag", "\"abc\""));

        assertThat(out.headers().getAll(HttpHeaderNames.CACHE_CONTROL)).containsExactly("private, no-store");
        assertThat(out.headers().names())
                .as("any of these would let a CDN store Sentry's copy for everyone")
                .doesNotContain("Expires", "Surrogate-Control", "CDN-Cache-Control", "Cloudflare-CDN-Cache-Control",
                        "Edge-Control", "Pragma");
        assertThat(out.headers().get(HttpHeaderNames.ETAG)).as("validators are not caching directives").isEqualTo("\"abc\"");
        assertThat(out.headers().get(HttpHeaderNames.VARY)).isEqualTo(TOKEN_HEADER + ", Authorization");
    }

    @Test
    void aDenialOnAGatedPathIsUncacheableToo() {
        beginExchange(Decision.deny(DenyReason.NO_CREDENTIAL, null));

        HttpResponse out = sent(response(HttpResponseStatus.NOT_FOUND, "Cache-Control", "max-age=60"));

        assertThat(out.headers().get(HttpHeaderNames.CACHE_CONTROL))
                .as("a cached denial would lock Sentry out")
                .isEqualTo("private, no-store");
        assertThat(out.headers().get(HttpHeaderNames.VARY)).isEqualTo(TOKEN_HEADER + ", Authorization");
    }

    @Test
    void varyKeepsTheOriginsValuesAndAddsTheCredentialHeadersOnceIgnoringCase() {
        beginExchange(Decision.allow("sentry"));

        HttpResponse out = sent(response(HttpResponseStatus.OK,
                "Vary", "Accept-Encoding, authorization",
                "Vary", "Origin,  accept-encoding ,x-sentry-token"));

        assertThat(out.headers().getAll(HttpHeaderNames.VARY))
                .as("one merged Vary header; names already present in any case are not repeated")
                .containsExactly("Accept-Encoding, authorization, Origin, x-sentry-token");
    }

    @Test
    void varyStarStaysAStar() {
        beginExchange(Decision.allow("sentry"));

        HttpResponse out = sent(response(HttpResponseStatus.OK, "Vary", "Accept-Encoding", "Vary", "*"));

        assertThat(out.headers().getAll(HttpHeaderNames.VARY))
                .as("'*' already varies on everything; adding names to it would make the header invalid")
                .containsExactly("*");
    }

    @Test
    void aResponseOnAPassPathIsLeftExactlyAsTheOriginSentIt() {
        beginExchange(Decision.pass());

        HttpResponse out = sent(response(HttpResponseStatus.OK,
                "Cache-Control", "public, max-age=31536000, immutable",
                "Expires", "Thu, 01 Jan 2099 00:00:00 GMT",
                "Pragma", "cache",
                "Vary", "Accept-Encoding"));

        assertThat(out.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("public, max-age=31536000, immutable");
        assertThat(out.headers().get(HttpHeaderNames.EXPIRES)).isEqualTo("Thu, 01 Jan 2099 00:00:00 GMT");
        assertThat(out.headers().get(HttpHeaderNames.PRAGMA)).isEqualTo("cache");
        assertThat(out.headers().getAll(HttpHeaderNames.VARY)).containsExactly("Accept-Encoding");
        assertThat(out.headers().size()).isEqualTo(4);
    }

    @Test
    void aResponseWithoutAnExchangeOrDecisionIsLeftAlone() {
        HttpResponse noExchange = sent(response(HttpResponseStatus.BAD_REQUEST, "Cache-Control", "max-age=5"));
        assertThat(noExchange.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("max-age=5");

        beginExchange(null);
        HttpResponse undecided = sent(response(HttpResponseStatus.BAD_REQUEST, "Cache-Control", "max-age=5"));
        assertThat(undecided.headers().get(HttpHeaderNames.CACHE_CONTROL))
                .as("a request rejected before the gate decided (e.g. a bad target) is not known to be gated")
                .isEqualTo("max-age=5");
        assertThat(undecided.headers().contains(HttpHeaderNames.VARY)).isFalse();
    }

    @Test
    void aHundredContinueOnAGatedPathIsUntouched() {
        beginExchange(Decision.allow("sentry"));

        HttpResponse out = sent(response(HttpResponseStatus.CONTINUE));

        assertThat(out.headers().isEmpty())
                .as("an interim response carries no caching semantics; the final response gets the headers")
                .isTrue();
    }
}
