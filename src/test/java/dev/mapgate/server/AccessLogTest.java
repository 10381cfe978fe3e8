package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.DenyReason;
import dev.mapgate.gate.RequestTarget;
import dev.mapgate.testing.EncodedLogs;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The access line in both of its forms: the text a pattern layout prints, unchanged from the
 * key=value line operators already parse, and the JSON LogstashEncoder writes, one typed field
 * per column.
 */
class AccessLogTest {

    /** The text form, with the duration left open: it is measured, not set. */
    private static final String ALLOWED_LINE = "client=203\\.0\\.113\\.7 peer=embedded method=GET path=/assets/app\\.js\\.map"
            + " status=200 bytes=11 duration_ms=\\d+\\.\\d route=gated decision=allowed reason=- credential=sentry-2026"
            + " completed=true ua=\"sentry/25\\.1\"";

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private EncodedLogs logs;

    @BeforeEach
    void capture() {
        logs = EncodedLogs.attach("mapgate.access");
    }

    @AfterEach
    void release() {
        logs.close();
        channel.finishAndReleaseAll();
    }

    @Test
    void theTextFormIsTheKeyValueLineItHasAlwaysBeen() throws Exception {
        logAndWait(allowedExchange());

        assertThat(logs.text().strip())
                .as("operators' parsers read this line; fields keep their names, order and quoting")
                .matches(ALLOWED_LINE);
    }

    @Test
    void theJsonFormHasEveryColumnAsAFieldOfItsOwnType() throws Exception {
        logAndWait(allowedExchange());

        JsonNode line = onlyJsonLine();
        assertThat(line.get("logger_name").asText()).isEqualTo("mapgate.access");
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("message").asText()).as("the message is the text form").matches(ALLOWED_LINE);
        assertThat(line.get("client").asText()).isEqualTo("203.0.113.7");
        assertThat(line.get("peer").asText()).isEqualTo("embedded");
        assertThat(line.get("method").asText()).isEqualTo("GET");
        assertThat(line.get("path").asText()).isEqualTo("/assets/app.js.map");
        assertThat(line.get("status").isInt()).as("status is a number").isTrue();
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("bytes").isIntegralNumber()).as("bytes is a number").isTrue();
        assertThat(line.get("bytes").asLong()).isEqualTo(11);
        assertThat(line.get("bytes_in").isIntegralNumber()).as("bytes_in is a number").isTrue();
        assertThat(line.get("bytes_in").asLong()).isEqualTo(5);
        assertThat(line.get("duration_ms").isNumber()).as("duration_ms is a number, not \"0.3\"").isTrue();
        assertThat(line.get("duration_ms").asDouble()).isGreaterThanOrEqualTo(0.0);
        assertThat(line.get("route").asText()).isEqualTo("gated");
        assertThat(line.get("decision").asText()).isEqualTo("allowed");
        assertThat(line.get("reason").asText()).isEqualTo("-");
        assertThat(line.get("credential").asText()).isEqualTo("sentry-2026");
        assertThat(line.get("completed").isBoolean()).as("completed is a boolean").isTrue();
        assertThat(line.get("completed").asBoolean()).isTrue();
        assertThat(line.get("ua").asText()).isEqualTo("sentry/25.1");
    }

    @Test
    void everyKeyOfTheTextFormIsAJsonFieldOfTheSameName() throws Exception {
        logAndWait(allowedExchange());

        JsonNode line = onlyJsonLine();
        for (String pair : logs.text().strip().split(" ")) {
            String key = pair.substring(0, pair.indexOf('='));
            assertThat(line.has(key)).as("text key %s has a JSON field", key).isTrue();
        }
        assertThat(logs.text()).as("bytes_in is JSON only, so the text line keeps its shape").doesNotContain("bytes_in");
    }

    @Test
    void aDeniedRequestLogsItsReasonAndNoCredentialName() throws Exception {
        Exchange exchange = exchange("/assets/app.js.map", null, "curl/8.5", null,
                Decision.deny(DenyReason.BAD_CREDENTIAL, null));
        exchange.status(404);

        logAndWait(exchange);

        assertThat(logs.text()).contains(" status=404 ", " decision=denied reason=bad-credential credential=- ");
        JsonNode line = onlyJsonLine();
        assertThat(line.get("decision").asText()).isEqualTo("denied");
        assertThat(line.get("reason").asText()).isEqualTo("bad-credential");
        assertThat(line.get("credential").asText()).isEqualTo("-");
    }

    @Test
    void aRequestRefusedBeforeTheGateLogsDashesAndTheConnectionPeer() throws Exception {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/%zz");
        Exchange exchange = new Exchange(request, System.nanoTime());
        exchange.status(400);

        logAndWait(exchange);

        assertThat(logs.text()).startsWith("client=embedded peer=embedded method=GET path=- status=400 ")
                .contains(" route=- decision=- reason=- credential=- ", " ua=\"-\"");
        JsonNode line = onlyJsonLine();
        assertThat(line.get("path").asText()).isEqualTo("-");
        assertThat(line.get("route").asText()).isEqualTo("-");
    }

    @Test
    void theQueryIsNeverLoggedBecauseClientsPutTokensThere() throws Exception {
        Exchange exchange = exchange("/assets/app.js.map", "token=query-secret-91c4&x=1", "curl/8.5", null,
                Decision.deny(DenyReason.NO_CREDENTIAL, null));
        exchange.status(404);

        logAndWait(exchange);

        assertThat(logs.text()).contains(" path=/assets/app.js.map ").doesNotContain("query-secret-91c4").doesNotContain("?");
        assertThat(logs.json()).doesNotContain("query-secret-91c4");
        assertThat(onlyJsonLine().get("path").asText()).isEqualTo("/assets/app.js.map");
    }

    @Test
    void aHostileUserAgentCannotForgeALineOrAFieldAndIsCutShort() throws Exception {
        String hostile = "evil\" status=200 credential=admin\r\nclient=1.2.3.4 \\" + "x".repeat(1000);
        logAndWait(exchange("/assets/app.js", null, hostile, null, null));

        String text = logs.text();
        assertThat(text.strip()).as("one line").doesNotContain("\n").doesNotContain("\r");
        assertThat(text).as("the quote cannot be closed early").contains("ua=\"evil? status=200 credential=admin??client");
        String ua = onlyJsonLine().get("ua").asText();
        assertThat(ua).as("the JSON field is the same printable value").startsWith("evil? status=200").hasSize(256);
    }

    @Test
    void nothingIsBuiltOrWrittenWhenTheAccessLoggerIsOff() throws Exception {
        Logger access = (Logger) LoggerFactory.getLogger("mapgate.access");
        Level before = access.getLevel();
        access.setLevel(Level.OFF);
        try {
            logAndWait(allowedExchange());
        } finally {
            access.setLevel(before);
        }

        assertThat(logs.text()).isEmpty();
        assertThat(logs.json()).isEmpty();
    }

    private Exchange allowedExchange() throws Exception {
        Exchange exchange = exchange("/assets/app.js.map", null, "sentry/25.1",
                ClientAddress.untrustedPeer(InetAddress.getByName("203.0.113.7")), Decision.allow("sentry-2026"));
        exchange.status(200);
        exchange.addBodyBytesOut(11);
        exchange.addBodyBytesIn(5);
        return exchange;
    }

    private static Exchange exchange(String path, String query, String userAgent, ClientAddress client,
                                     Decision decision) {
        // Unvalidated headers: the hostile test needs a CR/LF, which the codec would have refused.
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                query == null ? path : path + "?" + query, DefaultHttpHeadersFactory.headersFactory().withValidation(false));
        request.headers().set(HttpHeaderNames.USER_AGENT, userAgent);
        Exchange exchange = new Exchange(request, System.nanoTime());
        exchange.judged(new Judgement(null, client, new RequestTarget(path, path, query, null), decision));
        return exchange;
    }

    private JsonNode onlyJsonLine() {
        List<JsonNode> lines = logs.jsonLines();
        assertThat(lines).as("exactly one JSON line per exchange").hasSize(1);
        return lines.get(0);
    }

    /** Logs as the event loop does, then waits for the writer thread to have written it. */
    private void logAndWait(Exchange exchange) {
        AccessLog.log(channel, exchange, true);
        assertThat(AccessLog.flush(Duration.ofSeconds(5))).as("the access log writer keeps up").isTrue();
    }
}
