package dev.mapgate.gate;

import dev.mapgate.gate.RequestTarget.BadTargetException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestTargetTest {

    private static RequestTarget parse(String raw) {
        try {
            return RequestTarget.parse(raw);
        } catch (BadTargetException e) {
            throw new AssertionError("expected '" + raw + "' to parse, got: " + e.getMessage());
        }
    }

    private static void assertBad(String... raws) {
        for (String raw : raws) {
            assertThatThrownBy(() -> RequestTarget.parse(raw))
                    .as("'%s' must be refused", raw)
                    .isInstanceOf(BadTargetException.class);
        }
    }

    @Test
    void aPlainOriginFormTargetIsKeptAsIs() {
        RequestTarget target = parse("/static/app.js.map");

        assertThat(target).isEqualTo(new RequestTarget("/static/app.js.map", "/static/app.js.map", null, null));
        assertThat(target.originForm()).isEqualTo("/static/app.js.map");
    }

    @Test
    void theRootIsAValidPath() {
        assertThat(parse("/")).isEqualTo(new RequestTarget("/", "/", null, null));
    }

    @Test
    void theQueryIsSplitAtTheFirstQuestionMarkAndKeptRaw() {
        RequestTarget target = parse("/app.js.map?v=1&next=/a?b%20c");

        assertThat(target.path()).isEqualTo("/app.js.map");
        assertThat(target.rawQuery()).isEqualTo("v=1&next=/a?b%20c");
        assertThat(target.originForm()).isEqualTo("/app.js.map?v=1&next=/a?b%20c");
    }

    @Test
    void aTrailingQuestionMarkGivesAnEmptyQueryThatIsForwarded() {
        RequestTarget target = parse("/app.js?");

        assertThat(target.rawQuery()).isEmpty();
        assertThat(target.originForm()).isEqualTo("/app.js?");
    }

    private static final AcceptedHosts HOSTS = AcceptedHosts.of(List.of("example.com", "[2001:db8::1]", "cdn.example:8443"));

    private static RequestTarget parseAbsolute(String raw) {
        try {
            return RequestTarget.parse(raw, HOSTS);
        } catch (BadTargetException e) {
            throw new AssertionError("expected '" + raw + "' to parse, got: " + e.getMessage());
        }
    }

    @Test
    void absoluteFormForAnAcceptedHostIsRewrittenToOriginForm() {
        RequestTarget target = parseAbsolute("http://example.com/a/app.js.map?x=1");

        assertThat(target).isEqualTo(new RequestTarget("/a/app.js.map", "/a/app.js.map", "x=1",
                new Authority("example.com", -1)));
        assertThat(target.originForm()).isEqualTo("/a/app.js.map?x=1");
        assertThat(parseAbsolute("HTTPS://EXAMPLE.COM:443/app.js.map").authority())
                .as("scheme and host compare case-insensitively; a listed host without a port takes any port")
                .isEqualTo(new Authority("example.com", 443));
        assertThat(parseAbsolute("http://[2001:db8::1]:8080/app.js.map").path()).isEqualTo("/app.js.map");
        assertThat(parseAbsolute("http://cdn.example:8443/app.js").path()).isEqualTo("/app.js");
    }

    @Test
    void absoluteFormWithoutAPathMeansTheRoot() {
        assertThat(parseAbsolute("http://example.com").path()).isEqualTo("/");
        assertThat(parseAbsolute("http://example.com?x=1").originForm()).isEqualTo("/?x=1");
    }

    @Test
    void absoluteFormForAnyOtherHostIsRefused() {
        assertBad("http://example.com/app.js");
        for (String raw : List.of("http://evil.example/app.js", "http://example.com.evil.example/app.js",
                "http://cdn.example/app.js", "http://cdn.example:9443/app.js", "http://[2001:db8::2]/app.js")) {
            assertThatThrownBy(() -> RequestTarget.parse(raw, HOSTS)).as(raw).isInstanceOf(BadTargetException.class)
                    .hasMessageContaining("not one of the accepted hosts");
        }
    }

    @Test
    void absoluteFormIsHeldToTheSamePathRules() {
        for (String raw : List.of("http://example.com/a/../app.js.map", "http://example.com/a%2Fb.map",
                "http://user:pw@example.com/app.js", "http://example.com@evil.example/app.js", "http:///app.js",
                "http://exa%6dple.com/app.js", "http://example.com:99999/app.js", "http://example.com:/app.js")) {
            assertThatThrownBy(() -> RequestTarget.parse(raw, HOSTS)).as(raw).isInstanceOf(BadTargetException.class);
        }
    }

    @Test
    void otherTargetFormsAreRefused() {
        assertBad("", "*", "app.js.map", "example.com:443", "ftp://example.com/app.js.map", "//example.com/app.js.map",
                "http:///app.js.map", "http://user:pw@example.com/app.js.map", "http://exa mple.com/");
        assertThatThrownBy(() -> RequestTarget.parse(null)).isInstanceOf(BadTargetException.class);
    }

    @Test
    void aFragmentAnywhereIsRefused() {
        assertBad("/app.js.map#x", "/app.js?x#y", "/#", "http://example.com/#a");
    }

    @Test
    void percentEscapesAreDecodedOnce() {
        assertThat(parse("/a%41.js")).isEqualTo(new RequestTarget("/aA.js", "/aA.js", null, null));
        assertThat(parse("/app.js%2emap").path())
                .as("an encoded dot still names the map, so it must be classified as one")
                .isEqualTo("/app.js.map");
        assertThat(parse("/APP%2EJS%2eMAP").encodedPath()).isEqualTo("/APP.JS.MAP");
    }

    @Test
    void multiByteUtf8IsDecodedAndReEncodedInUpperCase() {
        assertThat(parse("/caf%C3%A9.js")).isEqualTo(new RequestTarget("/café.js", "/caf%C3%A9.js", null, null));
        assertThat(parse("/caf%c3%a9.js").encodedPath()).isEqualTo("/caf%C3%A9.js");
        assertThat(parse("/%F0%9F%98%80.map")).isEqualTo(new RequestTarget("/\uD83D\uDE00.map", "/%F0%9F%98%80.map", null, null));
    }

    @Test
    void anEncodedSpaceIsDecodedAndReEncoded() {
        assertThat(parse("/a%20b.js")).isEqualTo(new RequestTarget("/a b.js", "/a%20b.js", null, null));
    }

    @Test
    void charactersThatNeedNoEncodingAreForwardedUnencoded() {
        RequestTarget target = parse("/a%21%24%26%27%28%29%2A%2B%2C%3B%3D%3A%40-._~");

        assertThat(target.encodedPath()).isEqualTo("/a!$&'()*+,;=:@-._~");
    }

    @Test
    void charactersOutsidePcharAreReEncoded() {
        assertThat(parse("/a%5Bd%5D%22%7B%7C%60.js").encodedPath()).isEqualTo("/a%5Bd%5D%22%7B%7C%60.js");
    }

    @Test
    void encodedQueryAndFragmentDelimitersInThePathAreRefused() {
        assertBad("/app.js.map%3F.js", "/app.js.map%3f", "/app.js.map%23.js", "/a%23/app.js.map");
        assertThat(parse("/app.js?next=%2Fa%3Fb%23c").rawQuery())
                .as("in the query they are ordinary data, forwarded as received")
                .isEqualTo("next=%2Fa%3Fb%23c");
    }

    @Test
    void malformedPercentEscapesAreRefused() {
        assertBad("/a%", "/a%4", "/a%zz.js", "/a%u0041.js", "/a%%41", "/app.js?x=%zz");
    }

    @Test
    void invalidOrOverlongUtf8IsRefused() {
        assertBad("/a%C3", "/a%C3%28", "/a%FF", "/a%C0%AE%C0%AE/app.js.map", "/a%E0%80%AF", "/%ED%A0%80");
    }

    @Test
    void controlCharactersAreRefusedEvenWhenEncoded() {
        assertBad("/a%00.map", "/a%0A", "/a%0d%0aX-Injected:1", "/a%09.map", "/a%1F", "/a%7F", "/a%C2%85");
    }

    @Test
    void backslashesAreRefusedRawOrEncoded() {
        assertBad("/a\\app.js.map", "/a%5Capp.js.map", "/a%5capp.js.map");
    }

    @Test
    void anEncodedSlashIsRefused() {
        assertBad("/a%2Fapp.js.map", "/a%2fapp.js.map");
    }

    @Test
    void aPercentLeftAfterDecodingIsRefusedAsDoubleEncoding() {
        assertBad("/app.js%252emap", "/a%2541");
    }

    @Test
    void dotSegmentsAreRefusedRawOrEncoded() {
        assertBad("/./app.js.map", "/a/../app.js.map", "/a/..", "/a/.", "/%2e%2e/app.js.map", "/.%2E/x", "/%2E/x");
        assertThat(parse("/.well-known/x").path()).as("a dot that is only part of a segment is fine")
                .isEqualTo("/.well-known/x");
        assertBad("/a/.../b");
    }

    @Test
    void aSegmentEndingInADotOrASpaceIsRefusedBecauseWindowsTrimsIt() {
        assertBad("/app.js.map.", "/app.js.map%2E", "/app.js.map%20", "/app.js.map...", "/a./app.js",
                "/a%20/app.js", "/app.js.map.%20");
        assertThat(parse("/my%20file.js").path()).as("a space inside a name is an ordinary character")
                .isEqualTo("/my file.js");
        assertThat(parse("/.env.js").path()).isEqualTo("/.env.js");
    }

    @Test
    void unicodeThatFoldsIntoASeparatorOrDotIsRefused() {
        // fullwidth solidus, fullwidth full stop, two-dot leader, fullwidth reverse solidus,
        // small semicolon, fullwidth percent, no-break space
        assertBad("/app.js.map%EF%BC%8Fx.js", "/%EF%BC%8E%EF%BC%8E/app.js.map", "/%E2%80%A5/app.js.map",
                "/a%EF%BC%BCapp.js.map", "/app.js.map%EF%B9%94.js", "/a%EF%BC%85.js", "/a%C2%A0b.js");
    }

    @Test
    void unicodeLettersPassTheCanonicaliserAndAreLeftToTheClassifier() {
        assertThat(parse("/app.js.%EF%BD%8D%EF%BD%81%EF%BD%90").path())
                .as("a fullwidth 'map' is no separator; PathGlobs folds it")
                .isEqualTo("/app.js.\uFF4D\uFF41\uFF50".translateEscapes());
        assertThat(parse("/%E6%97%A5%E6%9C%AC/app.js").path()).isEqualTo("/日本/app.js");
    }

    @Test
    void emptySegmentsAreRefusedExceptOneTrailingSlash() {
        assertBad("//app.js.map", "/a//b", "/a/b//");
        assertThat(parse("/a/b/").path()).isEqualTo("/a/b/");
    }

    @Test
    void rawCharactersOutsideRfc3986AreRefused() {
        for (String c : List.of(" ", "\"", "<", ">", "{", "}", "|", "^", "`", "é", "\t")) {
            assertBad("/a" + c + "b.js");
        }
        assertBad("/app.js?q=a b", "/app.js?q=<x>");
    }

    @Test
    void rawBracketsAreAcceptedAndReEncodedInThePath() {
        RequestTarget target = parse("/a[1].js?x[]=1");

        assertThat(target).isEqualTo(new RequestTarget("/a[1].js", "/a%5B1%5D.js", "x[]=1", null));
    }

    @Test
    void anUnreservedRawPathNeedsNoReEncoding() {
        RequestTarget target = parse("/static/js/app-1.0_x~y.js.map");

        assertThat(target.encodedPath()).isSameAs(target.path());
    }

    /**
     * Tomcat, Jetty and Spring drop a segment's ";params" before resolving dot segments, and IIS
     * reads "name::$INDEX_ALLOCATION" as the folder name. So "/static/..;/sourcemaps/app.js.map"
     * is served as /sourcemaps/app.js.map, while a gate that read it as a folder named "..;" under
     * /static/ would leave it outside paths = ["/sourcemaps/**"] and pass the map to anyone.
     */
    @Test
    void aSegmentThatAnOriginReadsAsDotOrEmptyOnceItsParamsAreDroppedIsRefused() {
        assertBad("/static/..;/sourcemaps/app.js.map", "/static/..;x=1/sourcemaps/app.js.map",
                "/static/.;/sourcemaps/app.js.map", "/;/sourcemaps/app.js.map", "/a/;x/sourcemaps/app.js.map",
                "/static/..::$INDEX_ALLOCATION/sourcemaps/app.js.map", "/static/%2e%2e;/sourcemaps/app.js.map",
                "/sourcemaps/app.js.map.;x", "/sourcemaps/app.js.map :x");
        assertThat(parse("/shop;jsessionid=1/app.js.map").path()).as("params on a named segment are its own")
                .isEqualTo("/shop;jsessionid=1/app.js.map");
        assertThat(parse("/dir/;jsessionid=1").path()).as("a last segment of params alone names the folder")
                .isEqualTo("/dir/;jsessionid=1");
        assertThat(parse("/assets/chunk:abc.js").path()).isEqualTo("/assets/chunk:abc.js");
    }
}
