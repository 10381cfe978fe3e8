package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.RawOrigin;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestMapgate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A map's copies under longer names, as compression plugins and editors leave them beside it, are
 * gated by name (gate.sibling-names) on a proxied origin and on the built-in one; names that only
 * contain "map" pass. The content guard is off here, so a denial can only come from the name.
 */
class SiblingNamesIntegrationTest {

    static final List<String> SIBLINGS = List.of("app.js.map.gz", "app.js.map.br", "app.js.map.zst", "app.js.map~",
            "app.js.map.bak", "app.js.map.orig", "app.js.map.old", "app.js.map.txt", "app.js.map.json");
    static final List<String> LEGITIMATE = List.of("sitemap.xml", "mapbox-gl.js", "heatmap.3f2a.js", "roadmap.html",
            "x.mapping.js");
    /** Not a map by content: only the name can make mapgate refuse it. */
    static final String BODY = "copy of a file\n";

    @TempDir
    Path dir;

    @Test
    void siblingsAreDeniedAndLegitimateNamesPassOnAProxiedOrigin() throws Exception {
        try (RawOrigin origin = RawOrigin.start()) {
            for (String name : SIBLINGS) {
                origin.ok("/assets/" + name, BODY);
            }
            for (String name : LEGITIMATE) {
                origin.ok("/assets/" + name, BODY);
            }
            try (TestMapgate mapgate = TestMapgate.start(dir, config("origin.url = \"" + origin.url() + "\""))) {
                assertSiblingsDeniedAndLegitimatePass(mapgate);
            }
        }
    }

    @Test
    void siblingsAreDeniedAndLegitimateNamesPassOnTheBuiltInOrigin() throws Exception {
        Path assets = Files.createDirectories(dir.resolve("www/assets"));
        for (String name : SIBLINGS) {
            Files.writeString(assets.resolve(name), BODY);
        }
        for (String name : LEGITIMATE) {
            Files.writeString(assets.resolve(name), BODY);
        }
        try (TestMapgate mapgate = TestMapgate.start(dir, config("origin.directory = \"" + dir.resolve("www") + "\""))) {
            assertSiblingsDeniedAndLegitimatePass(mapgate);
        }
    }

    private static void assertSiblingsDeniedAndLegitimatePass(TestMapgate mapgate) throws Exception {
        try (RawClient client = mapgate.connectFrom("127.0.0.2")) {
            for (String name : SIBLINGS) {
                ResponseReader.Response response = client.get("/assets/" + name);
                assertThat(response.status()).as("/assets/%s without a credential", name).isEqualTo(404);
                assertThat(response.bodyText()).isEqualTo("404 Not Found\n");
            }
            for (String name : LEGITIMATE) {
                ResponseReader.Response response = client.get("/assets/" + name);
                assertThat(response.status()).as("/assets/%s", name).isEqualTo(200);
                assertThat(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(BODY);
            }
        }
        try (RawClient sentry = mapgate.connect()) {
            assertThat(sentry.get("/assets/app.js.map.gz", "X-Sentry-Token: sibling-token-5e9a").status())
                    .as("with the credential from an allowed address, a sibling is served like the map").isEqualTo(200);
        }
    }

    private static String config(String origin) {
        return origin + """

                gate {
                  content-guard = off
                  allow-ips = ["127.0.0.1"]
                  token.tokens = [ { name = "sentry", value = "sibling-token-5e9a" } ]
                }
                """;
    }
}
