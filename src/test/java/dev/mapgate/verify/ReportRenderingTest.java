package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportRenderingTest {

    private static final Report REPORT = new Report("https://cdn.example/app.3f2a1c9e.js", List.of(
            CheckResult.ok("js", "https://cdn.example/app.3f2a1c9e.js", 200, "gzip, 412 B -> 1.4 KiB"),
            CheckResult.warn("ipv4", null, null, "cdn.example has only IPv6 addresses"),
            CheckResult.fail("map-without-credential", "https://cdn.example/app.3f2a1c9e.js.map", 200, "your source is public")));

    @Test
    void exitCodeFollowsTheWorstCheckAndWarningsDoNotFail() {
        assertThat(REPORT.exitCode()).isEqualTo(1);
        Report warningsOnly = new Report("u", List.of(CheckResult.ok("a", null, null, "x"), CheckResult.warn("b", null, null, "y")));
        assertThat(warningsOnly.exitCode()).isZero();
        assertThat(warningsOnly.overall()).isEqualTo(Status.WARN);
    }

    @Test
    void plainTextHasOneLinePerCheckAndNoEscapeCodes() {
        String text = TextReport.render(REPORT, false);
        assertThat(text).doesNotContain("\u001B");
        assertThat(text.lines()).anySatisfy(l -> assertThat(l)
                .startsWith("  ok    js ").contains(" 200  https://cdn.example/app.3f2a1c9e.js  gzip"));
        assertThat(text.lines()).anySatisfy(l -> assertThat(l)
                .startsWith("  FAIL  map-without-credential ").contains(" 200  https://cdn.example/app.3f2a1c9e.js.map  your"));
        assertThat(text.lines()).anySatisfy(l -> assertThat(l).startsWith("  warn  ipv4 ").contains("     cdn.example"));
        assertThat(text).contains("1 ok, 1 warn, 1 FAIL");
    }

    @Test
    void colourMarksOnlyTheStatusWord() {
        String text = TextReport.render(REPORT, true);
        assertThat(text).contains("\u001B[32mok\u001B[0m").contains("\u001B[33mwarn\u001B[0m").contains("\u001B[1;31mFAIL\u001B[0m");
        assertThat(text.replaceAll("\u001B\\[[0-9;]*m", "")).isEqualTo(TextReport.render(REPORT, false));
    }

    @Test
    void jsonCarriesTheSameChecks() throws Exception {
        JsonNode json = new ObjectMapper().readTree(JsonReport.render(REPORT));
        assertThat(json.get("result").asText()).isEqualTo("fail");
        assertThat(json.get("exitCode").asInt()).isEqualTo(1);
        assertThat(json.get("counts").get("warn").asInt()).isEqualTo(1);
        assertThat(json.get("checks")).hasSize(3);
        JsonNode first = json.get("checks").get(0);
        assertThat(first.get("name").asText()).isEqualTo("js");
        assertThat(first.get("status").asText()).isEqualTo("ok");
        assertThat(first.get("httpStatus").asInt()).isEqualTo(200);
        assertThat(json.get("checks").get(1).get("httpStatus").isNull()).isTrue();
        assertThat(json.get("checks").get(1).get("url").isNull()).isTrue();
    }

    @Test
    void jsonForARunThatCouldNotCheck() throws Exception {
        JsonNode json = new ObjectMapper().readTree(JsonReport.error("nope", "not a URL"));
        assertThat(json.get("result").asText()).isEqualTo("error");
        assertThat(json.get("exitCode").asInt()).isEqualTo(2);
        assertThat(json.get("error").asText()).isEqualTo("not a URL");
    }
}
