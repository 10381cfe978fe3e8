package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestSite;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request-target in {@code hostile/targets.txt}, sent byte for byte through mapgate in front
 * of nginx, Python's http.server and the lenient origin. The origins resolve paths differently,
 * so a target that mapgate classifies one way and an origin resolves another shows up here as
 * the map's bytes in a response.
 *
 * <p>Besides the corpus: HEAD and conditional requests still work through the real origins, and
 * Sentry's own request gets the map, which proves that the leak check would see a leak.
 */
class HostileTargetsTest {

    @RegisterExtension
    static final Gateways gateways = new Gateways();

    @AfterAll
    static void noSecretWasLogged() {
        assertThat(LogCapture.lines()).as("no log line may contain the token Sentry presents")
                .noneMatch(l -> l.contains(Gateways.TOKEN));
    }

    static Stream<Arguments> corpus() {
        return OriginKind.eachWith(TargetCase.load());
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("corpus")
    void targetGetsItsDocumentedAnswerAndNeverTheMap(OriginKind kind, TargetCase target) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), target.toString())) {
            Response response = c.send(target.request()).read();
            switch (target.expect()) {
                case REFUSED -> c.assertRefused(response);
                case DENIED -> {
                    c.assertDenied(response);
                    c.assertOriginSawNothing();
                    c.assertStillInStep();
                }
                case SERVED -> {
                    c.assertServed(response, target.servedFile());
                    c.assertStillInStep();
                }
            }
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(OriginKind.class)
    void sentryWithTheTokenFromAnAllowedAddressGetsTheMap(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "Sentry's request for the map")) {
            c.send(RawClient.request("GET", TestSite.MAP, "X-Sentry-Token: " + Gateways.TOKEN));
            // Read directly: this is the one response that must contain the canary.
            Response response = c.readAllowingTheMap();
            assertThat(response.status()).as("%s; got %s", c.about(), Conversation.describe(response)).isEqualTo(200);
            assertThat(response.body()).as("%s: the map, byte for byte, canary included: it is what a leak is"
                    + " recognised by", c.about()).isEqualTo(TestSite.hostile().content(TestSite.MAP));
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(value = OriginKind.class, names = {"NGINX", "PYTHON"})
    void headGetsTheHeadersOfAGetWithoutItsBody(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "HEAD " + TestSite.SCRIPT)) {
            Response head = c.send(RawClient.request("HEAD", TestSite.SCRIPT)).readHead();
            assertThat(head.status()).as("%s; got %s", c.about(), Conversation.describe(head)).isEqualTo(200);
            assertThat(head.header("Content-Length")).as("%s announces the length a GET would send", c.about())
                    .isEqualTo(String.valueOf(TestSite.hostile().content(TestSite.SCRIPT).length));
            // A body after HEAD would be read as the start of the next response and fail it.
            c.assertStillInStep();
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(value = OriginKind.class, names = {"NGINX", "PYTHON"})
    void ifModifiedSinceTheLastModifiedDateGets304(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "GET with If-Modified-Since")) {
            Response first = c.send(RawClient.request("GET", TestSite.SCRIPT)).read();
            String lastModified = first.header("Last-Modified");
            assertThat(lastModified).as("%s: the origin sends Last-Modified; got %s", c.about(), Conversation.describe(first))
                    .isNotNull();
            Response again = c.send(RawClient.request("GET", TestSite.SCRIPT, "If-Modified-Since: " + lastModified)).read();
            assertThat(again.status()).as("%s: an unchanged asset is not sent again; got %s", c.about(),
                    Conversation.describe(again)).isEqualTo(304);
            c.assertStillInStep();
        }
    }

    /** Only nginx: Python's http.server sends no ETag and ignores If-None-Match. */
    @ParameterizedTest(name = "[{0}]")
    @EnumSource(value = OriginKind.class, names = {"NGINX"})
    void ifNoneMatchTheEtagGets304(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "GET with If-None-Match")) {
            Response first = c.send(RawClient.request("GET", TestSite.SCRIPT)).read();
            String etag = first.header("ETag");
            assertThat(etag).as("%s: the origin sends an ETag; got %s", c.about(), Conversation.describe(first)).isNotNull();
            Response again = c.send(RawClient.request("GET", TestSite.SCRIPT, "If-None-Match: " + etag)).read();
            assertThat(again.status()).as("%s: a matching ETag means the browser's copy is current; got %s",
                    c.about(), Conversation.describe(again)).isEqualTo(304);
            c.assertStillInStep();
        }
    }
}
