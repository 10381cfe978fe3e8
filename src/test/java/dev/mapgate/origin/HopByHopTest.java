package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HopByHopTest {

    private static HttpHeaders headers(String... pairs) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.add(pairs[i], pairs[i + 1]);
        }
        return headers;
    }

    private static Set<String> namesAfterStrip(HttpHeaders headers) {
        HopByHop.strip(headers);
        return headers.names().stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    @Test
    void theStandardConnectionHeadersAreAlwaysRemoved() {
        HttpHeaders headers = headers(
                "Connection", "keep-alive",
                "Keep-Alive", "timeout=5",
                "Proxy-Connection", "keep-alive",
                "TE", "trailers",
                "Trailer", "Expires",
                "Upgrade", "h2c",
                "HTTP2-Settings", "AAMAAABkAAQAAP__",
                "Proxy-Authenticate", "Basic",
                "Proxy-Authorization", "Basic Zm9vOmJhcg==",
                "Content-Type", "application/json");

        assertThat(namesAfterStrip(headers)).containsExactly("content-type");
    }

    @Test
    void headersNamedInConnectionAreRemovedWhateverTheirCaseAndSpacing() {
        HttpHeaders headers = headers(
                "Connection", "X-Debug ,  x-internal-route",
                "Connection", "close, ,X-Trace",
                "X-Debug", "1",
                "X-Internal-Route", "blue",
                "X-Trace", "abc",
                "ETag", "\"v1\"");

        assertThat(namesAfterStrip(headers))
                .as("each side of the proxy negotiates its own connection")
                .containsExactly("etag");
    }

    @Test
    void aPeerCannotMakeTheProxyDropFramingHostOrForwardingHeadersByListingThem() {
        HttpHeaders headers = headers(
                "Connection", "Content-Length, transfer-encoding, HOST, X-Forwarded-For, Cookie",
                "Content-Length", "12",
                "Transfer-Encoding", "chunked",
                "Host", "cdn.example",
                "X-Forwarded-For", "203.0.113.7",
                "Cookie", "a=b");

        assertThat(namesAfterStrip(headers))
                .as("dropping these would corrupt the framing or hide who the client is")
                .containsExactlyInAnyOrder("content-length", "transfer-encoding", "host", "x-forwarded-for");
    }

    @Test
    void headersWithoutAConnectionHeaderKeepEverythingEndToEnd() {
        HttpHeaders headers = headers("Cache-Control", "no-cache", "Authorization", "Bearer x", "Accept", "*/*");

        assertThat(namesAfterStrip(headers)).containsExactlyInAnyOrder("cache-control", "authorization", "accept");
    }
}
