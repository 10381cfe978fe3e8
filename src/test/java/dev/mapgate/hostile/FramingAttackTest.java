package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.hostile.Gateways.Gateway;
import dev.mapgate.testing.LenientOrigin;
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
 * Requests whose framing servers read differently ({@link FramingAttack#all()}), each carrying a
 * request for the map without credentials. mapgate must refuse every one with 400 and close the
 * connection, so nothing after the broken framing is read as a request, and must forward nothing:
 * the lenient origin, which records every byte it receives, must never see the smuggled request.
 *
 * <p>Also the requests that look like attacks but are not errors: an h2c upgrade is ignored, an
 * IIS rewrite header is dropped, and pipelining keeps each request's own answer.
 */
class FramingAttackTest {

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
    }

    static Stream<Arguments> attacks() {
        List<FramingAttack> attacks = FramingAttack.all();
        return Stream.of(OriginKind.values()).flatMap(kind -> attacks.stream().map(a -> Arguments.of(kind, a)));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("attacks")
    void attackIsRefusedAndTheSmuggledMapRequestGoesNowhere(OriginKind kind, FramingAttack attack) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), attack.name() + " [" + attack.attacks() + "]")) {
            Response response = c.send(attack.bytes()).read();
            c.assertMapNeverReachedOrigin();
            c.assertRefused(response);
            c.assertMapNeverReachedOrigin();
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(OriginKind.class)
    void h2cUpgradeIsIgnoredAndTheConnectionStaysHttp11(OriginKind kind) throws IOException {
        Gateway gateway = gateways.get(kind);
        try (Conversation c = Conversation.open(gateway, "an h2c upgrade")) {
            // Behind a proxy that forwards it, an h2c upgrade turns the connection into an HTTP/2
            // tunnel to the origin that the gate no longer sees (the h2c smuggling technique).
            Response response = c.send(RawClient.request("GET", HostileSite.APP_JS,
                    "Connection: Upgrade, HTTP2-Settings", "Upgrade: h2c", "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"))
                    .read();
            assertThat(response.status()).as("no 101 Switching Protocols: got %s", Conversation.describe(response))
                    .isEqualTo(200);
            assertThat(response.version()).isEqualTo("HTTP/1.1");
            assertThat(response.body()).isEqualTo(HostileSite.content(HostileSite.APP_JS));
            LenientOrigin origin = gateway.recorder();
            if (origin != null) {
                assertThat(origin.seen()).as("the origin must get a plain request").singleElement()
                        .satisfies(seen -> {
                            assertThat(seen.header("Upgrade")).as("Upgrade reached the origin").isNull();
                            assertThat(seen.header("HTTP2-Settings")).as("HTTP2-Settings reached the origin").isNull();
                        });
            }
            // Still HTTP/1.1 and still gated: the next request on the connection is denied.
            c.assertDenied(c.send(FramingAttack.SMUGGLED).read());
            c.assertOriginSaw(1);
            c.assertStillInStep();
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(OriginKind.class)
    void rewriteHeadersCannotTurnAnAssetRequestIntoTheMap(OriginKind kind) throws IOException {
        Gateway gateway = gateways.get(kind);
        try (Conversation c = Conversation.open(gateway, "X-Original-URL and X-Rewrite-URL naming the map")) {
            // IIS URL Rewrite (and frameworks behind it) serve the path in these headers instead
            // of the request-target, which the gate classified.
            Response response = c.send(RawClient.request("GET", HostileSite.APP_JS,
                    "X-Original-URL: " + HostileSite.MAP, "X-Rewrite-URL: " + HostileSite.MAP)).read();
            assertThat(response.status()).as("got %s", Conversation.describe(response)).isEqualTo(200);
            assertThat(response.body()).as("the asset that was asked for, not the map")
                    .isEqualTo(HostileSite.content(HostileSite.APP_JS));
            LenientOrigin origin = gateway.recorder();
            if (origin != null) {
                assertThat(origin.seen()).singleElement().satisfies(seen -> {
                    assertThat(seen.header("X-Original-URL")).as("X-Original-URL reached the origin").isNull();
                    assertThat(seen.header("X-Rewrite-URL")).as("X-Rewrite-URL reached the origin").isNull();
                });
            }
        }
    }

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(OriginKind.class)
    void pipelinedRequestsAreEachJudgedOnTheirOwnCredentials(OriginKind kind) throws IOException {
        try (Conversation c = Conversation.open(gateways.get(kind), "Sentry's map request, then one without the token")) {
            // Both in one write: a gate that judged the connection, or reused the first decision,
            // would hand the second client the map.
            c.send(RawClient.request("GET", HostileSite.MAP, "X-Sentry-Token: " + Gateways.TOKEN) + FramingAttack.SMUGGLED);
            Response sentry = c.readAllowingTheMap();
            assertThat(sentry.status()).as("got %s", Conversation.describe(sentry)).isEqualTo(200);
            assertThat(sentry.body()).isEqualTo(HostileSite.content(HostileSite.MAP));
            c.assertDenied(c.read());
            c.assertOriginSaw(1);
            c.assertStillInStep();
        }
    }
}
