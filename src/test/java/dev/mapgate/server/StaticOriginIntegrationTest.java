package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in static origin behind the gate, over real sockets. */
class StaticOriginIntegrationTest {

    static final String TOKEN = "static-test-token-77";
    static final String MAP = "{\"version\":3,\"sources\":[\"a.ts\"],\"names\":[],\"mappings\":\"AAAA\"}";

    @TempDir
    static Path dir;
    static TestMapgate mapgate;

    @BeforeAll
    static void start() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site/assets"));
        Files.writeString(site.resolve("app.js"), "n()\n//# sourceMappingURL=app.js.map\n");
        Files.writeString(site.resolve("app.js.map"), MAP);
        mapgate = TestMapgate.start(dir, """
                origin.directory = "%s"
                gate { allow-ips = ["127.0.0.1"], token.tokens = [ { name = "sentry", value = "%s" } ] }
                """.formatted(dir.resolve("site"), TOKEN));
    }

    @AfterAll
    static void stop() {
        mapgate.close();
    }

    @Test
    void sentrysFirstRangedRequestGetsTheWholeMapAs206() throws Exception {
        try (RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js.map", "user-agent: symbolicator/26.8.0",
                    "accept-encoding: br, deflate, gzip, zstd", "range: bytes=0-134217727", "x-sentry-token: " + TOKEN);
            assertThat(r.status()).isEqualTo(206);
            assertThat(r.header("Content-Range")).isEqualTo("bytes 0-" + (MAP.length() - 1) + "/" + MAP.length());
            assertThat(r.bodyText()).isEqualTo(MAP);
            assertThat(r.header("Cache-Control")).isEqualTo("private, no-store");
        }
    }

    @Test
    void assetsAreServedWithValidatorsAndAnswerConditionalRequests() throws Exception {
        try (RawClient c = mapgate.connect()) {
            Response r = c.get("/assets/app.js");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Type")).startsWith("text/javascript");
            assertThat(r.hasHeader("Cache-Control")).as("pass-through assets are not marked private").isFalse();
            Response again = c.get("/assets/app.js", "If-None-Match: " + r.header("ETag"));
            assertThat(again.status()).isEqualTo(304);
            Response part = c.get("/assets/app.js", "Range: bytes=0-2");
            assertThat(part.status()).isEqualTo(206);
            assertThat(part.bodyText()).isEqualTo("n()");
            assertThat(c.get("/assets/app.js").status()).as("keep-alive survived 200, 304 and 206").isEqualTo(200);
        }
    }

    @Test
    void headOfAGatedMapIsGatedToo() throws Exception {
        try (RawClient c = mapgate.connect()) {
            c.send(RawClient.request("HEAD", "/assets/app.js.map"));
            Response denied = c.read(true);
            assertThat(denied.status()).isEqualTo(404);
            c.send(RawClient.request("HEAD", "/assets/app.js.map", "X-Sentry-Token: " + TOKEN));
            Response allowed = c.read(true);
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.header("Content-Length")).isEqualTo(String.valueOf(MAP.length()));
            assertThat(c.get("/assets/app.js").status()).isEqualTo(200);
        }
    }

    @Test
    void denyStatus401OffersBasicAnd403DoesNot() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, "pw-123456".toCharArray());
        String basic = "Basic " + Base64.getEncoder().encodeToString("sentry:pw-123456".getBytes(StandardCharsets.UTF_8));
        String gate = """
                origin.directory = "%s"
                gate { allow-ips = ["127.0.0.1"], deny-status = %d, basic { realm = "maps", users = [ { name = "sentry", password-hash = "%s" } ] } }
                """;
        try (TestMapgate g401 = TestMapgate.start(dir, gate.formatted(dir.resolve("site"), 401, hash));
             RawClient c = g401.connect()) {
            Response r = c.get("/assets/app.js.map");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).isEqualTo("Basic realm=\"maps\"");
            assertThat(c.get("/assets/app.js.map", "Authorization: " + basic).status()).isEqualTo(200);
        }
        try (TestMapgate g403 = TestMapgate.start(dir, gate.formatted(dir.resolve("site"), 403, hash));
             RawClient c = g403.connect()) {
            Response r = c.get("/assets/app.js.map");
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.hasHeader("WWW-Authenticate")).isFalse();
        }
    }

    @Test
    void sentrysBasicModePutsBasicCredentialsInItsTokenHeader() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, "pw-abcdef".toCharArray());
        String basic = "Basic " + Base64.getEncoder().encodeToString("sentry:pw-abcdef".getBytes(StandardCharsets.UTF_8));
        try (TestMapgate g = TestMapgate.start(dir, """
                origin.directory = "%s"
                gate { allow-ips = ["127.0.0.1"], token.header = "Authorization", basic.users = [ { name = "sentry", password-hash = "%s" } ] }
                """.formatted(dir.resolve("site"), hash)); RawClient c = g.connect()) {
            // Sentry lower-cases header names and sends the configured "token" verbatim.
            assertThat(c.get("/assets/app.js.map", "authorization: " + basic).status()).isEqualTo(200);
            assertThat(c.get("/assets/app.js.map").status()).isEqualTo(404);
        }
    }

    @Test
    void requireCredentialOnlyIgnoresTheAddressAndRequireIpOnlyIgnoresTheToken() throws Exception {
        try (TestMapgate g = TestMapgate.start(dir, """
                origin.directory = "%s"
                gate { require = [credential], allow-ips = [], token.tokens = [ { name = "t", value = "%s" } ] }
                """.formatted(dir.resolve("site"), TOKEN)); RawClient c = g.connect()) {
            assertThat(c.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN).status()).isEqualTo(200);
        }
        try (TestMapgate g = TestMapgate.start(dir, """
                origin.directory = "%s"
                gate { require = [ip], allow-ips = ["127.0.0.0/8"] }
                """.formatted(dir.resolve("site"))); RawClient c = g.connect()) {
            assertThat(c.get("/assets/app.js.map").status()).isEqualTo(200);
        }
    }
}
