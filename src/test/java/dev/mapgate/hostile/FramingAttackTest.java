package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestSite;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests whose framing servers read differently ({@link FramingAttack#all()}), each carrying a
 * request for the map without credentials.
 *
 * <p>One broken in the head must be refused with 400 and the connection closed, so nothing after
 * the broken framing is read as a request, and nothing may be forwarded: the lenient origin, which
 * records every byte it receives, must see nothing at all.
 *
 * <p>One broken in the chunked body comes after a valid head that mapgate has already forwarded,
 * since it streams bodies. mapgate must then close both connections: the client gets mapgate's 400
 * (or the origin's answer, when the origin answered the head before the body broke), and the
 * origin gets nothing from the broken chunk on, so it never has a complete request, let alone the
 * smuggled one.
 *
 * <p>Also the requests that look like attacks but are not errors: an h2c upgrade is ignored, an
 * IIS rewrite header is dropped, and pipelining keeps each request's own answer.
 */
class FramingAttackTest {

    @RegisterExtension
    static final Gateways gateways = new Gateways();

    static Stream<Arguments> attacksOnTheHead() {
        return OriginKind.eachWith(FramingAttack.all().stream().filter(a -> !a.inBody()).toList());
    }

    static Stream<Arguments> attacksOnTheBody() {
        return OriginKind.eachWith(FramingAttack.all().stream().filter(FramingAttack::inBody).toList());
    }

    private static Conversation open(OriginKind kind, FramingAttack attack) throws IOException {
        return Conversation.open(gateways.get(kind), attack.name() + " [" + attack.attacks() + "]");
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("attacksOnTheHead")
    void anAttackInTheHeadIsRefusedAndNothingReachesTheOrigin(OriginKind kind, FramingAttack attack)
            throws IOException {
        try (Conversation c = open(kind, attack)) {
            Response response = c.send(attack.bytes()).read();
            c.assertMapNeverReachedOrigin();
            c.assertRefused(response);
            c.assertMapNeverReachedOrigin();
        }
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("attacksOnTheBody")
    @Heavy
    void anAttackInTheChunkedBodyClosesBothSidesBeforeTheOriginHasTheRequestWhole(OriginKind kind, FramingAttack attack)
            throws IOException {
        try (Conversation c = open(kind, attack)) {
            c.assertCutOff(c.send(attack.bytes()).read());
            c.assertOriginNeverHadItWhole(attack);
            c.assertMapNeverReachedOrigin();
        }
    }

    static Stream<OriginKind> originsThatAnswerAPostFromItsHead() {
        return Stream.of(OriginKind.values()).filter(kind -> kind.earlyAnswerToPost() != null);
    }

    @ParameterizedTest(name = "[{0}]")
    @MethodSource("originsThatAnswerAPostFromItsHead")
    void anAnswerTheOriginGivesBeforeTheBodyEndsIsPassedOnAndThenTheConnectionCloses(OriginKind kind)
            throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "a chunked POST whose body has not come yet")) {
            // What the origin sees when the body breaks only after it has answered.
            Response response = c.send("POST /assets/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").read();
            assertThat(response.status()).as("%s: the origin's own answer reaches the client; got %s", c.about(),
                    Conversation.describe(response)).isEqualTo(kind.earlyAnswerToPost());
            // The rest of the body was never read, so nothing the client sends next can be framed.
            c.assertClosedWithNothingMore();
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(OriginKind.class)
    void h2cUpgradeIsIgnoredAndTheConnectionStaysHttp11(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "an h2c upgrade")) {
            // Behind a proxy that forwards it, an h2c upgrade turns the connection into an HTTP/2
            // tunnel to the origin that the gate no longer sees (the h2c smuggling technique).
            Response response = c.send(RawClient.request("GET", TestSite.SCRIPT,
                    "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"))
                    .read();
            assertThat(response.status()).as("%s: no 101 Switching Protocols", c.about()).isNotEqualTo(101);
            c.assertServed(response, TestSite.SCRIPT);
            assertThat(response.version()).as("%s", c.about()).isEqualTo("HTTP/1.1");
            c.assertOriginGotNoneOf("Upgrade", "HTTP2-Settings");
            // Still HTTP/1.1 and still gated: the next request on the connection is denied.
            c.assertDenied(c.send(FramingAttack.SMUGGLED).read());
            c.assertOriginSaw(1);
            c.assertStillInStep();
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(OriginKind.class)
    void rewriteHeadersCannotTurnAnAssetRequestIntoTheMap(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "X-Original-URL and X-Rewrite-URL naming the map")) {
            // IIS URL Rewrite (and frameworks behind it) serve the path in these headers instead
            // of the request-target, which the gate classified.
            Response response = c.send(RawClient.request("GET", TestSite.SCRIPT,
                    "X-Original-URL: " + TestSite.MAP, "X-Rewrite-URL: " + TestSite.MAP)).read();
            c.assertServed(response, TestSite.SCRIPT);
            c.assertOriginGotNoneOf("X-Original-URL", "X-Rewrite-URL");
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(OriginKind.class)
    void pipelinedRequestsAreEachJudgedOnTheirOwnCredentials(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "Sentry's map request, then one without the token")) {
            // Both in one write: a gate that judged the connection, or reused the first decision,
            // would hand the second client the map.
            c.send(RawClient.request("GET", TestSite.MAP, "X-Sentry-Token: " + Gateways.TOKEN) + FramingAttack.SMUGGLED);
            Response sentry = c.readAllowingTheMap();
            assertThat(sentry.status()).as("%s; got %s", c.about(), Conversation.describe(sentry)).isEqualTo(200);
            assertThat(sentry.body()).as("%s: Sentry gets the map", c.about()).isEqualTo(TestSite.hostile().content(TestSite.MAP));
            c.assertDenied(c.read());
            c.assertOriginSaw(1);
            c.assertStillInStep();
        }
    }
}
