package dev.mapgate.gate;

import dev.mapgate.gate.ForwardedField.Element;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ForwardedFieldTest {

    private static ForwardedField parse(String... lines) {
        return ForwardedField.parse(List.of(lines), 100);
    }

    private static List<Element> elements(String... lines) {
        ForwardedField field = parse(lines);
        assertThat(field.problem()).as("%s is well-formed", List.of(lines)).isNull();
        return field.elements();
    }

    private static Element node(String forNode) {
        return new Element(forNode, 1);
    }

    @Test
    void eachElementGivesItsForNodeAndOtherParametersAreSkipped() {
        assertThat(elements("for=192.0.2.60;proto=http;by=203.0.113.43"))
                .containsExactly(node("192.0.2.60"));
        assertThat(elements("proto=https;for=\"[2001:db8:cafe::17]:4711\";host=example.com"))
                .containsExactly(node("[2001:db8:cafe::17]:4711"));
    }

    @Test
    void elementsOfAllLinesComeInOrderAsOneList() {
        assertThat(elements("for=192.0.2.43, for=198.51.100.17", "for=\"[2001:db8::1]\""))
                .containsExactly(node("192.0.2.43"), node("198.51.100.17"), node("[2001:db8::1]"));
    }

    @Test
    void commasAndSemicolonsInsideAQuotedStringDoNotSplit() {
        assertThat(elements("for=\"1.2.3.4, 5.6.7.8\"")).as("one element, whose node is no address")
                .containsExactly(node("1.2.3.4, 5.6.7.8"));
        assertThat(elements("for=\"a;for=1.2.3.4\";proto=http")).containsExactly(node("a;for=1.2.3.4"));
        assertThat(elements("by=\"x, for=6.6.6.6\";for=203.0.113.7"))
                .as("a for= inside another parameter's quotes is no parameter").containsExactly(node("203.0.113.7"));
    }

    @Test
    void aQuotedPairStandsForItsCharacter() {
        assertThat(elements("for=\"\\\"x\\\"\", for=\"\\1.2.3.4\""))
                .containsExactly(node("\"x\""), node("1.2.3.4"));
        assertThat(elements("for=\"a\\\\\", for=1.2.3.4")).as("an escaped backslash does not escape the quote")
                .containsExactly(node("a\\"), node("1.2.3.4"));
    }

    @Test
    void parameterNamesAreCaseInsensitive() {
        assertThat(elements("FOR=1.2.3.4", "For=\"[::1]\";Proto=https")).containsExactly(node("1.2.3.4"), node("[::1]"));
    }

    @Test
    void anElementWithoutForOrWithTwoSaysSo() {
        assertThat(elements("proto=https;by=203.0.113.43", "for=1.1.1.1;FOR=2.2.2.2", ";"))
                .containsExactly(new Element(null, 0), new Element("1.1.1.1", 2), new Element(null, 0));
        assertThat(elements("forx=1.2.3.4;fo=5.6.7.8;xfor=9.9.9.9")).as("only the name for counts")
                .containsExactly(new Element(null, 0));
    }

    @Test
    void emptyElementsAndOwsAroundDelimitersAreIgnored() {
        assertThat(elements(" , ,for=1.1.1.1,, ", "", "   ", ",")).containsExactly(node("1.1.1.1"));
        assertThat(elements("for=1.1.1.1 ; proto=http ;\t, for=2.2.2.2;"))
                .containsExactly(node("1.1.1.1"), node("2.2.2.2"));
        assertThat(parse().elements()).isEmpty();
        assertThat(ForwardedField.parse(Arrays.asList(null, "for=1.1.1.1"), 10).elements())
                .as("a missing line is an empty one").containsExactly(node("1.1.1.1"));
    }

    @Test
    void anUnquotedValueMayHoldWhatAHopForgotToQuote() {
        assertThat(elements("for=[2001:db8::1]:4711;proto=http, for=192.0.2.60:4711"))
                .containsExactly(node("[2001:db8::1]:4711"), node("192.0.2.60:4711"));
        assertThat(elements("for=2001:db8::1")).as("read here, refused as a node later").containsExactly(node("2001:db8::1"));
    }

    @Test
    void onlyTheLastElementsAreKept() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            lines.add("for=10.0.0." + i);
        }

        assertThat(ForwardedField.parse(lines, 3).elements())
                .containsExactly(node("10.0.0.97"), node("10.0.0.98"), node("10.0.0.99"));
    }

    @Test
    void brokenQuotingMakesTheWholeFieldMalformed() {
        for (String bad : List.of("for=\"1.2.3.4", "for=\"1.2.3.4\\", "for=\"1.2.3.4\\\"", "for=1.1.1.1, for=\"abc",
                "for=\"a\"b", "for=a\"b\"", "for=1.2.3.4\"", "by=\"x\u0001\";for=1.2.3.4", "by=\"\u007f\"",
                "by=\"\u0100\"", "by=\"\\\u0000\"")) {
            assertThat(parse(bad).problem()).as("'%s'", bad).isNotNull();
            assertThat(parse(bad).elements()).as("nothing from a field whose boundaries are unknown").isEmpty();
        }
    }

    @Test
    void aQuotedStringEndsWithItsLine() {
        ForwardedField field = parse("for=\"6.6.6.6", "for=203.0.113.7\"");

        assertThat(field.problem()).as("a quote still open at the end of a line is broken, not continued on the next")
                .startsWith("line 1 ");
    }

    @Test
    void anythingButPairsSeparatedBySemicolonsIsMalformed() {
        for (String bad : List.of("for", "for=", "=1.2.3.4", "for =1.2.3.4", "for= 1.2.3.4", "for=1.2.3.4 x",
                "for=1.2.3.4 proto=http", "for=1/2", "for=1.2.3.4;;=", "for=a@b", "for=\u00e9", "f\u00f6r=1.2.3.4",
                "for=1.2.3.4\u0000", "for=1.2.3.4\r\n")) {
            assertThat(parse(bad).problem()).as("'%s'", bad).isNotNull();
        }
        assertThat(parse("for=1.1.1.1", "for=2.2.2.2 x").problem()).as("which line and where, no client text")
                .isEqualTo("line 2 is malformed at character 13: expected ';' or ','");
    }

    @Test
    void quotedTextMayHoldObsTextAndWhitespace() {
        assertThat(elements("by=\"caf\u00e9 \t bar\";for=1.2.3.4")).containsExactly(node("1.2.3.4"));
    }
}
