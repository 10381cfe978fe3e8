package dev.mapgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsFormatTest {

    /** What Prometheus 2.x sends by default. */
    private static final String PROMETHEUS_2 = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    @Test
    void prometheusAskingForOpenMetricsGetsIt() {
        assertThat(MetricsFormat.forAccept(PROMETHEUS_2)).isEqualTo(MetricsFormat.OPENMETRICS);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"*/*", "text/plain", "text/plain;version=0.0.4",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/openmetrics-text;q=0", "application/openmetrics-text;q=0.3, text/plain;q=0.9",
        "application/openmetrics-text;q=banana", "application/json"})
    void everyOtherClientGetsTheClassicTextFormat(String accept) {
        assertThat(MetricsFormat.forAccept(accept))
                .as("curl, browsers and scrapers that prefer text must get what they have always read")
                .isEqualTo(MetricsFormat.PROMETHEUS_TEXT);
    }

    @Test
    void openMetricsWinsATieWithTheClassicFormat() {
        assertThat(MetricsFormat.forAccept("text/plain, Application/OpenMetrics-Text; version=1.0.0"))
                .isEqualTo(MetricsFormat.OPENMETRICS);
    }

    @Test
    void eachContentTypeMakesMicrometerWriteThatFormat() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("admin.format.probe").register(registry).increment();

        String text = registry.scrape(MetricsFormat.PROMETHEUS_TEXT.contentType());
        String openMetrics = registry.scrape(MetricsFormat.OPENMETRICS.contentType());

        assertThat(text).contains("admin_format_probe_total 1.0").doesNotContain("# EOF");
        assertThat(openMetrics)
                .as("OpenMetrics ends with # EOF, which tells Prometheus the scrape was not cut off")
                .contains("admin_format_probe_total 1.0").endsWith("# EOF\n");
    }
}
