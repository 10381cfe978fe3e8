package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mapgate.hostile.Gateways.Gateway;
import dev.mapgate.testing.LenientOrigin;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestSite;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One client connection to a {@link Gateway}, with the checks the hostile suites make on what
 * comes back. Every byte received is kept, so the leak check covers all of it: headers, bodies,
 * and anything after the last response.
 *
 * <p>Reads give up after {@value #READ_TIMEOUT_MS} ms: mapgate and the origins answer on loopback
 * in milliseconds, so a longer wait only means a hang, and a refused connection must close at
 * once.
 */
final class Conversation implements AutoCloseable {

    static final int READ_TIMEOUT_MS = 3000;

    private static final byte[] MAP_NAME = "app.js.map".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_HEAD = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** The last chunk with no trailers, as mapgate writes it to the origin. */
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Gateway gateway;
    private final RawClient client;
    private final String what;
    /** Responses read with {@link #readAllowingTheMap()} that did carry the map. */
    private int allowedMaps;

    /** @param what the request, in words, for failure messages */
    private Conversation(Gateway gateway, String what) throws IOException {
        this.gateway = gateway;
        this.what = what;
        gateway.forgetOriginTraffic();
        this.client = gateway.connect(READ_TIMEOUT_MS);
    }

    static Conversation open(Gateway gateway, String what) throws IOException {
        return new Conversation(gateway, what);
    }

    Conversation send(byte[] bytes) throws IOException {
        client.send(bytes);
        return this;
    }

    Conversation send(String request) throws IOException {
        return send(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The next response; fails (after the leak check) when none arrives. */
    Response read() {
        return read(false, false);
    }

    Response readHead() {
        return read(true, false);
    }

    /** The next response, which is allowed to be the map: Sentry's, or a test that proves the check works. */
    Response readAllowingTheMap() {
        return read(false, true);
    }

    private Response read(boolean head, boolean mapAllowed) {
        try {
            Response response = client.read(head);
            if (mapAllowed && TestSite.hostile().containsMarker(response.body())) {
                allowedMaps++;
            }
            assertNoLeak();
            return response;
        } catch (IOException e) {
            assertNoLeak();
            return fail("no complete response to " + about() + ": " + e
                    + "\nreceived: " + printable(client.received()) + originTraffic());
        }
    }

    /** Nothing this connection received carries the map's canary, beyond the responses allowed to. */
    void assertNoLeak() {
        byte[] received = client.received();
        if (TestSite.hostile().countMarkers(received) > allowedMaps) {
            fail("LEAK: the source map's bytes came back without valid credentials for " + about()
                    + "; received: " + printable(received) + originTraffic());
        }
    }

    /** 400 with {@code Connection: close}, then the server closes the connection with nothing more. */
    void assertRefused(Response response) {
        assertRefusedByMapgate(response);
        assertClosedWithNothingMore();
        assertOriginSawNothing();
    }

    private void assertRefusedByMapgate(Response response) {
        Response refusal = gateway.refusal();
        assertThat(response.status()).as("%s must be refused with 400; got %s%s", about(), describe(response),
                originTraffic()).isEqualTo(400);
        assertThat(printable(response.body())).as("%s: the 400 must be mapgate's own refusal, not an origin's answer to"
                + " a request that got through; got %s", about(), describe(response)).isEqualTo(printable(refusal.body()));
        assertThat(response.header("Connection")).as("%s: after a refusal the stream cannot be trusted to frame another"
                + " request, so mapgate must say it closes the connection; got %s", about(), describe(response))
                .isEqualToIgnoringCase("close");
    }

    /**
     * The answer to a request whose chunked body broke after its head was forwarded: mapgate's
     * own 400 with {@code Connection: close}, unless the origin had answered the head already (as
     * nginx and python do a POST to a file, without reading its body); then mapgate closes.
     */
    void assertCutOff(Response response) {
        if (response.status() == 400) {
            assertRefusedByMapgate(response);
        } else {
            Integer early = gateway.kind().earlyAnswerToPost();
            assertThat(response.status()).as("%s must be refused with 400, or carry the answer %s gives a POST before"
                    + " reading its body (%s); got %s%s", about(), gateway.kind(),
                    early == null ? "it never does" : early, describe(response), originTraffic()).isEqualTo(early);
        }
        assertClosedWithNothingMore();
    }

    /**
     * For the recording origin, after a chunked body broke: mapgate hung up on it, having sent no
     * more than the outer request's head and the chunks before the broken one, so the origin never
     * had a complete request, and it parsed no request but the outer one.
     */
    void assertOriginNeverHadItWhole(FramingAttack attack) {
        LenientOrigin origin = gateway.recorder();
        if (origin == null) {
            return;
        }
        List<LenientOrigin.Connection> used = origin.connectionsOnceHungUp(Duration.ofMillis(READ_TIMEOUT_MS));
        assertThat(used).as("%s: only the connection for the outer request carries anything", about())
                .hasSizeLessThanOrEqualTo(1);
        for (LenientOrigin.Connection connection : used) {
            byte[] received = connection.received();
            assertThat(connection.hungUp()).as("%s: mapgate must close the origin connection, which is waiting for"
                    + " the rest of a body that will not come; it received %s", about(), printable(received)).isTrue();
            int headEnd = TestSite.indexOf(received, END_OF_HEAD, 0);
            assertThat(headEnd).as("%s: the origin got a complete head; received %s", about(), printable(received))
                    .isNotNegative();
            byte[] body = Arrays.copyOfRange(received, headEnd + END_OF_HEAD.length, received.length);
            assertThat(printable(attack.bodyBeforeBrokenChunk())).as("%s: the body the origin got must end before the"
                    + " broken chunk; it got %s", about(), printable(received)).startsWith(printable(body));
            assertThat(TestSite.indexOf(body, LAST_CHUNK, 0)).as("%s: the origin must never get the last chunk that"
                    + " would complete the request; it got %s", about(), printable(received)).isNegative();
        }
        assertThat(origin.seen()).as("%s: the origin may parse the outer request and no other", about())
                .hasSizeLessThanOrEqualTo(1)
                .allSatisfy(seen -> assertThat(seen.requestLine()).isEqualTo(attack.requestLine()));
    }

    /** mapgate closes the connection and sends nothing after what was already read. */
    void assertClosedWithNothingMore() {
        byte[] rest;
        try {
            rest = client.readUntilClosed();
        } catch (SocketTimeoutException e) {
            assertNoLeak();
            fail("mapgate kept the connection open for " + READ_TIMEOUT_MS + " ms after answering " + about()
                    + "; received: " + printable(client.received()));
            return;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        assertNoLeak();
        assertThat(printable(rest)).as("%s: nothing may follow the last response", about()).isEmpty();
    }

    /** Exactly the answer every denial gets. */
    void assertDenied(Response response) {
        Response denial = gateway.denial();
        assertThat(response.status()).as("%s is a gated path without credentials and must be denied; got %s%s",
                about(), describe(response), originTraffic()).isEqualTo(denial.status());
        assertThat(printable(response.body())).as("%s: a denial must look like every other denial, whatever the"
                + " reason; got %s", about(), describe(response)).isEqualTo(printable(denial.body()));
        assertThat(response.header("Cache-Control")).as("%s: a denial on a gated path must not be cached for anyone",
                about()).isEqualTo("private, no-store");
    }

    /** The origin's 200 with the file's exact bytes. */
    void assertServed(Response response, String file) {
        assertThat(response.status()).as("%s is legitimate and must be served; got %s%s", about(), describe(response),
                originTraffic()).isEqualTo(200);
        assertThat(printable(response.body())).as("%s must be served as %s, byte for byte", about(), file)
                .isEqualTo(printable(TestSite.hostile().content(file)));
    }

    /**
     * After a complete exchange the connection must still frame requests where the client does:
     * a closing request for index.html gets exactly index.html, and then the connection ends.
     */
    void assertStillInStep() {
        try {
            client.send(RawClient.request("GET", TestSite.INDEX, "Connection: close"));
        } catch (IOException e) {
            fail("mapgate dropped the connection after answering " + about() + ": " + e);
        }
        Response next = read();
        assertThat(next.status()).as("%s: the next request on the connection must get its own answer; got %s",
                about(), describe(next)).isEqualTo(200);
        assertThat(printable(next.body())).as("%s: the next request on the connection must get its own answer", about())
                .isEqualTo(printable(TestSite.hostile().content(TestSite.INDEX)));
        assertClosedWithNothingMore();
    }

    /** For the recording origin: nothing at all reached it. */
    void assertOriginSawNothing() {
        assertOriginSaw(0);
    }

    /** For the recording origin: exactly this many requests reached it; the others were answered by mapgate. */
    void assertOriginSaw(int requests) {
        LenientOrigin origin = gateway.recorder();
        if (origin != null) {
            assertThat(origin.seen()).as("%s: only %d request(s) may reach the origin; refusals and denials are"
                    + " answered by mapgate alone", about(), requests).hasSize(requests);
        }
    }

    /** For the recording origin: it got exactly one request, and none of these headers with it. */
    void assertOriginGotNoneOf(String... headers) {
        LenientOrigin origin = gateway.recorder();
        if (origin != null) {
            assertThat(origin.seen()).as("%s: the origin gets exactly the one request", about()).singleElement()
                    .satisfies(seen -> {
                        for (String header : headers) {
                            assertThat(seen.header(header)).as("%s: %s reached the origin", about(), header).isNull();
                        }
                    });
        }
    }

    /** For the recording origin: no byte naming the map ever reached it, in any framing. */
    void assertMapNeverReachedOrigin() {
        LenientOrigin origin = gateway.recorder();
        if (origin != null) {
            byte[] received = origin.received();
            assertThat(TestSite.indexOf(lowerCase(received), MAP_NAME, 0))
                    .as("%s: the smuggled request for the map reached the origin: %s", about(), printable(received))
                    .isNegative();
        }
    }

    /** The case and the origin, for every failure message: surefire's report shows neither. */
    String about() {
        return what + " through " + gateway.kind();
    }

    String originTraffic() {
        LenientOrigin origin = gateway.recorder();
        return origin == null ? "" : "\norigin saw: " + origin.seen();
    }

    static String describe(Response response) {
        StringBuilder sb = new StringBuilder(response.version()).append(' ').append(response.status());
        response.headerList().forEach(h -> sb.append(" | ").append(h[0]).append(": ").append(h[1]));
        byte[] body = response.body() == null ? new byte[0] : response.body();
        return sb.append(" | body: ").append(printable(Arrays.copyOf(body, Math.min(body.length, 200))))
                .append(body.length > 200 ? "..." : "").toString();
    }

    /** Bytes as text: printable ASCII as is, CR and LF as \r and \n, everything else as \xNN. */
    static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c >= 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format(Locale.ROOT, "\\x%02x", c));
            }
        }
        return sb.toString();
    }

    private static byte[] lowerCase(byte[] bytes) {
        byte[] lower = bytes.clone();
        for (int i = 0; i < lower.length; i++) {
            if (lower[i] >= 'A' && lower[i] <= 'Z') {
                lower[i] += 'a' - 'A';
            }
        }
        return lower;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
