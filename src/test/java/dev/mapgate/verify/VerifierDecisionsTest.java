package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mapgate.verify.Fetched.RangeOutcome;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The verdicts {@link Verifier} draws from a fetch, without any fetching. */
class VerifierDecisionsTest {

    private static Fetched fetched(int status, RangeOutcome range, long encodedSize) {
        return new Fetched(URI.create("https://cdn.example/app.js.map"), URI.create("https://cdn.example/app.js.map"), status,
                HttpHeaders.of(Map.of(), (a, b) -> true), List.of(), new byte[0], encodedSize, null, range, null, false);
    }

    @Test
    void warnsWhenAHugeMapCameWholeDespiteRange() {
        long big = SentryFetcher.PART_SIZE + 1;
        assertThat(Verifier.rangeWarning(fetched(200, RangeOutcome.IGNORED, big)))
                .hasValueSatisfying(w -> assertThat(w).contains("larger than 128 MiB").contains("ignored Range"));
        assertThat(Verifier.rangeWarning(fetched(200, RangeOutcome.IGNORED, SentryFetcher.PART_SIZE)))
                .as("up to 128 MiB one response is what Sentry asked for anyway").isEmpty();
        assertThat(Verifier.rangeWarning(fetched(206, RangeOutcome.HONOURED, big))).isEmpty();
        assertThat(Verifier.rangeWarning(fetched(200, RangeOutcome.REFUSED, 10)))
                .hasValueSatisfying(w -> assertThat(w).contains("without Range"));
    }

    @Test
    void explainsARefusalInSentrysTerms() {
        assertThat(Verifier.refusedWithCredential(fetched(401, RangeOutcome.NOT_ASKED, 0))).contains("permission denied");
        assertThat(Verifier.refusedWithCredential(fetched(403, RangeOutcome.NOT_ASKED, 0))).contains("permission denied");
        assertThat(Verifier.refusedWithCredential(fetched(302, RangeOutcome.NOT_ASKED, 0))).contains("login page");
        assertThat(Verifier.refusedWithCredential(fetched(404, RangeOutcome.NOT_ASKED, 0))).contains("not found");
        assertThat(Verifier.refusedWithCredential(fetched(503, RangeOutcome.NOT_ASKED, 0))).contains("retries up to 3 times");
    }

    @Test
    void takesAnHttpUrlAndDropsItsFragment() throws Exception {
        assertThat(Verifier.parseInput(" https://cdn.example/app.js?v=1#x ")).isEqualTo(URI.create("https://cdn.example/app.js?v=1"));
        assertThat(Verifier.parseInput("HTTP://cdn.example/app.js")).hasScheme("HTTP");
    }

    @Test
    void refusesInputThatIsNotAnHttpUrl() {
        assertThatThrownBy(() -> Verifier.parseInput("cdn.example/app.js")).hasMessageContaining("not an http or https URL");
        assertThatThrownBy(() -> Verifier.parseInput("ftp://cdn.example/app.js")).hasMessageContaining("not an http or https URL");
        assertThatThrownBy(() -> Verifier.parseInput("https:///app.js")).hasMessageContaining("no host");
        assertThatThrownBy(() -> Verifier.parseInput("https://cdn.example/a b.js")).hasMessageContaining("not a URL");
    }

    @Test
    void aHostChangesWhenItsNameOrEffectivePortDoesAsForSentrysClient() {
        assertThat(SentryFetcher.sameHost(URI.create("https://CDN.example/a"), URI.create("https://cdn.example:443/b"))).isTrue();
        assertThat(SentryFetcher.sameHost(URI.create("http://cdn.example/a"), URI.create("https://cdn.example/a"))).isFalse();
        assertThat(SentryFetcher.sameHost(URI.create("http://127.0.0.1:8080/a"), URI.create("http://localhost:8080/a"))).isFalse();
    }

    @Test
    void describesATlsFailureWithoutExceptionNames() {
        javax.net.ssl.SSLHandshakeException wrongName = new javax.net.ssl.SSLHandshakeException(
                "No subject alternative DNS name matching cdn.example found.");
        assertThat(SentryFetcher.tlsReason(wrongName, "cdn.example")).isEqualTo("the certificate is not for cdn.example");
        javax.net.ssl.SSLException other = new javax.net.ssl.SSLException("x",
                new IllegalStateException("java.io.EOFException: the peer hung up"));
        assertThat(SentryFetcher.tlsReason(other, "cdn.example")).isEqualTo("the peer hung up");
    }
}
