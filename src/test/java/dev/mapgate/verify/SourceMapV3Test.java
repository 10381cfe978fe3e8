package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourceMapV3Test {

    private static SourceMapV3.Parsed parse(String json) throws SourceMapV3.InvalidMap {
        return SourceMapV3.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsAMinimalMap() throws Exception {
        SourceMapV3.Parsed map = parse("{\"version\":3,\"sources\":[\"a.ts\"],\"names\":[\"x\"],\"mappings\":\"AAAAA\"}");
        assertThat(map.index()).isFalse();
        assertThat(map.sources()).containsExactly(new SourceMapV3.Source("a.ts", false));
    }

    @Test
    void tellsWhichSourcesLackContent() throws Exception {
        SourceMapV3.Parsed map = parse("{\"version\":3,\"sources\":[\"a.ts\",\"b.ts\",\"c.ts\"],"
                + "\"sourcesContent\":[\"x\",null],\"mappings\":\"AAAA,CCAA\"}");
        assertThat(map.withoutContent()).extracting(SourceMapV3.Source::name)
                .as("a null and a missing entry both mean: fetch the file").containsExactly("b.ts", "c.ts");
    }

    @Test
    void appliesSourceRoot() throws Exception {
        SourceMapV3.Parsed map = parse("{\"version\":3,\"sourceRoot\":\"/src/\",\"sources\":[\"a.ts\",null],\"mappings\":\"\"}");
        assertThat(map.sources()).extracting(SourceMapV3.Source::name).containsExactly("/src/a.ts", "/src/");
    }

    @Test
    void acceptsAnIndexMapAndCollectsItsSectionsSources() throws Exception {
        SourceMapV3.Parsed map = parse("{\"version\":3,\"sections\":["
                + "{\"offset\":{\"line\":0,\"column\":0},\"map\":{\"version\":3,\"sources\":[\"a.ts\"],\"mappings\":\"AAAA\"}},"
                + "{\"offset\":{\"line\":1,\"column\":0},\"map\":{\"version\":3,\"sources\":[\"b.ts\"],"
                + "\"sourcesContent\":[\"b\"],\"mappings\":\"AAAA\"}}]}");
        assertThat(map.index()).isTrue();
        assertThat(map.sources()).containsExactly(new SourceMapV3.Source("a.ts", false), new SourceMapV3.Source("b.ts", true));
    }

    @Test
    void refusesAnIndexMapSectionThatPointsAtAUrl() {
        assertThatThrownBy(() -> parse("{\"version\":3,\"sections\":[{\"offset\":{\"line\":0,\"column\":0},\"url\":\"a.map\"}]}"))
                .hasMessageContaining("sections[0]").hasMessageContaining("url");
    }

    @Test
    void skipsAnXssiGuardLine() throws Exception {
        assertThat(parse(")]}'\n{\"version\":3,\"sources\":[],\"mappings\":\"\"}").sources()).isEmpty();
        assertThat(parse(")]}\r\n{\"version\":3,\"sources\":[],\"mappings\":\"\"}").sources()).isEmpty();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "not json at all                                                   | not JSON",
        "[1,2]                                                             | not a JSON object",
        "{\"sources\":[],\"mappings\":\"\"}                                | no \"version\"",
        "{\"version\":2,\"sources\":[],\"mappings\":\"\"}                  | \"version\" is 2",
        "{\"version\":\"3\",\"sources\":[],\"mappings\":\"\"}              | not 3",
        "{\"version\":3,\"mappings\":\"\"}                                 | no \"sources\"",
        "{\"version\":3,\"sources\":\"a.ts\",\"mappings\":\"\"}            | \"sources\" is not an array",
        "{\"version\":3,\"sources\":[1],\"mappings\":\"\"}                 | neither a string nor null",
        "{\"version\":3,\"sources\":[]}                                    | no \"mappings\"",
        "{\"version\":3,\"sources\":[],\"mappings\":[]}                    | not a string",
        "{\"version\":3,\"sources\":[],\"mappings\":\"AAAA\"}              | source index 0",
        "{\"version\":3,\"sources\":[\"a\"],\"mappings\":\"AAAAC\"}        | name index 1",
        "{\"version\":3,\"sources\":[\"a\"],\"mappings\":\"AA\"}           | 2 fields",
        "{\"version\":3,\"sources\":[\"a\"],\"mappings\":\"A!AA\"}         | not base64",
        "{\"version\":3,\"sources\":[\"a\"],\"mappings\":\"AAAg\"}         | cut off",
        "{\"version\":3,\"sources\":[\"a\"],\"mappings\":\"AAAA;;A$\"}     | line 3",
        "{\"version\":3,\"sources\":[],\"mappings\":\"\"} trailing         | not JSON",
        "{\"version\":3,\"sources\":[],\"mappings\":\"\",\"sourceRoot\":1} | sourceRoot"})
    void refusesWhatSentryCannotRead(String json, String reason) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(SourceMapV3.InvalidMap.class).hasMessageContaining(reason);
    }

    @Test
    void decodesMultiDigitVlqAndNegativeDeltas() throws Exception {
        // "gB" is 16 (a continuation digit), "D" is -1: source 0, then back from 1 to 0.
        assertThat(parse("{\"version\":3,\"sources\":[\"a\",\"b\"],\"mappings\":\"gBAAA,ACAA,ADAA\"}").sources()).hasSize(2);
    }
}
