package dev.mapgate.server;

import static dev.mapgate.testing.MetricsScrape.value;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.reload.ConfigReloader;
import dev.mapgate.testing.LogCapture;
import dev.mapgate.testing.MetricsScrape;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sites over real sockets: two apps on one origin, each behind its own Sentry project's token.
 * Each token opens its own app's maps and gets the other app's uniform denial; the gate's own
 * token opens only what no site covers; a reload moves a token between sites for the next
 * request on the same connection.
 */
class SitesIntegrationTest {

    private static final String SHOP = "shop-0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b";
    private static final String BLOG = "blog-9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928";
    private static final String OWN = "own-5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1";
    private static final String PASSWORD = "ci-password-for-the-sites-test";
    private static final String BASIC = "Authorization: Basic "
            + Base64.getEncoder().encodeToString(("ci:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    private static final String SHOP_MAP = "{\"version\":3,\"sources\":[\"shop.ts\"],\"mappings\":\"\"}";
    private static final String BLOG_MAP = "{\"version\":3,\"sources\":[\"blog.ts\"],\"mappings\":\"\"}";

    @TempDir
    Path dir;

    private Path www;

    @BeforeEach
    void twoAppsOnOneOrigin() throws IOException {
        www = dir.resolve("www");
        for (String app : new String[] {"shop", "blog", "other", "ci", "assets"}) {
            Files.createDirectories(www.resolve(app));
            Files.writeString(www.resolve(app).resolve("app.js"), "x()//# sourceMappingURL=app.js.map\n");
        }
        Files.writeString(www.resolve("shop/app.js.map"), SHOP_MAP);
        Files.writeString(www.resolve("blog/app.js.map"), BLOG_MAP);
        Files.writeString(www.resolve("other/app.js.map"), BLOG_MAP);
        Files.writeString(www.resolve("ci/app.js.map"), SHOP_MAP);
        // A map under a name the gate does not cover, as a CDN rewrite might leave it.
        Files.writeString(www.resolve("ci/data.json"), SHOP_MAP);
        Files.writeString(www.resolve("assets/app.js.map"), SHOP_MAP);
    }

    @Test
    void eachSiteByPathPrefixOpensItsOwnMapsAndGetsTheOthersUniformDenial() throws Exception {
        Metrics metrics = Metrics.inMemory();
        try (TestMapgate mapgate = TestMapgate.in(dir).metrics(metrics).config(byPrefix()).start()) {
            Response shopOwn = get(mapgate, "/shop/app.js.map", "X-Sentry-Token: " + SHOP);
            assertThat(shopOwn.status()).as("the shop project's token opens the shop's map").isEqualTo(200);
            assertThat(shopOwn.bodyText()).isEqualTo(SHOP_MAP);
            assertThat(shopOwn.header("Mapgate-Site")).as("names the site that answered, for mapgate verify")
                    .isEqualTo("shop");
            assertThat(shopOwn.header("Cache-Control")).isEqualTo("private, no-store");
            assertThat(get(mapgate, "/blog/app.js.map", "X-Sentry-Token: " + BLOG).bodyText()).isEqualTo(BLOG_MAP);

            Response noCredential = get(mapgate, "/blog/app.js.map");
            Response shopOnBlog = get(mapgate, "/blog/app.js.map", "X-Sentry-Token: " + SHOP);
            assertThat(shopOnBlog.status()).as("the shop's token must not open the blog's maps").isEqualTo(404);
            assertSameDenial(shopOnBlog, noCredential);
            assertThat(get(mapgate, "/shop/app.js.map", "X-Sentry-Token: " + BLOG).status())
                    .as("nor the blog's the shop's").isEqualTo(404);
            assertThat(get(mapgate, "/SHOP/app.js.map", "X-Sentry-Token: " + BLOG).status())
                    .as("a prefix is matched ignoring case, as the gate's globs are").isEqualTo(404);

            assertThat(get(mapgate, "/shop/app.js.map", "X-Sentry-Token: " + OWN).status())
                    .as("the gate's own token opens no site's maps").isEqualTo(404);
            Response ownOnOther = get(mapgate, "/other/app.js.map", "X-Sentry-Token: " + OWN);
            assertThat(ownOnOther.status()).as("but what no site covers").isEqualTo(200);
            assertThat(ownOnOther.header("Mapgate-Site")).as("no site answered").isNull();
            assertThat(get(mapgate, "/other/app.js.map", "X-Sentry-Token: " + SHOP).status())
                    .as("a site's token opens nothing outside its site").isEqualTo(404);
            assertThat(get(mapgate, "/shop/app.js").status()).as("assets pass without a credential").isEqualTo(200);

            String denied = LogCapture.awaitLine("mapgate.access", "path=/blog/app.js.map status=404",
                    "reason=bad-credential credential=- ", " site=blog");
            assertThat(denied).doesNotContain(SHOP);
            LogCapture.awaitLine("mapgate.access", "path=/shop/app.js.map status=200", "credential=sentry ",
                    " site=shop");

            String scrape = MetricsScrape.of(mapgate.server().adminAddress().getPort());
            assertThat(value(scrape, "mapgate_requests_total", "site=\"shop\"", "outcome=\"allowed\"",
                    "credential=\"sentry\"")).as("requests carry their site").isGreaterThanOrEqualTo(1);
            assertThat(value(scrape, "mapgate_requests_total", "site=\"blog\"", "reason=\"bad-credential\""))
                    .as("the shop's token at the blog").isEqualTo(1);
            assertThat(value(scrape, "mapgate_gate_credential_drift_total", "site=\"blog\""))
                    .as("an allowed address without a token the blog accepts (none, then the shop's): drift, per site")
                    .isEqualTo(2);
        }
        assertThat(LogCapture.lines()).as("no token value in any log line")
                .noneMatch(line -> line.contains(SHOP) || line.contains(BLOG) || line.contains(OWN));
    }

    /**
     * Sites by host in front of an origin that picks its files by Host (nginx server blocks), so
     * with origin.forward-host: the origin is asked for the host the site was chosen by, spelt as
     * the gate read it.
     */
    @Test
    void eachSiteByHostOpensItsOwnMapsWhateverTheHostsSpelling() throws Exception {
        try (TestMapgate mapgate = TestMapgate.in(dir).ownOrigin().config("""
                origin.forward-host = true
                gate {
                  require = [ip, credential]
                  sites = [
                    { name = shop, hosts = ["shop.example.com"], token.tokens = [ { name = sentry, value = "%s" } ] }
                    { name = blog, hosts = ["*.blog.example.com"], token.tokens = [ { name = sentry, value = "%s" } ] }
                  ]
                }
                """.formatted(SHOP, BLOG)).start()) {
            String map = "/assets/app.js.map";
            assertThat(atHost(mapgate, "shop.example.com", map, SHOP).status()).isEqualTo(200);
            assertThat(mapgate.origin().lastSeen().header("Host")).as("the host the shop's site was chosen by")
                    .isEqualTo("shop.example.com");
            assertThat(atHost(mapgate, "SHOP.Example.com.:8443", map, SHOP).status())
                    .as("case, a trailing dot and a port name the same host").isEqualTo(200);
            assertThat(mapgate.origin().lastSeen().header("Host")).as("as the gate read it")
                    .isEqualTo("shop.example.com:8443");
            assertThat(mapgate.origin().lastSeen().header("X-Forwarded-Host")).isEqualTo("shop.example.com:8443");
            assertThat(atHost(mapgate, "eu.blog.example.com", map, BLOG).status()).isEqualTo(200);
            assertThat(mapgate.origin().lastSeen().header("Host")).isEqualTo("eu.blog.example.com");
            Response shopOnBlog = atHost(mapgate, "eu.blog.example.com", map, SHOP);
            assertThat(shopOnBlog.status()).as("the shop's token at the blog's host").isEqualTo(404);
            assertSameDenial(shopOnBlog, atHost(mapgate, "eu.blog.example.com", map, null));
            assertThat(atHost(mapgate, "shop.example.com", map, BLOG).status()).isEqualTo(404);
            assertThat(atHost(mapgate, "blog.example.com", map, BLOG).status())
                    .as("*.blog.example.com does not cover blog.example.com itself").isEqualTo(404);

            assertThat(send(mapgate, "GET " + map + " HTTP/1.1\r\nX-Sentry-Token: " + SHOP + "\r\n\r\n").status())
                    .as("without a Host nobody can say which site's token applies").isEqualTo(400);
            assertThat(send(mapgate, "GET " + map + " HTTP/1.1\r\nHost: shop.example.com\r\nHost: eu.blog.example.com"
                    + "\r\nX-Sentry-Token: " + BLOG + "\r\n\r\n").status()).as("nor with two").isEqualTo(400);
        }
    }

    @Test
    void aSiteWithBasicUsersBesideOneWithTokensEachDeniesTheOthersCredential() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());
        try (TestMapgate mapgate = TestMapgate.in(dir).config("""
                origin.directory = "%s"
                gate {
                  allow-ips = ["127.0.0.1"]
                  sites = [
                    { name = ci, path-prefixes = ["/ci"], deny-status = 401
                      basic.users = [ { name = ci, password-hash = "%s" } ] }
                    { name = shop, path-prefixes = ["/shop/"], token.tokens = [ { name = sentry, value = "%s" } ] }
                  ]
                }
                """.formatted(www, hash, SHOP)).start()) {
            Response ci = get(mapgate, "/ci/app.js.map", BASIC);
            assertThat(ci.status()).as("the Basic user opens its site's maps").isEqualTo(200);
            assertThat(ci.header("Mapgate-Site")).isEqualTo("ci");
            assertThat(get(mapgate, "/shop/app.js.map", "X-Sentry-Token: " + SHOP).status()).isEqualTo(200);

            Response tokenOnCi = get(mapgate, "/ci/app.js.map", "X-Sentry-Token: " + SHOP);
            assertThat(tokenOnCi.status()).as("the site's own deny-status").isEqualTo(401);
            assertThat(tokenOnCi.header("WWW-Authenticate")).as("a site with Basic users offers Basic")
                    .isEqualTo("Basic realm=\"mapgate\"");
            Response basicOnShop = get(mapgate, "/shop/app.js.map", BASIC);
            assertThat(basicOnShop.status()).as("the Basic user opens no other site").isEqualTo(404);
            assertThat(basicOnShop.header("WWW-Authenticate")).isNull();

            Response hidden = get(mapgate, "/ci/data.json");
            assertThat(hidden.status()).as("the content guard answers with the site's own denial").isEqualTo(401);
            assertThat(hidden.bodyText()).doesNotContain("version");
            LogCapture.awaitLine("mapgate.access", "path=/ci/data.json status=401", "reason=content-guard", " site=ci");
        }
    }

    @Test
    void aReloadThatMovesATokenToAnotherSiteAppliesFromTheNextRequestOnTheSameConnection() throws Exception {
        Path file = dir.resolve("mapgate.conf");
        try (TestMapgate mapgate = TestMapgate.in(dir).wholeFile(file, wholeFile(SHOP, BLOG)).start();
             RawClient client = mapgate.connect()) {
            assertThat(client.get("/shop/app.js.map", "X-Sentry-Token: " + SHOP).status()).isEqualTo(200);
            assertThat(client.get("/blog/app.js.map", "X-Sentry-Token: " + SHOP).status()).isEqualTo(404);

            Files.writeString(file, wholeFile(BLOG, SHOP));
            assertThat(mapgate.server().reload("test")).isEqualTo(ConfigReloader.Outcome.APPLIED);

            assertThat(client.get("/blog/app.js.map", "X-Sentry-Token: " + SHOP).status())
                    .as("the token moved to the blog").isEqualTo(200);
            assertThat(client.get("/shop/app.js.map", "X-Sentry-Token: " + SHOP).status())
                    .as("and left the shop").isEqualTo(404);
            assertThat(client.get("/shop/app.js.map", "X-Sentry-Token: " + BLOG).status()).isEqualTo(200);
        }
    }

    private String byPrefix() {
        return """
                origin.directory = "%s"
                gate {
                  allow-ips = ["127.0.0.1"]
                  token.tokens = [ { name = own, value = "%s" } ]
                  sites = [
                    { name = shop, path-prefixes = ["/shop/"], token.tokens = [ { name = sentry, value = "%s" } ] }
                    { name = blog, path-prefixes = ["/blog/"], token.tokens = [ { name = sentry, value = "%s" } ] }
                  ]
                }
                """.formatted(www, OWN, SHOP, BLOG);
    }

    private String wholeFile(String shopToken, String blogToken) {
        return """
                mapgate {
                  listen { host = "127.0.0.1", port = 0 }
                  admin { host = "127.0.0.1", port = 0 }
                  origin.directory = "%s"
                  gate {
                    allow-ips = ["127.0.0.1"]
                    sites = [
                      { name = shop, path-prefixes = ["/shop/"], token.tokens = [ { name = sentry, value = "%s" } ] }
                      { name = blog, path-prefixes = ["/blog/"], token.tokens = [ { name = sentry, value = "%s" } ] }
                    ]
                  }
                }
                """.formatted(www, shopToken, blogToken);
    }

    private static void assertSameDenial(Response denial, Response noCredential) {
        assertThat(denial.status()).isEqualTo(noCredential.status());
        assertThat(denial.bodyText()).as("the same denial as no credential, so nobody learns the token is real")
                .isEqualTo(noCredential.bodyText());
        assertThat(denial.header("Content-Type")).isEqualTo(noCredential.header("Content-Type"));
        assertThat(denial.header("Mapgate-Site")).as("a denial names no site").isNull();
    }

    private static Response get(TestMapgate mapgate, String path, String... headers) throws IOException {
        try (RawClient client = mapgate.connect()) {
            return client.get(path, headers);
        }
    }

    private static Response atHost(TestMapgate mapgate, String host, String path, String token) throws IOException {
        return send(mapgate, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + (token == null ? "" : "X-Sentry-Token: " + token + "\r\n") + "\r\n");
    }

    private static Response send(TestMapgate mapgate, String request) throws IOException {
        try (RawClient client = mapgate.connect()) {
            return client.send(request.getBytes(StandardCharsets.US_ASCII)).read(false);
        }
    }
}
