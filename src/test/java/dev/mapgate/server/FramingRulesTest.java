package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramingRulesTest {

    private final FramingRules rules = new FramingRules(5);

    private static HttpHeaders headers(String... pairs) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.add(pairs[i], pairs[i + 1]);
        }
        return headers;
    }

    /** The framing rules proper, for a method that may carry content. */
    private String problem(HttpVersion version, String... pairs) {
        return problem(HttpMethod.POST, version, pairs);
    }

    private String problem(HttpMethod method, HttpVersion version, String... pairs) {
        Exception problem = rules.check(method, version, headers(pairs));
        return problem == null ? null : problem.getMessage();
    }

    @Test
    void contentOnAMethodThatGivesItNoMeaningIsRefused() {
        // CL.0: an origin that ignores a GET's body reads it as the next request on a shared connection.
        for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS, HttpMethod.TRACE,
                HttpMethod.CONNECT)) {
            assertThat(problem(method, HttpVersion.HTTP_1_1, "Host", "a", "Content-Length", "43"))
                    .as("%s with a Content-Length body", method).isEqualTo("content on a " + method + " request");
            assertThat(problem(method, HttpVersion.HTTP_1_1, "Host", "a", "Transfer-Encoding", "chunked"))
                    .as("%s with a chunked body, however short", method).isEqualTo("content on a " + method + " request");
            assertThat(problem(method, HttpVersion.HTTP_1_1, "Host", "a", "Content-Length", "0"))
                    .as("%s with Content-Length: 0 has no content", method).isNull();
            assertThat(problem(method, HttpVersion.HTTP_1_1, "Host", "a")).isNull();
        }
    }

    @Test
    void contentOnMethodsThatTakeItPasses() {
        for (HttpMethod method : List.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)) {
            assertThat(problem(method, HttpVersion.HTTP_1_1, "Host", "a", "Content-Length", "43")).as("%s", method).isNull();
        }
    }

    @Test
    void ordinaryRequestsPass() {
        assertThat(problem(HttpVersion.HTTP_1_1, "Host", "cdn.example.com")).isNull();
        assertThat(problem(HttpVersion.HTTP_1_1, "Host", "127.0.0.1:8080", "Content-Length", "5")).isNull();
        assertThat(problem(HttpVersion.HTTP_1_1, "Host", "[::1]:8080", "Transfer-Encoding", "chunked")).isNull();
        assertThat(problem(HttpVersion.HTTP_1_1, "Host", "a", "Transfer-Encoding", "Chunked"))
                .as("coding names are case-insensitive").isNull();
        assertThat(problem(HttpVersion.HTTP_1_0)).as("HTTP/1.0 predates Host").isNull();
    }

    @Test
    void hostMustBeOneValidHostAndPortAndIsRequiredFromHttp11On() {
        assertThat(problem(HttpVersion.HTTP_1_1)).contains("no Host");
        assertThat(problem(HttpVersion.HTTP_1_1, "Host", "a.example", "Host", "b.example")).contains("more than one Host");
        assertThat(problem(HttpVersion.HTTP_1_0, "Host", "a.example", "Host", "a.example")).contains("more than one Host");
        for (String bad : new String[] {"", "a b", "a.example:", "a.example:99999", "user@a.example", "a.example/x",
                "[::1", "a.example:80:80"}) {
            assertThat(problem(HttpVersion.HTTP_1_1, "Host", bad)).as("Host: '%s'", bad).contains("Host is not a valid");
        }
    }

    @Test
    void onlyASingleChunkedTransferEncodingIsAccepted() {
        for (String coding : new String[] {"gzip, chunked", "chunked, gzip", "identity", "xchunked", "chunked;x=1", ""}) {
            assertThat(problem(HttpVersion.HTTP_1_1, "Host", "a", "Transfer-Encoding", coding))
                    .as("Transfer-Encoding: '%s'", coding)
                    .isEqualTo("Transfer-Encoding other than a single chunked");
        }
        assertThat(problem(HttpVersion.HTTP_1_1, "Host", "a", "Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked"))
                .as("two header lines").isEqualTo("Transfer-Encoding other than a single chunked");
    }

    @Test
    void transferEncodingIsRefusedInHttp10AndBesideContentLength() {
        assertThat(problem(HttpVersion.HTTP_1_0, "Transfer-Encoding", "chunked"))
                .isEqualTo("Transfer-Encoding in an HTTP/1.0 request");
        assertThat(problem(HttpVersion.HTTP_1_1, "Host", "a", "Transfer-Encoding", "chunked", "Content-Length", "3"))
                .isEqualTo("Content-Length together with Transfer-Encoding");
    }

    @Test
    void aHixie76HandshakeIsRefusedBecauseNettyWouldGiveItAnUnannouncedBody() {
        assertThat(problem(HttpVersion.HTTP_1_1, "Host", "a", "Sec-WebSocket-Key1", "4 @1  46546xW%0l 1 5",
                "Sec-WebSocket-Key2", "12998 5 Y3 1  .P00")).contains("Hixie-76");
        assertThat(problem(HttpVersion.HTTP_1_1, "Host", "a", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="))
                .as("today's WebSocket key frames no body").isNull();
    }

    @Test
    void moreHeaderLinesThanTheLimitIsAHeaderTooLargeProblem() {
        assertThat(rules.check(HttpMethod.GET, HttpVersion.HTTP_1_1, headers("Host", "a", "A", "1", "B", "2", "C", "3", "D", "4")))
                .as("exactly the limit").isNull();
        assertThat(rules.check(HttpMethod.GET, HttpVersion.HTTP_1_1, headers("Host", "a", "A", "1", "B", "2", "C", "3", "D", "4", "D", "5")))
                .isInstanceOf(TooLongHttpHeaderException.class)
                .hasMessageContaining("more than 5 header fields");
    }
}
