package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.gate.ClientAddress;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** What the origin is told about the client. */
class ForwardedHeadersTest {

    @Test
    void theOriginGetsExactlyTheAddressTheGateJudgedNotTheChainThatArrived() throws Exception {
        HttpHeaders h = headers("X-Forwarded-For", "6.6.6.6, 203.0.113.7, 10.0.0.5");

        ForwardedHeaders.rewrite(h, ClientAddress.behindTrustedProxy(ip("203.0.113.7")), "X-Forwarded-For", false);

        assertThat(h.getAll("X-Forwarded-For")).as("no spoofed entry for the origin to mistake for the client")
                .containsExactly("203.0.113.7");
    }

    @Test
    void anUntrustedClientsOwnXForwardedForIsReplacedByItsAddress() throws Exception {
        HttpHeaders h = headers("X-Forwarded-For", "35.184.238.160");

        ForwardedHeaders.rewrite(h, ClientAddress.untrustedPeer(ip("198.51.100.9")), "X-Forwarded-For", false);

        assertThat(h.getAll("X-Forwarded-For")).containsExactly("198.51.100.9");
    }

    @Test
    void theConfiguredClientHeaderAndForwardedAreNotPassedOnBecauseTheyCouldContradictIt() throws Exception {
        HttpHeaders h = headers("CF-Connecting-IP", "203.0.113.7", "Forwarded", "for=6.6.6.6", "X-Real-IP", "1.1.1.1",
                "Host", "cdn.example");

        ForwardedHeaders.rewrite(h, ClientAddress.behindTrustedProxy(ip("203.0.113.7")), "CF-Connecting-IP", false);

        assertThat(h.contains("CF-Connecting-IP")).isFalse();
        assertThat(h.contains("Forwarded")).isFalse();
        assertThat(h.get("X-Forwarded-For")).isEqualTo("203.0.113.7");
        assertThat(h.contains("X-Real-IP")).as("a client-written address the origin might believe").isFalse();
        assertThat(h.get("Host")).as("other headers are the origin's business").isEqualTo("cdn.example");
    }

    @Test
    void anUnreadableReportLeavesTheOriginWithoutAnyClientAddress() {
        HttpHeaders h = headers("X-Forwarded-For", "unknown");

        ForwardedHeaders.rewrite(h, ClientAddress.unknown("not an address"), "X-Forwarded-For", false);

        assertThat(h.contains("X-Forwarded-For")).isFalse();
    }

    @Test
    void aTrustedHopsProtoIsBelievedButAClientsIsNot() throws Exception {
        HttpHeaders trusted = headers("X-Forwarded-Proto", "https");
        ForwardedHeaders.rewrite(trusted, ClientAddress.behindTrustedProxy(ip("203.0.113.7")), "X-Forwarded-For", false);
        assertThat(trusted.get("X-Forwarded-Proto")).as("the CDN ended TLS").isEqualTo("https");

        HttpHeaders spoofed = headers("X-Forwarded-Proto", "https");
        ForwardedHeaders.rewrite(spoofed, ClientAddress.untrustedPeer(ip("198.51.100.9")), "X-Forwarded-For", false);
        assertThat(spoofed.get("X-Forwarded-Proto")).isEqualTo("http");

        HttpHeaders appended = headers("X-Forwarded-Proto", "https", "X-Forwarded-Proto", "http");
        ForwardedHeaders.rewrite(appended, ClientAddress.behindTrustedProxy(ip("203.0.113.7")), "X-Forwarded-For", false);
        assertThat(appended.getAll("X-Forwarded-Proto")).as("two lines: the client's may be either, so neither counts")
                .containsExactly("http");

        HttpHeaders junk = headers("X-Forwarded-Proto", "javascript");
        ForwardedHeaders.rewrite(junk, ClientAddress.behindTrustedProxy(ip("203.0.113.7")), "X-Forwarded-For", true);
        assertThat(junk.get("X-Forwarded-Proto")).as("only http or https is ever passed on").isEqualTo("https");
    }

    @Test
    void theProtoIsHttpsWhenTheClientReachedMapgateOverTls() throws Exception {
        HttpHeaders h = headers();
        ForwardedHeaders.rewrite(h, ClientAddress.untrustedPeer(ip("198.51.100.9")), "X-Forwarded-For", true);
        assertThat(h.get("X-Forwarded-Proto")).isEqualTo("https");
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }

    private static HttpHeaders headers(String... pairs) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            h.add(pairs[i], pairs[i + 1]);
        }
        return h;
    }
}
