package dev.mapgate.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.guard.SourceMapSniffer.Verdict;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the content guard takes for a source map, from the bytes alone. */
class SourceMapSnifferTest {

    private static final String WEBPACK = "{\"version\":3,\"file\":\"main.3f2a.js\",\"mappings\":\"AAAA,SAASA\","
            + "\"sources\":[\"webpack://app/./src/FeePaymentForm.tsx\"],\"sourcesContent\":[\"export {}\"],\"names\":[]}";
    private static final String ROLLUP = "{\"version\":3,\"file\":\"index-4b1c.js\",\"sources\":[\"../../src/main.ts\"],"
            + "\"sourcesContent\":[\"" + "x".repeat(200_000) + "\"],\"names\":[\"a\"],\"mappings\":\";AAAA\"}";
    private static final String INDEX_MAP = "{\n  \"version\" : 3,\n  \"file\": \"app.js\",\n  \"sections\": [\n"
            + "    {\"offset\": {\"line\": 0, \"column\": 0}, \"url\": \"part.js.map\"}\n  ]\n}";

    private static Verdict sniff(String body) {
        SourceMapSniffer sniffer = new SourceMapSniffer();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        sniffer.feed(bytes, 0, bytes.length);
        return sniffer.end();
    }

    @Test
    void mapsAsBundlersWriteThemAreMaps() {
        assertThat(sniff(WEBPACK)).as("webpack: mappings early").isEqualTo(Verdict.MAP);
        assertThat(sniff(ROLLUP)).as("Rollup and Vite: sources and sourcesContent before mappings").isEqualTo(Verdict.MAP);
        assertThat(sniff(INDEX_MAP)).as("an index map, pretty-printed").isEqualTo(Verdict.MAP);
        assertThat(sniff(")]}'\n" + WEBPACK)).as("behind the anti-XSSI prefix").isEqualTo(Verdict.MAP);
        assertThat(sniff(")]}' // comment\r\n  " + WEBPACK)).as("the prefix line may hold more").isEqualTo(Verdict.MAP);
        assertThat(sniff("\ufeff" + WEBPACK)).as("after a byte-order mark").isEqualTo(Verdict.MAP);
        assertThat(sniff("{\"version\":3,\"sources\":[\"a\\\"]\"],\"names\":[],\"mappings\":\"\"}"))
                .as("escaped quotes in a skipped value").isEqualTo(Verdict.MAP);
    }

    @Test
    void aMapIsRecognisedFromItsFirstBytesNotItsEnd() {
        SourceMapSniffer sniffer = new SourceMapSniffer();
        byte[] bytes = ROLLUP.getBytes(StandardCharsets.UTF_8);
        int fed = 0;
        while (sniffer.verdict() == Verdict.UNDECIDED) {
            sniffer.feed(bytes, fed, 1);
            fed++;
        }
        assertThat(sniffer.verdict()).isEqualTo(Verdict.MAP);
        assertThat(fed).as("bytes read before the verdict, of a %d-byte map", bytes.length).isLessThan(120);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "function n(t){return t*2}//# sourceMappingURL=app.js.map\n",
        "!function(e){\"use strict\"}({});",
        "(()=>{var e={};})();",
        "\"use strict\";var a=1;",
        "/*! license */\n{\"version\":3}",
        "body{margin:0}\n/*# sourceMappingURL=app.css.map */",
        "<!doctype html><html><head></head></html>",
        "[1,2,3]",
        "",
        "   ",
        ")]}'\n[1]",
        ")]}\n{\"version\":3,\"mappings\":\"\"}",
        ")]}'\n)]}'\n{\"version\":3,\"mappings\":\"\"}",
        "{\"name\":\"my-app\",\"version\":\"1.0.0\",\"files\":[\"dist\"],\"sources\":\"x\"}",
        "{\"version\":2,\"names\":{\"en\":\"Hello\"}}",
        "{\"version\":1,\"sources\":[\"a.csv\"]}",
        "{\"mappings\":\"AAAA\"}",
        "{\"settings\":{\"version\":3,\"mappings\":\"AAAA\"}}",
        "{\"version\":\"3\",\"mappings\":\"AAAA\"}",
        "{\"version\":3 \"mappings\":\"AAAA\"}",
        "{\"short_name\":\"App\",\"icons\":[],\"start_url\":\"/\"}",
    })
    void otherBodiesAreNotMaps(String body) {
        assertThat(sniff(body)).as("%s", body).isEqualTo(Verdict.NOT_MAP);
    }

    @Test
    void aJsonObjectWhoseFirstKeyNoMapStartsWithIsDecidedAtThatKey() {
        SourceMapSniffer sniffer = new SourceMapSniffer();
        byte[] stream = "{\"events\":[".getBytes(StandardCharsets.US_ASCII);

        assertThat(sniffer.feed(stream, 0, stream.length)).as("a streamed JSON response is not held back")
                .isEqualTo(Verdict.NOT_MAP);
        assertThat(sniff("{\"x_google_ignoreList\":[],\"version\":3,\"mappings\":\"\"}")).isEqualTo(Verdict.MAP);
        assertThat(sniff("{\"sources\":[\"a.ts\"],\"version\":3,\"names\":[]}")).isEqualTo(Verdict.MAP);
    }

    @Test
    void aBodyCutShortInsideAnObjectCouldStillBeAMap() {
        SourceMapSniffer sniffer = new SourceMapSniffer();
        byte[] start = "{\"version\":3,\"file\":\"app.js\"".getBytes(StandardCharsets.US_ASCII);
        sniffer.feed(start, 0, start.length);

        assertThat(sniffer.couldBeMap()).isTrue();
        SourceMapSniffer js = new SourceMapSniffer();
        js.feed((byte) ' ');
        assertThat(js.couldBeMap()).as("only whitespace so far").isFalse();
    }

    @Test
    void javascriptIsDecidedAtItsFirstByte() {
        SourceMapSniffer sniffer = new SourceMapSniffer();

        assertThat(sniffer.feed((byte) '!')).isEqualTo(Verdict.NOT_MAP);
    }

    @Test
    void anObjectThatGoesOnPastTheWindowWithoutTheKeysIsNoMap() {
        SourceMapSniffer sniffer = new SourceMapSniffer();
        byte[] head = "{\"data\":\"".getBytes(StandardCharsets.US_ASCII);
        sniffer.feed(head, 0, head.length);
        byte[] filler = new byte[SourceMapSniffer.WINDOW];
        java.util.Arrays.fill(filler, (byte) 'x');

        assertThat(sniffer.feed(filler, 0, filler.length)).isEqualTo(Verdict.NOT_MAP);
    }

    @Test
    void anUnfinishedStartStaysUndecidedUntilTheBodyEnds() {
        SourceMapSniffer sniffer = new SourceMapSniffer();
        byte[] start = "{\"version\":3,\"fi".getBytes(StandardCharsets.US_ASCII);

        assertThat(sniffer.feed(start, 0, start.length)).isEqualTo(Verdict.UNDECIDED);
        assertThat(sniffer.end()).isEqualTo(Verdict.NOT_MAP);
    }
}
