package dev.mapgate.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ResponseHeadTest {

    static ResponseHead parse(String head) throws MalformedResponseException {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        return ResponseHead.parse(bytes, bytes.length);
    }

    @Test
    void readsWhatNginxSends() throws Exception {
        ResponseHead head = parse("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/javascript\r\n"
                + "Content-Length: 1427\r\nConnection: keep-alive\r\nETag:  \"6b1-593\" \t\r\n\r\n");

        assertThat(head.version()).isSameAs(HttpVersion.HTTP_1_1);
        // The shared constant, so nothing is made for the common statuses.
        assertThat(head.status()).isSameAs(HttpResponseStatus.OK);
        assertThat(head.contentLength()).isEqualTo(1427);
        assertThat(head.body(false)).isEqualTo(ResponseHead.Body.LENGTH);
        assertThat(head.headers().get("content-type")).isEqualTo("application/javascript");
        assertThat(head.headers().get("ETAG")).as("value without the whitespace around it").isEqualTo("\"6b1-593\"");
        assertThat(head.headers().size()).isEqualTo(5);
    }

    @Test
    void keepsAnUnusualReasonPhraseAndAcceptsNone() throws Exception {
        assertThat(parse("HTTP/1.1 200 Fine\r\n\r\n").status().reasonPhrase()).isEqualTo("Fine");
        assertThat(parse("HTTP/1.1 200 Fine\r\n\r\n").status().code()).isEqualTo(200);
        assertThat(parse("HTTP/1.0 404\r\n\r\n").status().code()).isEqualTo(404);
        assertThat(parse("HTTP/1.0 404\r\n\r\n").version()).isSameAs(HttpVersion.HTTP_1_0);
    }

    @Test
    void acceptsBareLineFeeds() throws Exception {
        ResponseHead head = parse("HTTP/1.1 200 OK\nContent-Length: 3\nX-A: b\n\n");
        assertThat(head.contentLength()).isEqualTo(3);
        assertThat(head.headers().get("x-a")).isEqualTo("b");
    }

    @Test
    void framingFollowsRfc9112() throws Exception {
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n").body(true))
                .as("the answer to a HEAD").isEqualTo(ResponseHead.Body.NONE);
        assertThat(parse("HTTP/1.1 204 No Content\r\n\r\n").body(false)).isEqualTo(ResponseHead.Body.NONE);
        assertThat(parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n").body(false))
                .isEqualTo(ResponseHead.Body.NONE);
        assertThat(parse("HTTP/1.1 103 Early Hints\r\nLink: </a.js>\r\n\r\n").body(false))
                .isEqualTo(ResponseHead.Body.NONE);
        assertThat(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n").body(false))
                .isEqualTo(ResponseHead.Body.CHUNKED);
        assertThat(parse("HTTP/1.1 200 OK\r\n\r\n").body(false)).isEqualTo(ResponseHead.Body.UNTIL_CLOSE);
        assertThat(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").body(false)).isEqualTo(ResponseHead.Body.LENGTH);
    }

    @Test
    void switchingProtocolsIsRefused() throws Exception {
        ResponseHead head = parse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n");
        assertThatThrownBy(() -> head.body(false)).isInstanceOf(MalformedResponseException.class).hasMessageContaining("101");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "folded line|HTTP/1.1 200 OK\\r\\nX-A: a\\r\\n b\\r\\n\\r\\n|folded",
        "space before colon|HTTP/1.1 200 OK\\r\\nContent-Length : 5\\r\\n\\r\\n|other than ':'",
        "no name|HTTP/1.1 200 OK\\r\\n: 5\\r\\n\\r\\n|without a name",
        "NUL in a value|HTTP/1.1 200 OK\\r\\nX-A: a\\u0000b\\r\\n\\r\\n|control byte",
        "bare CR in a value|HTTP/1.1 200 OK\\r\\nX-A: a\\rb\\r\\n\\r\\n|CR that does not end",
        "two lengths|HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nContent-Length: 5\\r\\n\\r\\n|more than one Content-Length",
        "length list|HTTP/1.1 200 OK\\r\\nContent-Length: 5, 5\\r\\n\\r\\n|1 to 18 digits",
        "signed length|HTTP/1.1 200 OK\\r\\nContent-Length: +5\\r\\n\\r\\n|1 to 18 digits",
        "huge length|HTTP/1.1 200 OK\\r\\nContent-Length: 1234567890123456789\\r\\n\\r\\n|1 to 18 digits",
        "gzip coding|HTTP/1.1 200 OK\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n|other than chunked",
        "two codings|HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|more than one Transfer-Encoding",
        "both framings|HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|both",
        "HTTP/2|HTTP/2.0 200 OK\\r\\n\\r\\n|HTTP/1.0 or HTTP/1.1",
        "lower-case version|http/1.1 200 OK\\r\\n\\r\\n|HTTP/1.0 or HTTP/1.1",
        "status 99|HTTP/1.1 099 Low\\r\\n\\r\\n|outside",
        "status 600|HTTP/1.1 600 High\\r\\n\\r\\n|outside",
        "two-digit status|HTTP/1.1 20 OK\\r\\n\\r\\n|three digits",
        "no space after the status|HTTP/1.1 200OK\\r\\n\\r\\n|no space",
        "control byte in the reason|HTTP/1.1 200 O\\u0001K\\r\\n\\r\\n|reason",
    })
    void refusesWhatTwoParsersCouldReadDifferently(String what, String head, String reason) {
        String unescaped = head.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\u0000")
                .replace("\\u0001", "\u0001");
        assertThatThrownBy(() -> parse(unescaped).body(false))
                .as(what).isInstanceOf(MalformedResponseException.class).hasMessageContaining(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTP/1.1 200 OK\r\nX-A: b", "HTTP/1.1 200 OK\r\n\r\nX"})
    void refusesAHeadThatDoesNotEndWhereItsBytesEnd(String head) {
        assertThatThrownBy(() -> parse(head)).isInstanceOf(MalformedResponseException.class);
    }
}
