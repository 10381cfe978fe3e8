package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader.Response;
import dev.mapgate.testing.TestMapgate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of sites over real sockets: a site chosen by host alone opens whatever the origin serves
 * for that host, and an origin that does not tell hosts apart (the static origin; a proxied origin,
 * which gets mapgate's own Host) serves every site's files for every host. Each failed before
 * its fix (commit 73b588f).
 */
class SitesReviewIntegrationTest {

    private static final String SHOP = "shop-0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b";
    private static final String BLOG = "blog-9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928";
    private static final String SHOP_MAP = "{\"version\":3,\"sources\":[\"shop.ts\"],\"mappings\":\"\"}";
    private static final String BLOG_MAP = "{\"version\":3,\"sources\":[\"blog.ts\"],\"mappings\":\"\"}";

    @TempDir
    Path dir;

    private Path www;

    @BeforeEach
    void twoAppsInOneDirectory() throws IOException {
        www = dir.resolve("www");
        Files.createDirectories(www.resolve("shop"));
        Files.createDirectories(www.resolve("blog"));
        Files.writeString(www.resolve("shop/app.js.map"), SHOP_MAP);
        Files.writeString(www.resolve("blog/app.js.map"), BLOG_MAP);
    }

    /**
     * Two sites by host alone in front of the static origin, which serves one tree whatever the
     * Host: the shop's token, sent with the shop's own host name, would open the blog's map. Such
     * a config cannot keep the sites apart, so it is refused, naming the key.
     */
    @Test
    void sitesChosenByHostAloneInFrontOfTheStaticOriginAreRefused() {
        assertThatThrownBy(() -> TestMapgate.in(dir).config("""
                origin.directory = "%s"
                gate {
                  allow-ips = ["127.0.0.1"]
                  sites = [
                    { name = shop, hosts = ["shop.example.com"], token.tokens = [ { name = sentry, value = "%s" } ] }
                    { name = blog, hosts = ["blog.example.com"], token.tokens = [ { name = sentry, value = "%s" } ] }
                  ]
                }
                """.formatted(www, SHOP, BLOG)).start())
                .hasMessageStartingWith("mapgate.gate.sites[0].hosts: mapgate.origin.directory serves the same files"
                        + " whatever the host, so site 'shop', chosen by host alone, would open every map in it");
    }

    /**
     * The worked example of configuration.md as corrected: the shop by host and prefix, the blog
     * by prefix. Naming the shop's host does not bring the blog's maps under the shop's token.
     */
    @Test
    void theDocumentedExampleKeepsTheBlogsMapsFromTheShopsToken() throws Exception {
        try (TestMapgate mapgate = TestMapgate.in(dir).config("""
                origin.directory = "%s"
                gate {
                  allow-ips = ["127.0.0.1"]
                  sites = [
                    { name = shop, path-prefixes = ["/shop/"]
                      token.tokens = [ { name = sentry-shop, value = "%s" } ] }
                    { name = blog, path-prefixes = ["/blog/"]
                      token.tokens = [ { name = sentry-blog, value = "%s" } ] }
                  ]
                }
                """.formatted(www, SHOP, BLOG)).start()) {
            assertThat(atHost(mapgate, "www.example.com", "/blog/app.js.map", BLOG).bodyText()).isEqualTo(BLOG_MAP);
            assertThat(atHost(mapgate, "www.example.com", "/blog/app.js.map", SHOP).status())
                    .as("the shop's token at the blog's usual host").isEqualTo(404);
            Response viaShopHost = atHost(mapgate, "shop.example.com", "/blog/app.js.map", SHOP);
            assertThat(viaShopHost.bodyText()).as("the blog's map, to the shop's token, by naming the shop's host")
                    .isNotEqualTo(BLOG_MAP);
        }
    }

    /**
     * The case of "app. and admin. on one nginx": nginx picks a server block by Host (its
     * server_name), never by X-Forwarded-Host. With origin.forward-host the origin is asked for
     * each site's own host, so it can tell them apart; without it, the loader warns.
     */
    @Test
    void aProxiedOriginThatPicksItsAppByHostCanTellTwoSitesHostsApart() throws Exception {
        String sites = """
                gate {
                  require = [ip, credential]
                  sites = [
                    { name = shop, hosts = ["shop.example.com"], token.tokens = [ { name = sentry, value = "%s" } ] }
                    { name = blog, hosts = ["blog.example.com"], token.tokens = [ { name = sentry, value = "%s" } ] }
                  ]
                }
                """.formatted(SHOP, BLOG);
        try (TestMapgate mapgate = TestMapgate.in(dir).ownOrigin().config("origin.forward-host = true\n" + sites)
                .start()) {
            assertThat(atHost(mapgate, "shop.example.com", "/assets/app.js.map", SHOP).status()).isEqualTo(200);
            String shopHost = mapgate.origin().lastSeen().header("Host");
            assertThat(atHost(mapgate, "blog.example.com", "/assets/app.js.map", BLOG).status()).isEqualTo(200);
            String blogHost = mapgate.origin().lastSeen().header("Host");

            assertThat(blogHost).as("the Host the origin chooses its app by, for the blog's request and the shop's")
                    .isNotEqualTo(shopHost);
            assertThat(mapgate.server().settings().get().warnings()).as("nothing to warn about").isEmpty();
        }
        try (TestMapgate mapgate = TestMapgate.in(dir).ownOrigin().config(sites).start()) {
            assertThat(mapgate.server().settings().get().warnings())
                    .as("without forward-host, the origin must pick each host's files by X-Forwarded-Host")
                    .anyMatch(w -> w.startsWith("gate.sites[0].hosts: site 'shop' is chosen by host alone")
                            && w.contains("mapgate.origin.forward-host = true"));
        }
    }

    private static Response atHost(TestMapgate mapgate, String host, String path, String token) throws IOException {
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nX-Sentry-Token: " + token + "\r\n\r\n";
        try (RawClient client = mapgate.connect()) {
            return client.send(request.getBytes(StandardCharsets.US_ASCII)).read(false);
        }
    }
}
