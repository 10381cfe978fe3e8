package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mapgate.hostile.TargetCase.Expect;
import dev.mapgate.testing.TestSite;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The corpus itself: big enough, covering the bypasses issue 3 names, and written so that each
 * line means exactly the bytes it says. A case deleted or mistyped here would silently test less.
 */
class CorpusShapeTest {

    private static final List<TargetCase> CORPUS = TargetCase.load();

    @Test
    void atLeastSixtyHostileTargetsAndTheLegitimateEdgeCases() {
        Map<Expect, Long> counts = CORPUS.stream().collect(Collectors.groupingBy(TargetCase::expect, Collectors.counting()));
        assertThat(counts.getOrDefault(Expect.REFUSED, 0L) + counts.getOrDefault(Expect.DENIED, 0L))
                .as("issue 3 asks for at least 60 hostile request-targets").isGreaterThanOrEqualTo(60);
        assertThat(counts.get(Expect.SERVED)).as("legitimate targets prove the gate is not simply refusing everything")
                .isGreaterThanOrEqualTo(7);
    }

    @Test
    void everyTargetIsThereOnce() {
        assertThat(CORPUS.stream().map(TargetCase::written)).doesNotHaveDuplicates();
    }

    @Test
    void theBypassesTheIssueNamesAreInTheCorpusWithTheirDocumentedAnswer() {
        Map<String, Expect> named = Map.ofEntries(
                Map.entry("/assets/x/../app.js.map", Expect.REFUSED),
                Map.entry("/assets%2fapp.js.map", Expect.REFUSED),
                Map.entry("/assets/app.js.map#.js", Expect.REFUSED),
                Map.entry("/assets/x/%2e%2e/app.js.map", Expect.REFUSED),
                Map.entry("/assets%5capp.js.map", Expect.REFUSED),
                Map.entry("/assets/app.js.map%00.js", Expect.REFUSED),
                Map.entry("/assets/./app.js.map", Expect.REFUSED),
                Map.entry("/assets/app.js.map/.", Expect.REFUSED),
                Map.entry("/assets/app.js.map/x/..", Expect.REFUSED),
                Map.entry("/assets/app.js.map%2f", Expect.REFUSED),
                Map.entry("/assets/app.js.map%2F", Expect.REFUSED),
                Map.entry("/assets/app.js%252emap", Expect.REFUSED),
                Map.entry("/assets/app.js%c0%aemap", Expect.REFUSED),
                Map.entry("/assets/app.js%u002emap", Expect.REFUSED),
                Map.entry("/assets%ef%bc%8fapp.js.map", Expect.REFUSED),
                Map.entry("/assets/app.js%ef%bc%8emap", Expect.REFUSED),
                Map.entry("/assets/app.js.map.", Expect.REFUSED),
                Map.entry("/assets/app.js.map%20", Expect.REFUSED),
                Map.entry("//assets//app.js.map", Expect.REFUSED),
                Map.entry("http://evil.example/assets/app.js.map", Expect.REFUSED),
                Map.entry("http://user@assets.example.com/assets/app.js.map", Expect.REFUSED),
                Map.entry("/assets/APP.JS.MAP", Expect.DENIED),
                Map.entry("/assets/app.js.map;.js", Expect.DENIED),
                Map.entry("/assets/app.js.map%3b.js", Expect.DENIED),
                Map.entry("/assets/app.js.map/x.js", Expect.DENIED),
                Map.entry("/assets/app.js.map/", Expect.DENIED),
                Map.entry("/assets;x/app.js.map", Expect.DENIED),
                Map.entry("/assets/app.js.map::$DATA", Expect.DENIED),
                Map.entry("/assets/app.js.%ef%bd%8d%ef%bd%81%ef%bd%90", Expect.DENIED),
                Map.entry("/assets/app.js.map?x=.js", Expect.DENIED),
                Map.entry("/assets/app.js.map?", Expect.DENIED),
                Map.entry("http://assets.example.com/assets/app.js.map", Expect.DENIED),
                Map.entry("/assets/my%20file.js", Expect.SERVED),
                Map.entry("/assets/caf%C3%A9.js", Expect.SERVED),
                Map.entry("/assets/app.js?v=123", Expect.SERVED),
                Map.entry("/assets/app.js?a[]=1&b=%2F", Expect.SERVED),
                Map.entry(TestSite.LONG_NAME, Expect.SERVED),
                Map.entry("/", Expect.SERVED),
                Map.entry("/index.html", Expect.SERVED));
        Map<String, Expect> corpus = CORPUS.stream().collect(Collectors.toMap(TargetCase::written, TargetCase::expect));
        assertThat(corpus).containsAllEntriesOf(named);
    }

    @Test
    void escapesStandForTheirBytesAndNothingElseIsAllowed() {
        assertThat(TargetCase.unescape("/a\\x5cb\\x00\\xFF", 1))
                .isEqualTo(new byte[] {'/', 'a', '\\', 'b', 0, (byte) 0xFF});
        assertThatThrownBy(() -> TargetCase.unescape("/a\\b", 7)).hasMessageContaining("targets.txt:7");
        assertThatThrownBy(() -> TargetCase.unescape("/a\\x4", 7)).hasMessageContaining("\\xNN");
        assertThatThrownBy(() -> TargetCase.unescape("/caf\u00e9", 7)).hasMessageContaining("non-ASCII");
    }

    @Test
    void aLineThatIsNotThreeFieldsIsAnErrorNotASkippedCase() {
        assertThatThrownBy(() -> TargetCase.parse("DENY\t/assets/app.js.map\n"))
                .hasMessageContaining("targets.txt:1");
        assertThatThrownBy(() -> TargetCase.parse("# fine\nALLOW\t/x\tcomment\n"))
                .hasMessageContaining("targets.txt:2").hasMessageContaining("ALLOW");
    }

    @Test
    void atLeastFifteenFramingAttacksEachCarryingTheSmuggledMapRequest() {
        List<FramingAttack> attacks = FramingAttack.all();
        assertThat(attacks).as("issue 3 asks for at least 15 framing attacks").hasSizeGreaterThanOrEqualTo(15);
        assertThat(attacks.stream().map(FramingAttack::name)).doesNotHaveDuplicates();
        byte[] smuggled = FramingAttack.SMUGGLED.getBytes(StandardCharsets.US_ASCII);
        assertThat(attacks).allSatisfy(a -> assertThat(TestSite.indexOf(a.bytes(), smuggled, 0))
                .as("%s carries the request for the map", a.name()).isNotNegative());
    }
}
