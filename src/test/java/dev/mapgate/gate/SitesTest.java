package dev.mapgate.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which site judges a request, and what check-config says about how the sites share requests out. */
class SitesTest {

    private static final PathGlobs MAPS = PathGlobs.compile(List.of("**/*.map"));
    private static final CidrSet NO_IPS = CidrSet.parse(List.of());

    /** The gate's own settings, with a staging token of their own. */
    private static final Site UNNAMED = Site.unnamed(policy(null, new Token("staging", "staging-secret")), 404);

    /** A site whose one token is named and valued after the site, so no two sites share one. */
    private static Site site(String name, List<String> hosts, List<String> prefixes) {
        return site(name, hosts, prefixes, new Token(name + "-deploy", "secret-of-" + name));
    }

    private static Site site(String name, List<String> hosts, List<String> prefixes, Token... tokens) {
        return new Site(name, SiteScope.of(hosts, prefixes), policy(name, tokens), 404);
    }

    private static GatePolicy policy(String site, Token... tokens) {
        return new GatePolicy(site, MAPS, EnumSet.of(Check.CREDENTIAL), NO_IPS,
                new Credentials(Arrays.asList(tokens), List.of()));
    }

    private static Sites sites(Site... named) {
        return new Sites(UNNAMED, List.of(named));
    }

    /** The name of the site that judges the request; "-" for the gate's own settings, "null" for a 400. */
    private static String selected(Sites sites, String host, String path) {
        Site site = sites.select(host, path);
        return site == null ? "null" : site.name() == null ? "-" : site.name();
    }

    // ---- selection ----

    /** Hosts beat prefixes, exact hosts beat wildcards, the longest wildcard and prefix win. */
    private static final Sites MIXED = sites(
            site("app", List.of("app.example.com"), List.of()),
            site("app-shop", List.of("app.example.com"), List.of("/shop")),
            site("checkout", List.of("checkout.example.com"), List.of("/pay/")),
            site("example", List.of("*.example.com"), List.of()),
            site("eu", List.of("*.eu.example.com"), List.of()),
            site("blog", List.of(), List.of("/blog")),
            site("blog-admin", List.of(), List.of("/blog/admin/")));

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // An exact host, then the longest of its prefixes.
            "app.example.com        | /app.js.map               | app",
            "app.example.com        | /shop/app.js.map          | app-shop",
            "app.example.com        | /shop/                    | app-shop",
            "app.example.com        | /shop/deep/er/app.js.map  | app-shop",
            // A prefix is a folder: /shop does not cover /shopping.
            "app.example.com        | /shopping/x.map           | app",
            "app.example.com        | /shop                     | app",
            "app.example.com        | /shop-old/x.map           | app",
            // Prefixes compare ignoring case, as case-insensitive origins read them.
            "app.example.com        | /SHOP/x.map               | app-shop",
            "app.example.com        | /Shop/X.MAP               | app-shop",
            // The Host is normalised: case, one trailing dot and the port do not matter.
            "App.Example.COM.:8443  | /shop/x.map               | app-shop",
            "APP.EXAMPLE.COM        | /x.map                    | app",
            "app.example.com:80     | /x.map                    | app",
            // A host beats a path prefix.
            "app.example.com        | /blog/x.map               | app",
            // An exact host whose prefixes do not cover the path gives way to a wildcard.
            "checkout.example.com   | /pay/x.map                | checkout",
            "checkout.example.com   | /other/x.map              | example",
            // A wildcard covers every depth below its domain, the longest wildcard first.
            "www.example.com        | /x.map                    | example",
            "a.b.c.example.com      | /x.map                    | example",
            "fr.eu.example.com      | /x.map                    | eu",
            "a.fr.eu.example.com    | /x.map                    | eu",
            "eu.example.com         | /x.map                    | example",
            "WWW.Example.Com.       | /blog/x.map               | example",
            // ... but not the domain itself.
            "example.com            | /x.map                    | -",
            "example.com            | /blog/x.map               | blog",
            "evilexample.com        | /x.map                    | -",
            // Without a host site, the longest prefix.
            "other.net              | /blog/x.map               | blog",
            "other.net              | /blog/admin/x.map         | blog-admin",
            "other.net              | /BLOG/Admin/x.map         | blog-admin",
            "other.net              | /blog/administrator/x.map | blog",
            "other.net              | /blogs/x.map              | -",
            "[2001:db8::1]:8080     | /blog/x.map               | blog",
            "192.0.2.1              | /x.map                    | -",
    })
    void theMostSpecificSiteJudges(String host, String path, String site) {
        assertThat(selected(MIXED, host, path)).isEqualTo(site);
    }

    @ParameterizedTest(name = "Host [{0}]")
    @CsvSource(nullValues = "NULL", value = {"NULL", "''", "app example.com", "app.example.com:", "app.example.com:99999",
            "user@app.example.com", "[::1", "app.example.com/x", "*.example.com"})
    void withHostSitesARequestWithoutAReadableHostCannotBeJudged(String host) {
        assertThat(MIXED.needsHost()).isTrue();

        assertThat(MIXED.select(host, "/blog/x.map")).as("nobody can say which site's rules apply: 400").isNull();
        assertThat(MIXED.select(host, "/x.map")).isNull();
    }

    /**
     * Hosts with an empty label name no host, yet Authority reads them, and an origin that drops
     * the empty label reads a listed host: app.example.com, whose maps the wildcard's token or the
     * gate's own would otherwise open.
     */
    @ParameterizedTest(name = "Host [{0}]")
    @CsvSource({"app..example.com", ".app.example.com", "app.example.com..", "app.example.com..:443", ".", ".."})
    void withHostSitesAHostWithAnEmptyLabelCannotBeJudged(String host) {
        assertThat(selected(MIXED, host, "/x.map")).isEqualTo("null");
    }

    @Test
    void withOnlyPrefixSitesTheHostIsNotNeeded() {
        Sites byPath = sites(site("blog", List.of(), List.of("/blog/")), site("shop", List.of(), List.of("/shop/")));

        assertThat(byPath.needsHost()).isFalse();
        assertThat(selected(byPath, null, "/blog/x.map")).isEqualTo("blog");
        assertThat(selected(byPath, "", "/shop/x.map")).isEqualTo("shop");
        assertThat(selected(byPath, "not a host!", "/shop/x.map")).isEqualTo("shop");
        assertThat(selected(byPath, null, "/x.map")).isEqualTo("-");
    }

    @Test
    void withoutNamedSitesEveryRequestIsTheGatesOwnWhateverItsHost() {
        Sites none = Sites.none(UNNAMED);

        assertThat(none.needsHost()).isFalse();
        assertThat(none.select(null, "/x.map")).isSameAs(UNNAMED);
        assertThat(none.select("not a host!", "/shop/x.map")).isSameAs(UNNAMED);
        assertThat(none.select("app.example.com", "/")).isSameAs(UNNAMED);
    }

    @Test
    void betweenTwoSitesCoveringExactlyTheSameTheFirstListedJudges() {
        Sites tie = sites(
                site("first", List.of("t.example.com"), List.of("/x/")),
                site("second", List.of("T.Example.com."), List.of("/X")),
                site("wild-1", List.of("*.w.example.com"), List.of()),
                site("wild-2", List.of("*.W.example.com"), List.of()),
                site("any-1", List.of(), List.of("/y")),
                site("any-2", List.of(), List.of("/Y/")));

        assertThat(selected(tie, "t.example.com", "/x/a.map")).isEqualTo("first");
        assertThat(selected(tie, "a.w.example.com", "/a.map")).isEqualTo("wild-1");
        assertThat(selected(tie, "elsewhere.net", "/y/a.map")).isEqualTo("any-1");
    }

    @Test
    void aSiteWithAPrefixOfSlashCoversEveryPathLikeOneWithoutPrefixes() {
        Sites slash = sites(site("root", List.of(), List.of("/")), site("shop", List.of(), List.of("/shop/")));

        assertThat(selected(slash, null, "/x.map")).isEqualTo("root");
        assertThat(selected(slash, null, "/")).isEqualTo("root");
        assertThat(selected(slash, null, "/shop/x.map")).as("the longer prefix").isEqualTo("shop");
    }

    // ---- paths that origins read another way ----

    /** Sites split by folder; the gate's own staging token opens what neither covers. */
    private static final Sites BY_FOLDER = sites(
            site("static", List.of(), List.of("/static/")),
            site("shop", List.of(), List.of("/shop/")),
            site("checkout", List.of(), List.of("/checkout-app/")));

    /**
     * Each request-target is one the gate reads outside the shop's (or checkout's) folder and some
     * origin serves from inside it. Judged by the site the gate reads, it would open the shop's maps
     * to the staging or static token; no site can be trusted with it, so it is refused.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // Tomcat, Jetty and Spring drop ";params" from each segment ...
            "/shop;jsessionid=1/app.js.map                     | Tomcat: /shop/app.js.map",
            // ... then resolve the '..' that is left, or merge the empty segment.
            "/static/..;/shop/app.js.map                       | Tomcat: /shop/app.js.map",
            "/static/..;x/shop/app.js.map                      | Tomcat: /shop/app.js.map",
            "/;/shop/app.js.map                                | Tomcat: /shop/app.js.map",
            // IIS reads a folder's ::$INDEX_ALLOCATION stream as the folder ...
            "/shop::$INDEX_ALLOCATION/app.js.map               | IIS: /shop/app.js.map",
            "/shop:x/app.js.map                                | IIS: /shop/app.js.map",
            // ... and a long name's 8.3 alias as the long name.
            "/CHECKO~1/app.js.map                              | IIS: /checkout-app/app.js.map",
            "/checko~12/app.js.map                             | IIS: /checkout-app/app.js.map",
            // Some origins fold Unicode compatibility characters (NFKC): fullwidth letters.
            "/%EF%BD%93%EF%BD%88%EF%BD%8F%EF%BD%90/app.js.map  | NFKC: /shop/app.js.map",
            "/s%EF%BD%88op/app.js.map                          | NFKC: /shop/app.js.map",
    })
    void aPathThatAnOriginMayServeFromAnotherSitesFolderIsRefused(String target, String servedAs) {
        String path;
        try {
            path = RequestTarget.parse(target).path();
        } catch (RequestTarget.BadTargetException e) {
            // Refused before any site is chosen (a dot or empty segment once ";params" are dropped).
            return;
        }
        assertThat(selected(BY_FOLDER, "any.example.com", path))
                .as("%s is served as %s", target, servedAs).isEqualTo("null");
    }

    /** Request-targets whose every reading stays in the one site. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/shop/app.js.map;v=2                  | shop",
            "/shop/js;v=2/app.js.map               | shop",
            "/shop/app.js.map::$DATA               | shop",
            "/shop/js:x/app.js.map                 | shop",
            "/shop/a~1/app.js.map                  | shop",
            "/shop/%EF%BD%86%EF%BD%8F/app.js.map   | shop",
            "/%C5%BFhop/app.js.map                 | shop",
            "/~user/app.js.map                     | -",
            "/other;x/app.js.map                   | -",
            "/caf%C3%A9/app.js.map                 | -",
            "/app.js.map;x                         | -",
            "/static/app~1.js.map                  | static",
    })
    void aPathWhoseReadingsAllFallInOneSiteIsThatSites(String target, String site)
            throws RequestTarget.BadTargetException {
        assertThat(selected(BY_FOLDER, null, RequestTarget.parse(target).path())).isEqualTo(site);
    }

    @Test
    void aPrefixWrittenDecomposedCoversThePathThatBrowsersSendComposed() {
        // Some editors save "é" as "e" and a combining accent; browsers send it composed, and
        // normalisation-insensitive origins (APFS) serve either spelling from the one folder.
        Sites cafe = sites(site("cafe", List.of(), List.of("/café/")));

        assertThat(selected(cafe, null, "/café/app.js.map")).isEqualTo("cafe");
        assertThat(selected(cafe, null, "/café/app.js.map"))
                .as("the decomposed spelling reads as the gate's own to an origin that does not fold, as the"
                        + " cafe's to one that does").isEqualTo("null");
    }

    @Test
    void sitesThatSplitOnlyByHostDoNotReadThePath() {
        Sites byHost = sites(site("shop", List.of("shop.example.com"), List.of()));

        assertThat(selected(byHost, "shop.example.com", "/static/..;/shop/app.js.map")).isEqualTo("shop");
        assertThat(selected(byHost, "other.example.com", "/CHECKO~1/app.js.map")).isEqualTo("-");
    }

    /**
     * A path letter whose Unicode case maps onto a prefix's ASCII letter counts as that letter:
     * NTFS (simple upper case) and NFKC origins read some of them so, and judging the rest by the
     * prefix's site only gates them more, never less.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/\u212Aitchen/app.js.map | Kelvin sign",
            "/\u017Fhop/app.js.map    | long s",
            "/\u0131tems/app.js.map   | dotless i",
            "/\u0130tems/app.js.map   | dotted capital I",
    })
    void unicodeLettersThatCaseMapOntoAsciiCountAsTheAsciiLetter(String path, String letter) {
        Sites sites = sites(site("kitchen", List.of(), List.of("/kitchen/")), site("shop", List.of(), List.of("/shop")),
                site("items", List.of(), List.of("/items/")));

        assertThat(selected(sites, null, path)).as(letter).isNotEqualTo("-").isNotEqualTo("null");
    }

    // ---- lookup ----

    @Test
    void sitesAreFoundByNameAndListedWithTheGatesOwnFirst() {
        Site blog = site("blog", List.of(), List.of("/blog/"));
        Site shop = site("shop", List.of("shop.example.com"), List.of());
        Sites sites = sites(blog, shop);

        assertThat(sites.site("blog")).isSameAs(blog);
        assertThat(sites.site("shop")).isSameAs(shop);
        assertThat(sites.site(null)).as("null asks for the gate's own settings").isSameAs(UNNAMED);
        assertThat(sites.site("none")).isNull();
        assertThat(sites.unnamed()).isSameAs(UNNAMED);
        assertThat(sites.named()).containsExactly(blog, shop);
        assertThat(sites.all()).containsExactly(UNNAMED, blog, shop);
        assertThat(Sites.none(UNNAMED).all()).containsExactly(UNNAMED);
    }

    @Test
    void aNameUsedTwiceInAnyCaseIsRefusedNamingTheSecond() {
        assertThatThrownBy(() -> sites(site("blog", List.of(), List.of("/a/")), site("shop", List.of(), List.of("/b/")),
                site("Blog", List.of(), List.of("/c/"))))
                .isInstanceOfSatisfying(InvalidEntry.class, e -> {
                    assertThat(e.field()).isEqualTo(InvalidEntry.Field.SITE_NAME);
                    assertThat(e.index()).isEqualTo(2);
                    assertThat(e.entry()).isEqualTo("Blog");
                })
                .hasMessageContaining("used twice");
    }

    @Test
    void theGatesOwnSettingsHaveNoNameAndEveryNamedSiteHasOne() {
        Site named = site("blog", List.of(), List.of());
        Site nameless = new Site(null, SiteScope.of(List.of(), List.of("/x/")), policy(null), 404);

        assertThatThrownBy(() -> new Sites(named, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sites(nameless)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSitesPolicyMustJudgeForThatSite() {
        assertThatThrownBy(() -> new Site("blog", SiteScope.EVERYTHING, policy("shop"), 404))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Site.unnamed(policy("shop"), 404)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theListGivenIsCopied() {
        List<Site> named = new ArrayList<>(List.of(site("blog", List.of(), List.of("/blog/"))));
        Sites sites = new Sites(UNNAMED, named);
        named.add(site("shop", List.of(), List.of("/shop/")));

        assertThat(sites.named()).extracting(Site::name).containsExactly("blog");
        assertThat(selected(sites, null, "/shop/x.map")).isEqualTo("-");
    }

    @Test
    void aSiteShowsItsNameAndScopeButNeverItsTokens() {
        Site shop = site("shop", List.of("shop.example.com"), List.of("/shop/"));

        assertThat(shop.toString()).contains("shop", "shop.example.com", "/shop/").doesNotContain("secret-of-shop");
        assertThat(sites(shop).toString()).doesNotContain("secret-of-shop");
    }

    // ---- warnings ----

    private static List<GateWarning> warnings(Site... named) {
        return sites(named).warnings();
    }

    /** The subject of the one warning {@code named} give, which must be of {@code kind} and about no one site. */
    private static String onlyWarning(GateWarning.Kind kind, Site... named) {
        List<GateWarning> warnings = warnings(named);
        assertThat(warnings).extracting(GateWarning::kind, GateWarning::site)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(kind, null));
        return warnings.get(0).subject();
    }

    private static List<GateWarning> ofKind(List<GateWarning> warnings, GateWarning.Kind kind) {
        return warnings.stream().filter(w -> w.kind() == kind).toList();
    }

    @Test
    void sitesThatShareNothingDoNotWarn() {
        assertThat(warnings(site("app", List.of("app.example.com"), List.of()),
                site("shop", List.of("shop.example.com"), List.of("/shop/")),
                site("shop-blog", List.of("shop.example.com"), List.of("/blog/")))).isEmpty();
        assertThat(warnings(site("blog", List.of(), List.of("/blog/")), site("docs", List.of(), List.of("/docs/"))))
                .isEmpty();
    }

    @Test
    void aSiteCoveringOnlyWhatAnEarlierOneCoversJudgesNothing() {
        List<GateWarning> warnings = warnings(
                site("first", List.of("x.example.com"), List.of("/shop")),
                site("second", List.of("X.Example.com."), List.of("/SHOP/")));

        assertThat(warnings).hasSize(1);
        GateWarning warning = warnings.get(0);
        assertThat(warning.kind()).isEqualTo(GateWarning.Kind.UNREACHABLE_SITE);
        assertThat(warning.site()).as("the warning is about the second site").isEqualTo("second");
        assertThat(warning.subject()).isEqualTo("site 'second' judges no request: 'first', listed before it, covers"
                + " everything it covers (x.example.com under /shop/)");
    }

    @Test
    void aSitePartlyCoveredByAnEarlierOneNeverJudgesThatPart() {
        List<GateWarning> warnings = ofKind(warnings(
                site("first", List.of("x.example.com"), List.of("/shop/")),
                site("second", List.of("x.example.com"), List.of("/shop/", "/blog/"))),
                GateWarning.Kind.UNREACHABLE_SITE);

        assertThat(warnings).singleElement().satisfies(warning -> {
            assertThat(warning.site()).isEqualTo("second");
            assertThat(warning.subject()).isEqualTo("site 'second' never judges x.example.com under /shop/:"
                    + " 'first', listed before it, covers the same");
        });
    }

    @Test
    void twoSitesWithoutPrefixesForTheSameHostsAreTheSameScope() {
        List<GateWarning> warnings = ofKind(warnings(
                site("first", List.of(), List.of()),
                site("second", List.of(), List.of("/"))), GateWarning.Kind.UNREACHABLE_SITE);

        assertThat(warnings).singleElement().extracting(GateWarning::subject).asString()
                .startsWith("site 'second' judges no request").contains("any host under /");
    }

    @Test
    void nestedPrefixesWarnNamingTheSiteThatJudgesThere() {
        assertThat(onlyWarning(GateWarning.Kind.OVERLAPPING_SITES,
                site("app", List.of(), List.of("/app")), site("admin", List.of(), List.of("/app/admin"))))
                .isEqualTo("sites 'app' and 'admin' both cover any host under /app/admin/:"
                        + " 'admin' judges those requests (the longer prefix wins), not 'app', so only the credentials of 'admin' open the maps there");
    }

    @Test
    void theLongerPrefixIsNamedAsTheWinnerWhicheverIsListedFirst() {
        assertThat(onlyWarning(GateWarning.Kind.OVERLAPPING_SITES,
                site("admin", List.of(), List.of("/app/admin")), site("app", List.of(), List.of("/app"))))
                .contains("'admin' judges those requests (the longer prefix wins), not 'app', so only the credentials of 'admin' open the maps there");
    }

    @Test
    void aHostSiteElsewhereDoesNotChangeWhichOfTwoNestedPrefixesIsNamedTheWinner() {
        // With a site that lists hosts, a request without a host cannot be judged; the probe for
        // "any host" must still find the site a request for an unlisted host would get.
        List<GateWarning> overlaps = ofKind(warnings(
                site("admin", List.of(), List.of("/app/admin")),
                site("app", List.of(), List.of("/app")),
                site("other", List.of("other.example.com"), List.of("/elsewhere/"))), GateWarning.Kind.OVERLAPPING_SITES);

        assertThat(overlaps).extracting(GateWarning::subject).containsExactly("sites 'admin' and 'app' both cover any"
                + " host under /app/admin/: 'admin' judges those requests (the longer prefix wins), not 'app', so only the credentials of 'admin' open the maps there");
    }

    @Test
    void aHostBesideAPathPrefixWarnsThatTheHostWins() {
        assertThat(onlyWarning(GateWarning.Kind.OVERLAPPING_SITES,
                site("blog", List.of(), List.of("/blog")), site("app", List.of("app.example.com"), List.of())))
                .isEqualTo("sites 'blog' and 'app' both cover app.example.com under /blog/:"
                        + " 'app' judges those requests (a host beats a path prefix), not 'blog', so only the credentials of 'app' open the maps there");
    }

    @Test
    void aWildcardBesideAnExactHostWarnsThatTheExactHostWins() {
        assertThat(onlyWarning(GateWarning.Kind.OVERLAPPING_SITES,
                site("all", List.of("*.example.com"), List.of()), site("app", List.of("app.example.com"), List.of())))
                .isEqualTo("sites 'all' and 'app' both cover app.example.com under /:"
                        + " 'app' judges those requests (an exact host beats a wildcard), not 'all', so only the credentials of 'app' open the maps there");
    }

    @Test
    void aWildcardDoesNotOverlapItsOwnDomainNorAnUnrelatedHost() {
        assertThat(warnings(site("all", List.of("*.example.com"), List.of()),
                site("bare", List.of("example.com"), List.of()),
                site("other", List.of("example.net"), List.of()))).isEmpty();
    }

    @Test
    void aTokenValueInTwoSitesWarnsNamingBoth() {
        Token shared = new Token("deploy", "one-secret-for-two");
        List<GateWarning> warnings = warnings(
                site("blog", List.of(), List.of("/blog/"), shared, new Token("blog-only", "blog-secret")),
                site("shop", List.of(), List.of("/shop/"), new Token("shop-deploy", "one-secret-for-two")));

        assertThat(warnings).singleElement().satisfies(warning -> {
            assertThat(warning.kind()).isEqualTo(GateWarning.Kind.SHARED_TOKEN);
            assertThat(warning.subject()).startsWith("the token 'deploy' of site 'blog' also opens site 'shop'")
                    .doesNotContain("one-secret-for-two").doesNotContain("blog-only");
        });
    }

    @Test
    void aSitesTokenThatIsAlsoTheGatesOwnWarns() {
        List<GateWarning> warnings = warnings(
                site("shop", List.of(), List.of("/shop/"), new Token("copied", "staging-secret")));

        assertThat(warnings).singleElement().satisfies(warning -> {
            assertThat(warning.kind()).isEqualTo(GateWarning.Kind.SHARED_TOKEN);
            assertThat(warning.subject()).startsWith("the token 'staging' of the gate's own settings also opens site 'shop'")
                    .doesNotContain("staging-secret");
        });
    }

    @Test
    void aSitesOwnPolicyWarningsCarryItsName() {
        Site open = new Site("open", SiteScope.of(List.of(), List.of("/open/")),
                new GatePolicy("open", MAPS, EnumSet.of(Check.IP, Check.CREDENTIAL), NO_IPS,
                        new Credentials(List.of(), List.of())), 404);

        assertThat(sites(open).warnings()).extracting(GateWarning::kind, GateWarning::site).containsExactly(
                org.assertj.core.groups.Tuple.tuple(GateWarning.Kind.IP_REQUIRED_NONE_ALLOWED, "open"),
                org.assertj.core.groups.Tuple.tuple(GateWarning.Kind.CREDENTIAL_REQUIRED_NONE_CONFIGURED, "open"));
    }

    @Test
    void theGateWidePathWarningsComeOnceFromTheGatesOwnSettings() {
        PathGlobs topOnly = PathGlobs.compile(List.of("*.map"));
        Credentials staging = new Credentials(List.of(new Token("staging", "staging-secret")), List.of());
        Site unnamed = Site.unnamed(new GatePolicy(topOnly, EnumSet.of(Check.CREDENTIAL), NO_IPS, staging), 404);
        List<Site> named = new ArrayList<>();
        for (String name : List.of("blog", "shop")) {
            named.add(new Site(name, SiteScope.of(List.of(), List.of("/" + name + "/")),
                    new GatePolicy(name, topOnly, EnumSet.of(Check.CREDENTIAL), NO_IPS,
                            new Credentials(List.of(new Token(name, "secret-of-" + name)), List.of())), 404));
        }

        assertThat(new Sites(unnamed, named).warnings()).extracting(GateWarning::kind, GateWarning::site)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(GateWarning.Kind.TOP_FOLDER_GLOB, null));
    }

    @Test
    void nothingGatedIsSaidOnceNotPerSite() {
        PathGlobs nothing = PathGlobs.compile(List.of());
        Site unnamed = Site.unnamed(new GatePolicy(nothing, EnumSet.of(Check.CREDENTIAL), NO_IPS,
                new Credentials(List.of(new Token("staging", "staging-secret")), List.of())), 404);
        Site blog = new Site("blog", SiteScope.of(List.of(), List.of("/blog/")), new GatePolicy("blog", nothing,
                EnumSet.of(Check.CREDENTIAL), NO_IPS, new Credentials(List.of(new Token("b", "b-secret")), List.of())), 404);

        assertThat(new Sites(unnamed, List.of(blog)).warnings()).extracting(GateWarning::kind)
                .containsExactly(GateWarning.Kind.NOTHING_GATED);
    }
}
