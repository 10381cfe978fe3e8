package dev.mapgate.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SiteScopeTest {

    @Test
    void hostsAreKeptAsTheGateComparesThemInLowerCaseWithoutATrailingDot() {
        SiteScope scope = SiteScope.of(List.of("App.Example.COM.", "*.Shop.Example.com", "[2001:DB8::1]"), List.of());

        assertThat(scope.hosts()).containsExactly("app.example.com", "*.shop.example.com", "[2001:db8::1]");
    }

    @Test
    void prefixesBecomeFoldersEndingInASlash() {
        SiteScope scope = SiteScope.of(List.of(), List.of("/shop", "/blog/", "/"));

        assertThat(scope.pathPrefixes()).containsExactly("/shop/", "/blog/", "/");
    }

    @Test
    void prefixesAreKeptInTheFormThatNfkcOriginsReadPathsIn() {
        SiteScope scope = SiteScope.of(List.of(), List.of("/café", "/ｓｈｏｐ/"));

        assertThat(scope.pathPrefixes()).containsExactly("/café/", "/shop/");
        assertThatThrownBy(() -> SiteScope.of(List.of(), List.of("/café/", "/café/")))
                .as("two spellings of one folder").isInstanceOf(InvalidEntry.class).hasMessageContaining("listed twice");
    }

    @Test
    void emptyListsCoverEveryHostAndEveryPath() {
        assertThat(SiteScope.of(List.of(), List.of())).isEqualTo(SiteScope.EVERYTHING);
        assertThat(SiteScope.EVERYTHING.hosts()).isEmpty();
        assertThat(SiteScope.EVERYTHING.pathPrefixes()).isEmpty();
    }

    @Test
    void theListsCannotBeChangedFromOutside() {
        List<String> hosts = new java.util.ArrayList<>(List.of("a.example.com"));
        SiteScope scope = new SiteScope(hosts, List.of());
        hosts.add("b.example.com");

        assertThat(scope.hosts()).containsExactly("a.example.com");
        assertThatThrownBy(() -> scope.hosts().add("c.example.com")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aHostWithAPortIsRefusedBecauseASiteCoversEveryPort() {
        assertThatThrownBy(() -> SiteScope.of(List.of("a.example.com", "app.example.com:8443"), List.of()))
                .isInstanceOfSatisfying(InvalidEntry.class, e -> {
                    assertThat(e.field()).isEqualTo(InvalidEntry.Field.HOST);
                    assertThat(e.index()).as("the position in the host list").isEqualTo(1);
                    assertThat(e.entry()).isEqualTo("app.example.com:8443");
                })
                .hasMessageContaining("has a port");
    }

    @ParameterizedTest
    @ValueSource(strings = {"*example.com", "a.*.example.com", "**.example.com", "*.*.example.com", "example.*",
            "*.", "", "exa mple.com", "user@example.com", "ex%41mple.com", "[::1", "*.[::1]x", "app..example.com", ".example.com",
            "*..example.com", "example.com..", "."})
    void aHostThatIsNeitherANameNorALeadingWildcardIsRefused(String host) {
        assertThatThrownBy(() -> SiteScope.of(List.of(host), List.of()))
                .isInstanceOfSatisfying(InvalidEntry.class, e -> {
                    assertThat(e.field()).isEqualTo(InvalidEntry.Field.HOST);
                    assertThat(e.index()).isZero();
                })
                .hasMessageContaining("is not a host name");
    }

    @Test
    void aHostListedTwiceUnderTwoSpellingsIsRefused() {
        assertThatThrownBy(() -> SiteScope.of(List.of("a.example.com", "A.Example.com."), List.of()))
                .isInstanceOfSatisfying(InvalidEntry.class, e -> {
                    assertThat(e.field()).isEqualTo(InvalidEntry.Field.HOST);
                    assertThat(e.index()).isEqualTo(1);
                })
                .hasMessageContaining("listed twice");
    }

    @Test
    void aPrefixListedTwiceIgnoringCaseAndTheTrailingSlashIsRefused() {
        assertThatThrownBy(() -> SiteScope.of(List.of(), List.of("/shop", "/SHOP/")))
                .isInstanceOfSatisfying(InvalidEntry.class, e -> {
                    assertThat(e.field()).isEqualTo(InvalidEntry.Field.PATH_PREFIX);
                    assertThat(e.index()).isEqualTo(1);
                    assertThat(e.entry()).isEqualTo("/SHOP/");
                })
                .hasMessageContaining("listed twice");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "shop/          | must start with '/'",
            "/shop//app/    | empty, '.' or '..' segment",
            "/shop/./app    | empty, '.' or '..' segment",
            "/shop/../blog  | empty, '.' or '..' segment",
            "/sh%6Fp/       | must be a plain path",
            "/shop?x/       | must be a plain path",
            "/shop#x/       | must be a plain path",
            "'/shop\\app/'  | must be a plain path",
            "/my shop/      | must be a plain path",
            "/shop;v1/      | ';' or ':'",
            "/c:/           | ';' or ':'",
            "/CHECKO~1/     | 8.3 alias",
            "/a/b~12/c/     | 8.3 alias",
    })
    void aPrefixThatNoCanonicalPathCanStartWithIsRefused(String prefix, String message) {
        assertThatThrownBy(() -> SiteScope.of(List.of(), List.of(prefix)))
                .as("a prefix no request can match would leave the site's maps to the gate's own credentials")
                .isInstanceOfSatisfying(InvalidEntry.class, e -> {
                    assertThat(e.field()).isEqualTo(InvalidEntry.Field.PATH_PREFIX);
                    assertThat(e.entry()).isEqualTo(prefix);
                })
                .hasMessageContaining(message);
    }

    @Test
    void aNullPrefixOrHostIsAnInvalidEntryNotACrash() {
        assertThatThrownBy(() -> SiteScope.of(List.of(), java.util.Collections.singletonList(null)))
                .isInstanceOf(InvalidEntry.class);
        assertThatThrownBy(() -> SiteScope.of(java.util.Collections.singletonList(null), List.of()))
                .isInstanceOf(InvalidEntry.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "app.example.com   | app.example.com       | true",
            "app.example.com   | www.app.example.com   | false",
            "app.example.com   | example.com           | false",
            "*.example.com     | app.example.com       | true",
            "*.example.com     | a.b.c.example.com     | true",
            "*.example.com     | example.com           | false",
            "*.example.com     | evilexample.com       | false",
            "*.example.com     | example.com.evil.net  | false",
            "*.example.com     | app.example.co        | false",
    })
    void aWildcardCoversEveryDepthBelowItsDomainButNotTheDomain(String pattern, String host, boolean matches) {
        assertThat(SiteScope.hostMatches(pattern, host)).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/shop/ | /shop/app.js.map      | true",
            "/shop/ | /shop/                | true",
            "/shop/ | /shop/a/b/app.js.map  | true",
            "/shop/ | /SHOP/app.js.map      | true",
            "/shop/ | /Shop/App.js.map      | true",
            "/shop/ | /shop                 | false",
            "/shop/ | /shopping/app.js.map  | false",
            "/shop/ | /shop-old/app.js.map  | false",
            "/shop/ | /blog/shop/app.js.map | false",
            "/      | /anything/at/all.map  | true",
    })
    void aPrefixCoversItsFolderIgnoringCaseAndNothingBesideIt(String prefix, String path, boolean matches) {
        assertThat(SiteScope.pathMatches(prefix, path)).isEqualTo(matches);
    }
}
