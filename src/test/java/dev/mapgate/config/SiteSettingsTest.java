package dev.mapgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.mapgate.gate.GatePolicy;
import dev.mapgate.gate.Site;
import dev.mapgate.gate.SiteScope;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gate.sites}: each app's maps behind its own credentials, as the loader reads them. */
class SiteSettingsTest {

    private static final String LEGACY = "legacy-9c1f0a7e3b5d48e2a6f4c0d1b2e3f4a5";
    private static final String SHOP = "shop-3e8b1d7c5a9f40e6b2d4c8a1f3e5d7b9";
    private static final String BLOG = "blog-7a2c4e6f8b0d41a3c5e7f9b1d3a5c7e9";

    /** The gate's own settings: the loopback allowed, one token, denials with 403; sites in between. */
    /** An origin that picks its files by Host, so that sites may be told apart by host alone. */
    private static final String GATE = """
            mapgate.origin { url = "http://origin.internal:8080", forward-host = true }
            mapgate.gate {
              allow-ips = ["127.0.0.1/32"]
              deny-status = 403
              token.tokens = [ { name = legacy, value = "%s" } ]
              sites = [
                %%s
              ]
            }
            """.formatted(LEGACY);

    private static final String SHOP_SITE = """
            { name = shop, hosts = ["shop.example.com", "*.Shop.Example.com"], path-prefixes = ["/shop"]
              token.tokens = [ { name = sentry-shop, value = "%s" } ] }
            """.formatted(SHOP);

    @TempDir
    Path dir;

    // ---- reading --------------------------------------------------------------------------------

    @Test
    void aSiteHasItsScopeItsOwnTokensAndTheGatesRequireAllowIpsAndDenyStatus() {
        Settings settings = load(SHOP_SITE);

        Site shop = settings.gate().sites().named().get(0);
        assertThat(shop.name()).isEqualTo("shop");
        assertThat(shop.scope()).as("hosts normalised, a prefix as a folder")
                .isEqualTo(new SiteScope(List.of("shop.example.com", "*.shop.example.com"), List.of("/shop/")));
        assertThat(shop.denyStatus()).as("left out, so the gate's").isEqualTo(403);
        assertThat(settings.gate().site("shop")).isSameAs(shop);
        assertThat(settings.gate().sites().select("www.shop.example.com", "/shop/app.js.map")).isSameAs(shop);

        GatePolicy policy = shop.policy();
        assertThat(policy.decide("/shop/app.js.map", loopback(), SHOP, null).allowed()).isTrue();
        assertThat(policy.decide("/shop/app.js.map", address("198.51.100.7"), SHOP, null).allowed())
                .as("the gate's require and allow-ips: ip and credential, the loopback only").isFalse();
        assertThat(policy.decide("/shop/app.js.map", loopback(), null, null).allowed()).isFalse();
        assertThat(policy.acceptsToken(LEGACY)).as("the gate's own token opens none of the site's maps").isFalse();
        assertThat(settings.gate().policy().acceptsToken(SHOP)).as("nor the site's token the gate's").isFalse();
        assertThat(settings.gate().policy().acceptsToken(LEGACY)).isTrue();
        assertThat(settings.warnings()).isEmpty();
    }

    @Test
    void aSiteMayRequireOtherChecksFromOtherAddressesAndDenyWithItsOwnStatus() {
        Settings settings = load("""
                { name = shop, hosts = ["shop.example.com"], require = [ip], deny-status = 401
                  allow-ips = ${mapgate.ip-ranges.sentry-eu} ["203.0.113.0/24"] }
                """);

        Site shop = settings.gate().site("shop");
        assertThat(shop.denyStatus()).isEqualTo(401);
        assertThat(shop.policy().decide("/app.js.map", address("34.141.31.19"), null, null).allowed())
                .as("a named range substituted inside a list element, concatenated with the site's own").isTrue();
        assertThat(shop.policy().decide("/app.js.map", address("203.0.113.9"), null, null).allowed()).isTrue();
        assertThat(shop.policy().decide("/app.js.map", loopback(), LEGACY, null).allowed())
                .as("the site's allow-ips replaces the gate's").isFalse();
        assertThat(settings.gate().policy().decide("/app.js.map", loopback(), LEGACY, null).allowed())
                .as("the gate's own settings keep theirs").isTrue();
        assertThat(settings.gate().denyStatus()).isEqualTo(403);
    }

    @Test
    void aSitesBasicUsersComeFromItsConfigAndItsHtpasswdFileWhichIsWatched() throws IOException {
        String hash = BCrypt.withDefaults().hashToString(10, "alice-pw".toCharArray());
        Files.writeString(dir.resolve("blog.htpasswd"), "bob:" + BCrypt.withDefaults().hashToString(10,
                "bob-pw".toCharArray()) + "\n");

        Settings settings = load("""
                { name = blog, path-prefixes = ["/blog/"], require = [credential]
                  basic { users = [ { name = alice, password-hash = "%s" } ], htpasswd-file = "blog.htpasswd" } }
                """.formatted(hash));

        Site blog = settings.gate().site("blog");
        assertThat(blog.offersBasic()).isTrue();
        assertThat(blog.policy().decide("/blog/a.map", address("198.51.100.7"), null, basic("alice", "alice-pw"))
                .allowed()).isTrue();
        assertThat(blog.policy().decide("/blog/a.map", loopback(), null, basic("bob", "bob-pw")).allowed()).isTrue();
        assertThat(settings.gate().hasBasicUsers()).as("the gate's own settings have none").isFalse();
        assertThat(settings.sources()).as("a reload notices an edit of the site's htpasswd file")
                .contains(dir.resolve("blog.htpasswd"));
    }

    @Test
    void theSameTokenNameMayBeUsedInTwoSitesButNotTwiceInOne() {
        Settings settings = load(SHOP_SITE + """
                { name = blog, path-prefixes = ["/blog/"], token.tokens = [ { name = sentry-shop, value = "%s" } ] }
                """.formatted(BLOG));

        assertThat(settings.gate().site("blog").policy().credentials().tokenNames()).containsExactly("sentry-shop");
        assertThat(problem("""
                { name = shop, hosts = ["shop.example.com"]
                  token.tokens = [ { name = legacy, value = "%s" }, { name = legacy, value = "%s" } ] }
                """.formatted(SHOP, BLOG)))
                .as("the gate's own token of the same name is no conflict; a second one in the site is")
                .isEqualTo("mapgate.gate.sites[0].token.tokens: token name 'legacy' is used twice");
    }

    @Test
    void aSitesTokenFileRevokesTheTokenInThatSiteAndIsWatched() throws IOException {
        Files.writeString(dir.resolve("blog-token"), BLOG + "\n");

        Settings settings = load("""
                { name = shop, hosts = ["shop.example.com"]
                  token.tokens = [ { name = sentry, value = "%s" }, { name = backup, file = "shop-token" } ] }
                { name = blog, hosts = ["blog.example.com"], token.tokens = [ { name = backup, file = "blog-token" } ] }
                """.formatted(SHOP));

        assertThat(settings.gate().revokedTokens()).as("revoked in its site, with where it is configured")
                .containsExactly(new RevokedToken("shop", "backup", "mapgate.gate.sites[0].token.tokens[1]",
                        dir.resolve("shop-token"), RevokedToken.Cause.DELETED));
        assertThat(settings.gate().revokedTokens().get(0).warning()).isEqualTo("mapgate.gate.sites[0].token.tokens[1]"
                + ".file: token 'backup' is revoked: " + dir.resolve("shop-token") + " does not exist; requests"
                + " carrying it are denied until the file holds a token again");
        assertThat(settings.gate().site("shop").policy().credentials().tokenNames()).containsExactly("sentry");
        assertThat(settings.gate().site("blog").policy().acceptsToken(BLOG)).as("the other site's is in force")
                .isTrue();
        assertThat(settings.sources()).contains(dir.resolve("shop-token"), dir.resolve("blog-token"));
    }

    // ---- mistakes, each one line naming its key -------------------------------------------------

    @Test
    void aBadHostOrPrefixIsNamedBySiteAndPosition() {
        assertThat(problem(SHOP_SITE + """
                { name = blog, hosts = ["blog.example.com", "shop.example.com:8080"] }
                """)).isEqualTo("mapgate.gate.sites[1].hosts[1]: 'shop.example.com:8080' has a port: a site covers its"
                + " hosts on every port, so write the name alone");
        assertThat(problem("{ name = shop, path-prefixes = [\"/app/\", \"shop/\"] }"))
                .isEqualTo("mapgate.gate.sites[0].path-prefixes[1]: 'shop/' must start with '/', as in /shop/");
        assertThat(problem("{ name = shop, hosts = [\"*.*.example.com\"] }"))
                .startsWith("mapgate.gate.sites[0].hosts[0]: '*.*.example.com' is not a host name");
    }

    @Test
    void aSiteNameIsRequiredPlainAndUsedOnce() {
        assertThat(problem("{ hosts = [\"shop.example.com\"] }")).isEqualTo("mapgate.gate.sites[0].name: must be set");
        assertThat(problem("{ name = \"my shop\", hosts = [\"shop.example.com\"] }"))
                .isEqualTo("mapgate.gate.sites[0].name: a site's name must be 1 to 64 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit");
        assertThat(problem("{ name = None, hosts = [\"shop.example.com\"] }"))
                .startsWith("mapgate.gate.sites[0].name: 'none' is what metrics say");
        assertThat(problem(SHOP_SITE + """
                { name = blog, hosts = ["blog.example.com"] }
                { name = shop, hosts = ["other.example.com"] }
                """)).isEqualTo("mapgate.gate.sites[2].name: the site name 'shop' is used twice");
    }

    @Test
    void aSiteThatListsNeitherHostsNorPrefixesIsRefusedRatherThanReplacingTheGatesOwnSettings() {
        String expected = "mapgate.gate.sites[0]: list hosts, path-prefixes or both; a site that covers every request"
                + " would replace the gate's own settings";

        assertThat(problem("{ name = shop }")).isEqualTo(expected);
        assertThat(problem("{ name = shop, hosts = [], path-prefixes = [] }")).isEqualTo(expected);
    }

    @Test
    void aGateWideKeyInsideASiteIsRefusedSayingWhereItBelongs() {
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], token.header = X-Shop-Token }"))
                .isEqualTo("mapgate.gate.sites[0].token.header: the token header is gate-wide; set"
                        + " mapgate.gate.token.header");
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], basic.realm = shop }"))
                .isEqualTo("mapgate.gate.sites[0].basic.realm: the Basic realm is gate-wide; set mapgate.gate.basic.realm");
        for (String key : List.of("paths = [\"**/*.map\"]", "sibling-names = off", "throttle.enabled = off",
                "content-guard = off")) {
            String name = key.split("[ .]")[0];
            assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], " + key + " }"))
                    .as("a site cannot change %s for its own requests", name)
                    .startsWith("mapgate.gate.sites[0]." + name + ": ")
                    .endsWith(" is gate-wide; set mapgate.gate." + name);
        }
    }

    @Test
    void anUnknownKeyAnywhereInASiteIsRefusedWithASuggestion() {
        assertThat(problem("{ name = shop, host = [\"shop.example.com\"] }"))
                .isEqualTo("mapgate.gate.sites[0].host: unknown key; did you mean hosts?");
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], token.token = [] }"))
                .isEqualTo("mapgate.gate.sites[0].token.token: unknown key; did you mean tokens?");
        assertThat(problem(SHOP_SITE.replace("value =", "vaule =")))
                .isEqualTo("mapgate.gate.sites[0].token.tokens[0].vaule: unknown key; did you mean value?");
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], basic.users = [ { name = a, password = b } ] }"))
                .isEqualTo("mapgate.gate.sites[0].basic.users[0].password: unknown key");
        assertThat(problem("\"shop\""))
                .startsWith("mapgate.gate.sites[0]: expected an object with name, hosts, path-prefixes, require,"
                        + " allow-ips, deny-status, token, basic, got a string");
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], token = \"" + SHOP + "\" }"))
                .startsWith("mapgate.gate.sites[0].token: expected an object { ... }, got a string")
                .doesNotContain(SHOP);
    }

    @Test
    void aSitesOwnSettingsAreCheckedAsTheGatesAreNamingTheSitesKeys() {
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], require = [ip, ipp] }"))
                .isEqualTo("mapgate.gate.sites[0].require[1]: \"ipp\" is not one of ip, credential");
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], require = [] }"))
                .startsWith("mapgate.gate.sites[0].require: must not be empty");
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], deny-status = 500 }"))
                .isEqualTo("mapgate.gate.sites[0].deny-status: 500 is not one of 404, 401, 403");
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], allow-ips = [\"10.0.0.0/8\", \"10.0.0.1/8\"] }"))
                .startsWith("mapgate.gate.sites[0].allow-ips[1]: ");
        assertThat(problem("{ name = shop, hosts = [\"shop.example.com\"], basic.htpasswd-file = missing.htpasswd }"))
                .startsWith("mapgate.gate.sites[0].basic.htpasswd-file: " + dir.resolve("missing.htpasswd"));
    }

    @Test
    void aBadTokenOrUserInASiteNamesItsKeyAndNeverItsSecret() {
        String hash = "$2y$04$notAValidBcryptHashAtAll";

        assertThat(problem(SHOP_SITE.replace("value = \"" + SHOP + "\"", "value = \"  \"")))
                .isEqualTo("mapgate.gate.sites[0].token.tokens[0].value: token 'sentry-shop' has an empty value");
        assertThat(problem(SHOP_SITE.replace("value = \"" + SHOP + "\"", "value = [\"" + SHOP + "\"]")))
                .startsWith("mapgate.gate.sites[0].token.tokens[0].value: expected a string, got a list")
                .doesNotContain(SHOP);
        assertThat(problem(SHOP_SITE.replace("value = \"" + SHOP + "\"", "value = \"" + SHOP + "\", file = f")))
                .isEqualTo("mapgate.gate.sites[0].token.tokens[0]: set exactly one of value and file; both are set");
        assertThat(problem("{ name = blog, hosts = [\"blog.example.com\"], basic.users = [ { name = x, password-hash ="
                + " \"" + BCrypt.withDefaults().hashToString(10, "pw".toCharArray()) + "\" }, { name = alice,"
                + " password-hash = \"" + hash + "\" } ] }"))
                .startsWith("mapgate.gate.sites[0].basic.users[1].password-hash: Basic user 'alice'")
                .doesNotContain(hash);
    }

    // ---- warnings, in the config's words ----------------------------------------------------------

    @Test
    void aTokenValueInTwoSitesOrInASiteAndTheGatesOwnIsWarnedAboutByName() {
        Settings settings = load(SHOP_SITE + """
                { name = blog, hosts = ["blog.example.com"], token.tokens = [ { name = sentry-blog, value = "%s" } ] }
                { name = docs, hosts = ["docs.example.com"], token.tokens = [ { name = old, value = "%s" } ] }
                """.formatted(SHOP, LEGACY));

        assertThat(settings.warnings()).containsExactly(
                "gate.sites: the token 'legacy' of the gate's own settings also opens site 'docs', which has a token with the"
                        + " same value; give each site its own token, so that one can be revoked without the other",
                "gate.sites: the token 'sentry-shop' of site 'shop' also opens site 'blog', which has a token with the same"
                        + " value; give each site its own token, so that one can be revoked without the other");
        assertThat(String.join("\n", settings.warnings())).doesNotContain(SHOP, LEGACY);
    }

    @Test
    void aSiteThatAnEarlierOneHidesAndSitesThatOverlapAreWarnedAbout() {
        Settings settings = load("""
                { name = shop, path-prefixes = ["/shop/"], token.tokens = [ { name = a, value = "%s" } ] }
                { name = admin, path-prefixes = ["/shop/admin/"], token.tokens = [ { name = a, value = "%s" } ] }
                { name = shop2, path-prefixes = ["/SHOP"], token.tokens = [ { name = a, value = "%s" } ] }
                """.formatted(SHOP, BLOG, SHOP.replace('3', '4')));

        assertThat(settings.warnings()).containsExactly(
                "gate.sites: site 'shop2' judges no request: 'shop', listed before it, covers everything it covers"
                        + " (any host under /shop/)",
                "gate.sites: sites 'shop' and 'admin' both cover any host under /shop/admin/: 'admin' judges those"
                        + " requests (the longer prefix wins), not 'shop', so only the credentials of 'admin' open the maps there");
    }

    @Test
    void aSiteWithTheSameHostAndPrefixAsAnEarlierOneIsWarnedAboutAsJudgingNothing() {
        Settings settings = load("""
                { name = a, hosts = ["shop.example.com"], path-prefixes = ["/shop/"]
                  token.tokens = [ { name = t, value = "%s" } ] }
                { name = b, hosts = ["Shop.Example.com."], path-prefixes = ["/shop"]
                  token.tokens = [ { name = t, value = "%s" } ] }
                """.formatted(SHOP, BLOG));

        assertThat(settings.warnings()).as("the same host and folder, however written").containsExactly(
                "gate.sites: site 'b' judges no request: 'a', listed before it, covers everything it covers"
                        + " (shop.example.com under /shop/)");
    }

    @Test
    void aSiteThatRequiresACredentialItDoesNotHaveIsWarnedAboutUnderItsOwnKeys() {
        Settings settings = load(SHOP_SITE + """
                { name = blog, path-prefixes = ["/blog/"], require = [ip], allow-ips = [] }
                { name = docs, path-prefixes = ["/docs/"] }
                """);

        assertThat(settings.warnings()).containsExactly(
                "gate.sites[1].require includes ip but gate.sites[1].allow-ips is empty: no request to site 'blog' can"
                        + " be allowed",
                "gate.sites[2].require includes credential but no token or user is configured (gate.sites[2].token.tokens,"
                        + " gate.sites[2].basic.users, gate.sites[2].basic.htpasswd-file): no request to site 'docs' can"
                        + " be allowed");
    }

    /**
     * With sites, the gate's own settings without a credential deny every gated request no site
     * covers: how a config keeps each app's maps to its own project, not a mistake to warn about.
     */
    @Test
    void theGatesOwnSettingsWithoutACredentialBesideSitesAreNotWarnedAbout() {
        Settings settings = TestConfigFile.load(dir, GATE.formatted(SHOP_SITE).replace("token.tokens = [ { name = legacy,"
                + " value = \"" + LEGACY + "\" } ]", ""), Map.of());

        assertThat(settings.warnings()).isEmpty();
    }

    @Test
    void aShortTokenInASiteIsWarnedAboutUnderTheSitesKey() {
        Settings settings = load(SHOP_SITE.replace(SHOP, "short-shop-token"));

        assertThat(settings.warnings()).containsExactly("mapgate.gate.sites[0].token.tokens[0]: token 'sentry-shop' is"
                + " shorter than 32 characters, which makes it easier to guess; make one with `openssl rand -hex 32`"
                + " and give Sentry the same value");
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** The gate's own settings with {@code sites} as the elements of gate.sites. */
    private Settings load(String sites) {
        return TestConfigFile.load(dir, GATE.formatted(sites), Map.of());
    }

    private String problem(String sites) {
        return TestConfigFile.problem(dir, GATE.formatted(sites), Map.of());
    }

    private static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    /** Parsed as a literal, never looked up. */
    private static InetAddress address(String literal) {
        return NetUtil.createInetAddressFromIpAddressString(literal);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
