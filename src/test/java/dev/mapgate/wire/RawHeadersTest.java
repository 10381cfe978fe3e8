package dev.mapgate.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RawHeadersTest {

    private static RawHeaders headers(String fields) throws MalformedResponseException {
        return ResponseHeadTest.parse("HTTP/1.1 200 OK\r\n" + fields + "\r\n").headers();
    }

    private static String encoded(RawHeaders headers) {
        ByteBuf out = Unpooled.buffer();
        try {
            headers.encode(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    @Test
    void encodesTheReceivedFieldsAsTheyCame() throws Exception {
        RawHeaders h = headers("server: nginx\r\nX-Odd-Case:value  \r\nVary:\tAccept-Encoding\r\n");
        assertThat(encoded(h)).isEqualTo("server: nginx\r\nX-Odd-Case: value\r\nVary: Accept-Encoding\r\n");
    }

    @Test
    void keepsBytesAboveAsciiUnchanged() throws Exception {
        byte[] head = "HTTP/1.1 200 OK\r\nX-Name: caf\u00e9\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        RawHeaders h = ResponseHead.parse(head, head.length).headers();
        assertThat(encoded(h)).isEqualTo("X-Name: caf\u00e9\r\n");
        assertThat(h.get("x-name")).isEqualTo("caf\u00e9");
    }

    @Test
    void removesEveryFieldOfANameWhateverItsCase() throws Exception {
        RawHeaders h = headers("Connection: keep-alive\r\nA: 1\r\nCONNECTION: x\r\nB: 2\r\n");
        h.remove(HttpHeaderNames.CONNECTION);
        assertThat(h.contains("connection")).isFalse();
        assertThat(h.size()).isEqualTo(2);
        assertThat(encoded(h)).isEqualTo("A: 1\r\nB: 2\r\n");
    }

    @Test
    void setReplacesAndAddAppends() throws Exception {
        RawHeaders h = headers("Cache-Control: public, max-age=600\r\nVary: Origin\r\nETag: \"1\"\r\n");
        h.set(HttpHeaderNames.CACHE_CONTROL, "private, no-store");
        h.add(HttpHeaderNames.VARY, "X-Sentry-Token");
        assertThat(h.get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("private, no-store");
        assertThat(h.getAll(HttpHeaderNames.VARY)).containsExactly("Origin", "X-Sentry-Token");
        assertThat(encoded(h)).isEqualTo("Vary: Origin\r\nETag: \"1\"\r\ncache-control: private, no-store\r\n"
                + "vary: X-Sentry-Token\r\n");
        assertThat(h.entries()).extracting(Map.Entry::getKey)
                .containsExactly("Vary", "ETag", "cache-control", "vary");
        assertThat(h.names()).containsExactlyInAnyOrder("Vary", "ETag", "cache-control");
    }

    @Test
    void aValueThatWouldInjectALineIsRefusedAndLeavesTheFieldAsItWas() throws Exception {
        RawHeaders h = headers("Cache-Control: public\r\n");
        assertThatThrownBy(() -> h.set(HttpHeaderNames.CACHE_CONTROL, "x\r\nSet-Cookie: a=b"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(encoded(h)).isEqualTo("Cache-Control: public\r\n");
    }

    @Test
    void findsAnElementOfACommaSeparatedValueWithoutCase() throws Exception {
        RawHeaders h = headers("Connection: Upgrade , Keep-Alive\r\nTransfer-Encoding: chunked\r\n");
        assertThat(h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, true)).isTrue();
        assertThat(h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE, false)).isFalse();
        assertThat(h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true)).isFalse();
        assertThat(h.containsValue(HttpHeaderNames.CONNECTION, "upgrade", true)).isTrue();
        assertThat(h.contains(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true)).isTrue();
        assertThat(h.contains(HttpHeaderNames.TRANSFER_ENCODING, "chunk", true)).isFalse();
    }

    @Test
    void namesDifferingOnlyInPunctuationAreNotConfused() throws Exception {
        // '@' and '`' differ by the bit that case folding flips for letters.
        RawHeaders h = headers("X-`: 1\r\n");
        assertThat(h.contains("X-@")).isFalse();
        assertThat(h.contains("x-`")).isTrue();
    }

    @Test
    void readsNumbersAndDates() throws Exception {
        RawHeaders h = headers("Content-Length: 1427\r\nAge: x\r\nLast-Modified: Sun, 06 Dec 2026 00:03:05 GMT\r\n");
        assertThat(h.getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(1427);
        assertThat(h.getInt(HttpHeaderNames.AGE, -1)).isEqualTo(-1);
        assertThat(h.getTimeMillis(HttpHeaderNames.LAST_MODIFIED)).isEqualTo(1796515385000L);
        assertThat(h.getInt("missing")).isNull();
    }

    @Test
    void clearLeavesNothing() throws Exception {
        RawHeaders h = headers("A: 1\r\nB: 2\r\n");
        h.add("C", "3");
        h.clear();
        assertThat(h.isEmpty()).isTrue();
        assertThat(encoded(h)).isEmpty();
        assertThat(h.get("A")).isNull();
    }

    @Test
    void holdsManyFields() throws Exception {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            fields.append("X-").append(i).append(": ").append(i).append("\r\n");
        }
        RawHeaders h = headers(fields.toString());
        h.remove("X-70");
        assertThat(h.size()).isEqualTo(99);
        assertThat(h.get("x-99")).isEqualTo("99");
        assertThat(h.contains("X-70")).isFalse();
        assertThat(h.copy().size()).isEqualTo(99);
    }
}
