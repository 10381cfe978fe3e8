package dev.mapgate.gate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathGlobsTest {

    private static final PathGlobs DEFAULT = PathGlobs.compile(List.of("**/*.map"));

    @Test
    void mapGlobMatchesMapsAtAnyDepth() {
        assertThat(DEFAULT.matches("/app.js.map")).isTrue();
        assertThat(DEFAULT.matches("/a/b/c/app.js.map")).isTrue();
        assertThat(DEFAULT.matches("/static/x.css.map")).isTrue();
    }

    @Test
    void mapGlobIgnoresCase() {
        assertThat(DEFAULT.matches("/APP.JS.MAP"))
                .as("a case-insensitive origin serves /APP.JS.MAP as the map, so it must be gated")
                .isTrue();
        assertThat(DEFAULT.matches("/static/App.Js.Map")).isTrue();
    }

    @Test
    void mapGlobDoesNotMatchOtherFiles() {
        assertThat(DEFAULT.matches("/app.js")).isFalse();
        assertThat(DEFAULT.matches("/map")).isFalse();
        assertThat(DEFAULT.matches("/a.mapx")).isFalse();
        assertThat(DEFAULT.matches("/")).isFalse();
    }

    @Test
    void aCopyOfAMapUnderALongerNameIsGated() {
        // Precompressed copies and backups hold the map's bytes; build plugins write them beside it.
        for (String sibling : List.of("app.js.map.gz", "app.js.map.br", "app.js.map.zst", "app.js.map~",
                "app.js.map.bak", "app.js.map.orig", "app.js.map.old", "app.js.map.txt", "app.js.map.json",
                "app.js.map.gz.bak", "APP.JS.MAP.GZ", "app.js.map-old", "app.js.map_bak", "app.js.map,v",
                "app.js.map (1)", "#app.js.map#")) {
            assertThat(DEFAULT.matches("/assets/" + sibling)).as("/assets/%s", sibling).isTrue();
            assertThat(DEFAULT.matches("/assets/" + sibling + "/x.js")).as("/assets/%s with path-info", sibling).isTrue();
            assertThat(DEFAULT.matches("/assets/" + sibling + ";x.js")).as("/assets/%s;params", sibling).isTrue();
        }
    }

    @Test
    void aNameThatMerelyContainsMapIsNotGated() {
        for (String name : List.of("sitemap.xml", "mapbox-gl.js", "heatmap.3f2a.js", "roadmap.html", "x.mapping.js",
                "maps/index.html", "app.js", "map", "a.mapx", "app.js.mapper")) {
            assertThat(DEFAULT.matches("/assets/" + name)).as("/assets/%s", name).isFalse();
            assertThat(DEFAULT.matches("/" + name)).as("/%s", name).isFalse();
        }
    }

    @Test
    void siblingsCanBeLeftUngatedWhenAPublicFileNeedsIt() {
        PathGlobs exact = PathGlobs.compile(List.of("**/*.map"), false);

        assertThat(exact.matches("/leaflet.map.js")).isFalse();
        assertThat(exact.matches("/app.js.map")).isTrue();
        assertThat(DEFAULT.matches("/leaflet.map.js")).as("gated by default").isTrue();
    }

    @Test
    void globsThatReachOnlyTheTopFolderAreNamed() {
        PathGlobs globs = PathGlobs.compile(List.of("*.map", "/*.js.map", "**/*.map", "assets/*.map", "static/**"));

        assertThat(globs.topFolderOnly()).containsExactly("*.map", "/*.js.map");
        assertThat(globs.matches("/assets/app.js.map")).as("what the warning is about").isTrue();
        assertThat(PathGlobs.compile(List.of("*.map")).matches("/assets/app.js.map")).isFalse();
    }

    @Test
    void singleStarStaysWithinOneSegment() {
        PathGlobs globs = PathGlobs.compile(List.of("assets/*.js"));

        assertThat(globs.matches("/assets/a.js")).isTrue();
        assertThat(globs.matches("/assets/x/a.js")).isFalse();
        assertThat(globs.matches("/other/a.js")).isFalse();
    }

    @Test
    void leadingSlashOfAGlobIsOptional() {
        assertThat(PathGlobs.compile(List.of("/assets/*.js")).matches("/assets/a.js")).isTrue();
        assertThat(PathGlobs.compile(List.of("assets/*.js")).matches("/assets/a.js")).isTrue();
    }

    @Test
    void questionMarkMatchesExactlyOneCharacterButNotASlash() {
        PathGlobs globs = PathGlobs.compile(List.of("/v?/app.js"));

        assertThat(globs.matches("/v1/app.js")).isTrue();
        assertThat(globs.matches("/v12/app.js")).isFalse();
        assertThat(globs.matches("/v/app.js")).isFalse();
        assertThat(PathGlobs.compile(List.of("/a?b")).matches("/a/b")).isFalse();
    }

    @Test
    void doubleStarInTheMiddleMatchesZeroOrMoreSegments() {
        PathGlobs globs = PathGlobs.compile(List.of("static/**/*.map"));

        assertThat(globs.matches("/static/a.map")).isTrue();
        assertThat(globs.matches("/static/x/y/a.map")).isTrue();
        assertThat(globs.matches("/public/static/a.map")).isFalse();
    }

    @Test
    void trailingDoubleStarMatchesTheDirectoryAndEverythingBelow() {
        PathGlobs globs = PathGlobs.compile(List.of("private/**"));

        assertThat(globs.matches("/private")).isTrue();
        assertThat(globs.matches("/private/")).isTrue();
        assertThat(globs.matches("/private/a/b.txt")).isTrue();
        assertThat(globs.matches("/privateer")).isFalse();
    }

    @Test
    void repeatedDoubleStarsMeanTheSameAsOne() {
        PathGlobs globs = PathGlobs.compile(List.of("**/**/*.map"));

        assertThat(globs.matches("/a.map")).isTrue();
        assertThat(globs.matches("/x/y/a.map")).isTrue();
        assertThat(PathGlobs.compile(List.of("**/**")).matches("/anything/at/all")).isTrue();
    }

    @Test
    void regexMetacharactersAreLiteral() {
        PathGlobs globs = PathGlobs.compile(List.of("/a+b(1)[x]{2}$.map"));

        assertThat(globs.matches("/a+b(1)[x]{2}$.map")).isTrue();
        assertThat(globs.matches("/aab1x2.map")).isFalse();
        assertThat(PathGlobs.compile(List.of("/a.map")).matches("/axmap"))
                .as("'.' in a glob is a literal dot, not 'any character'")
                .isFalse();
        assertThat(PathGlobs.compile(List.of("/\\Q.map")).matches("/\\Q.map")).isTrue();
    }

    @Test
    void anyOfSeveralGlobsMatches() {
        PathGlobs globs = PathGlobs.compile(List.of("**/*.map", "/debug/**"));

        assertThat(globs.matches("/x.map")).isTrue();
        assertThat(globs.matches("/debug/info")).isTrue();
        assertThat(globs.matches("/x.js")).isFalse();
    }

    @Test
    void emptyListMatchesNothing() {
        PathGlobs none = PathGlobs.compile(List.of());

        assertThat(none.matches("/app.js.map")).isFalse();
        assertThat(none.isEmpty()).isTrue();
        assertThat(DEFAULT.isEmpty()).isFalse();
    }

    @Test
    void blankGlobIsRejected() {
        assertThatThrownBy(() -> PathGlobs.compile(List.of("**/*.map", "  ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'  '");
        assertThatThrownBy(() -> PathGlobs.compile(List.of("")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("''");
    }

    @Test
    void doubleStarThatIsNotAWholeSegmentIsRejected() {
        assertThatThrownBy(() -> PathGlobs.compile(List.of("a**b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'a**b'");
        assertThatThrownBy(() -> PathGlobs.compile(List.of("**.map")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'**.map'")
                .hasMessageContaining("whole segment");
    }

    @Test
    void aGatedNameInAnySegmentGatesEverythingBelowIt() {
        assertThat(DEFAULT.matches("/a/app.js.map/x.js"))
                .as("Apache with AcceptPathInfo serves /app.js.map/x.js as the map")
                .isTrue();
        assertThat(DEFAULT.matches("/a/app.js.map/")).isTrue();
        assertThat(DEFAULT.matches("/a.map/b/c.css")).isTrue();
        assertThat(PathGlobs.compile(List.of("static/*.map")).matches("/static/a.map/x.js")).isTrue();
        assertThat(PathGlobs.compile(List.of("static/*.map")).matches("/other/a.map/x.js")).isFalse();
    }

    @Test
    void pathParametersAreCutPerSegmentBeforeMatching() {
        assertThat(DEFAULT.matches("/a/app.js.map;.js"))
                .as("Tomcat and Spring drop ';params', so this is the map to them")
                .isTrue();
        assertThat(DEFAULT.matches("/a/app.js.map;jsessionid=1/x.js")).isTrue();
        assertThat(PathGlobs.compile(List.of("static/*.map")).matches("/static;v=1/a.map")).isTrue();
        assertThat(DEFAULT.matches("/a/app.js;x.map"))
                .as("the uncut name is tried too: an origin that keeps ';' serves the file 'app.js;x.map'")
                .isTrue();
        assertThat(DEFAULT.matches("/a/app;x.js")).isFalse();
    }

    @Test
    void aSegmentIsAlsoCutAtItsFirstColon() {
        assertThat(DEFAULT.matches("/a/app.js.map::$DATA"))
                .as("IIS serves a file's default data stream under name::$DATA")
                .isTrue();
        assertThat(DEFAULT.matches("/a/x:y.map;z")).as("cut at ';' only: 'x:y.map'").isTrue();
        assertThat(DEFAULT.matches("/wiki/Special:Search.js")).isFalse();
    }

    @Test
    void compatibilityFoldedLettersAreMatchedAfterFolding() {
        assertThat(DEFAULT.matches("/app.js.\uFF4D\uFF41\uFF50".translateEscapes()))
                .as("an origin that applies NFKC reads a fullwidth 'map' as 'map'")
                .isTrue();
        assertThat(DEFAULT.matches("/app.js.\uFF2D\uFF21\uFF30".translateEscapes())).isTrue();
        assertThat(DEFAULT.matches("/café.js")).isFalse();
    }

    @Test
    void unicodeLineSeparatorsDoNotEndAMatch() {
        assertThat(DEFAULT.matches("/app.js.map/\u2028.js".translateEscapes())).isTrue();
        assertThat(PathGlobs.compile(List.of("/private/**")).matches("/private/\u2029x".translateEscapes())).isTrue();
    }

    @Test
    void aGlobOfWildcardsAloneGatesEveryPath() {
        assertThat(PathGlobs.compile(List.of("**")).matches("/assets/app.js")).isTrue();
        assertThat(PathGlobs.compile(List.of("**/*.map", "/*")).matches("/index.html")).isTrue();
    }

    @Test
    void eachGlobIsMatchedOnItsOwn() {
        PathGlobs globs = PathGlobs.compile(List.of("**/*.map", "private/*.json"));

        assertThat(globs.matches("/private/keys.json")).isTrue();
        assertThat(globs.matches("/PRIVATE/Keys.JSON")).isTrue();
        assertThat(globs.matches("/public/keys.json")).isFalse();
        assertThat(globs.matches("/private.json/keys.map")).isTrue();
    }

    @Test
    void aNonAsciiLetterInAGlobAlsoMatchesTheAsciiLetterItFoldsTo() {
        assertThat(PathGlobs.compile(List.of("**/*.\u212Aey".translateEscapes())).matches("/certs/server.key"))
                .as("case-insensitive matching takes the Kelvin sign for 'k'")
                .isTrue();
    }

    @Test
    void cuttingKeepsEverySegmentUpToItsDelimiter() {
        assertThat(PathGlobs.cutSegmentsAt("/a;x/b;y;z/c", ';')).isEqualTo("/a/b/c");
        assertThat(PathGlobs.cutSegmentsAt("/;x/b", ';')).isEqualTo("//b");
        assertThat(PathGlobs.cutSegmentsAt("/a/b", ';')).isEqualTo("/a/b");
    }
}
