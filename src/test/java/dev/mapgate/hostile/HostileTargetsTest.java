package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawClient.Response;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
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

    @TempDir
    static Path dir;
    static Gateways gateways;

    @BeforeAll
    static void start() {
        gateways = new Gateways(dir);
    }

    @AfterAll
    static void stop() {
        gateways.close();
        assertThat(LogCapture.lines()).as("no log line may contain the token Sentry presents")
                .noneMatch(l -> l.contains(Gateways.TOKEN));
    }

    static Stream<Arguments> corpus() {
        List<TargetCase> cases = TargetCase.load();
        return Stream.of(OriginKind.values()).flatMap(kind -> cases.stream().map(c -> Arguments.of(kind, c)));
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
            c.send(RawClient.request("GET", HostileSite.MAP, "X-Sentry-Token: " + Gateways.TOKEN));
            // Read directly: this is the one response that must contain the canary.
            Response response = c.readAllowingTheMap();
            assertThat(response.status()).as("got %s", Conversation.describe(response)).isEqualTo(200);
            assertThat(response.body()).as("the map, byte for byte: the leak check looks for what is in it")
                    .isEqualTo(HostileSite.content(HostileSite.MAP));
            assertThat(HostileSite.containsCanary(response.body())).as("the canary is what a leak is recognised by")
                    .isTrue();
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(value = OriginKind.class, names = {"NGINX", "PYTHON"})
    void headGetsTheHeadersOfAGetWithoutItsBody(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "HEAD " + HostileSite.APP_JS)) {
            Response head = c.send(RawClient.request("HEAD", HostileSite.APP_JS)).readHead();
            assertThat(head.status()).as("got %s", Conversation.describe(head)).isEqualTo(200);
            assertThat(head.header("Content-Length")).as("HEAD announces the length a GET would send")
                    .isEqualTo(String.valueOf(HostileSite.content(HostileSite.APP_JS).length));
            // A body after HEAD would be read as the start of the next response and fail it.
            c.assertStillInStep();
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(value = OriginKind.class, names = {"NGINX", "PYTHON"})
    void ifModifiedSinceTheLastModifiedDateGets304(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "a conditional GET")) {
            Response first = c.send(RawClient.request("GET", HostileSite.APP_JS)).read();
            String lastModified = first.header("Last-Modified");
            assertThat(lastModified).as("%s sends Last-Modified; got %s", kind, Conversation.describe(first)).isNotNull();
            Response again = c.send(RawClient.request("GET", HostileSite.APP_JS, "If-Modified-Since: " + lastModified)).read();
            assertThat(again.status()).as("an unchanged asset is not sent again; got %s", Conversation.describe(again))
                    .isEqualTo(304);
            c.assertStillInStep();
        }
    }

    /** Only nginx: Python's http.server sends no ETag and ignores If-None-Match. */
    @ParameterizedTest(name = "[{0}]")
    @EnumSource(value = OriginKind.class, names = {"NGINX"})
    void ifNoneMatchTheEtagGets304(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "a conditional GET")) {
            Response first = c.send(RawClient.request("GET", HostileSite.APP_JS)).read();
            String etag = first.header("ETag");
            assertThat(etag).as("%s sends an ETag; got %s", kind, Conversation.describe(first)).isNotNull();
            Response again = c.send(RawClient.request("GET", HostileSite.APP_JS, "If-None-Match: " + etag)).read();
            assertThat(again.status()).as("a matching ETag means the browser's copy is current; got %s",
                    Conversation.describe(again)).isEqualTo(304);
            c.assertStillInStep();
        }
    }
}
