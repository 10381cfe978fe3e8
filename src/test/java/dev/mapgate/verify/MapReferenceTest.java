package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MapReferenceTest {

    @Test
    void findsTheCommentOnItsOwnLine() {
        assertThat(MapReference.find("var a=1;\n//# sourceMappingURL=app.js.map\n")).contains("app.js.map");
    }

    @Test
    void findsTheCommentAtTheEndOfACodeLineAsSentryDoes() {
        assertThat(MapReference.find("function n(t){return t*2}//# sourceMappingURL=app.js.map")).contains("app.js.map");
    }

    @Test
    void acceptsTheOldAtSignForm() {
        assertThat(MapReference.find("x()\n//@ sourceMappingURL=old.js.map\n")).contains("old.js.map");
    }

    @Test
    void theLastReferenceWins() {
        assertThat(MapReference.find("//# sourceMappingURL=first.map\nx()\n//# sourceMappingURL=second.map\n"))
                .as("bundlers append; the last comment is the one that counts").contains("second.map");
    }

    @Test
    void aLaterCommentWithTheWrongPrefixDoesNotHideAnEarlierGoodOne() {
        assertThat(MapReference.find("//# sourceMappingURL=good.map\n/*# sourceMappingURL=css.map */\n"))
                .contains("good.map");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/*# sourceMappingURL=app.css.map */",
        "//#sourceMappingURL=app.js.map",
        "// # sourceMappingURL=app.js.map",
        "sourceMappingURL=app.js.map",
        "# sourceMappingURL=app.js.map",
        "//# sourcemappingurl=app.js.map",
        "var a = 1;"})
    void ignoresAnythingButTheExactCommentPrefix(String js) {
        assertThat(MapReference.find(js)).as("Sentry needs exactly '//# ' or '//@ ' before it").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "//# sourceMappingURL=app.js.map?v=3                | app.js.map",
        "//# sourceMappingURL=app.js.map#frag               | app.js.map",
        "//# sourceMappingURL=app.js.map?v=3#frag           | app.js.map",
        "//# sourceMappingURL=https://cdn/x.map?token=abc   | https://cdn/x.map",
        "//# sourceMappingURL=   spaced.map                 | spaced.map",
        "//# sourceMappingURL=app.js.map junk after         | app.js.map",
        "//# sourceMappingURL=app.js.map\t//comment          | app.js.map",
        "//# sourceMappingURL=../maps/app.js.map            | ../maps/app.js.map",
        "//# sourceMappingURL=/static/app.js.map            | /static/app.js.map",
        "//# sourceMappingURL=//cdn.example/app.js.map      | //cdn.example/app.js.map"})
    void theValueRunsToTheNextWhitespaceWithoutQueryOrFragment(String js, String expected) {
        assertThat(MapReference.find(js)).contains(expected);
    }

    @Test
    void whitespaceEndsTheValueWhateverItIs() {
        assertThat(MapReference.find("//# sourceMappingURL=a.map\rmore")).contains("a.map");
        assertThat(MapReference.find("//# sourceMappingURL=a.map\fmore")).contains("a.map");
    }

    @Test
    void keepsADataUrlWhole() {
        assertThat(MapReference.find("//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==\n"))
                .contains("data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==");
    }

    @Test
    void anEmptyValueIsReportedAsEmpty() {
        assertThat(MapReference.find("//# sourceMappingURL=")).contains("");
    }

    @Test
    void aMatchAtTheVeryStartHasNoRoomForThePrefix() {
        assertThat(MapReference.find("sourceMappingURL=a.map //# sourceMappingURL=b.map")).contains("b.map");
    }
}
